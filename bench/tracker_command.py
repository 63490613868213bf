"""``manage.py`` as bench/sync.py runs it, plus the process's peak RSS on stderr.

The same entry as ``python manage.py …`` (same imports, same fast exit), so the wall time of
this process is the whole command's. The last stderr line is ``peak_rss_mb=<VmHWM>``: this
process's own high-water mark (``ru_maxrss`` is not used: across fork+exec Linux carries the
parent's mark into the child, which would count the orchestrator).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    finally:
        sys.stderr.write(f"peak_rss_mb={_peak_rss_mb():.1f}\n")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker_api.config.settings")
    from tracker_api.core.fast_exit import run_then_exit

    run_then_exit(main, ["manage.py", *sys.argv[1:]])
