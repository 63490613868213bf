"""``python -m tracker_api.demo.manage COMMAND ...``: a ``manage.py`` command on the demo's data.

The demo keeps its database and throwaway secrets in ``var/`` (or ``TRACKER_VAR_DIR``); this
runs any management command with the same settings the demo's tracker has, so a second person
can be added to a running demo without copying secrets by hand::

    .venv/bin/python -m tracker_api.demo.manage create_user bob --login-link \\
        --base-url http://127.0.0.1:8000
"""

from __future__ import annotations

import subprocess
import sys

from tracker_api.demo.cli import demo_var_dir
from tracker_api.demo.cli import environments
from tracker_api.demo.cli import requested_ports
from tracker_api.demo.processes import REPO_ROOT


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write((__doc__ or "") + "\n")
        return 0 if args else 2
    env, _ = environments(demo_var_dir(), requested_ports())
    env.pop("DJANGO_SUPERUSER_PASSWORD", None)  # the demo login's; no command here needs it
    return subprocess.call([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env)  # noqa: S603


if __name__ == "__main__":
    raise SystemExit(main())
