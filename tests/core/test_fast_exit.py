"""The sync command's process ends without the interpreter's teardown, and loses nothing.

Each case runs a real child process: ``run_then_exit`` must keep the exit status, flush what
was printed and logged, and skip the slow teardown (an ``atexit`` hook standing in for it)
unless a non-daemon thread is still working.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _child(body: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(
        f"""
        import atexit, logging, sys, threading, time
        sys.path.insert(0, {str(ROOT)!r})
        from tracker_api.core.fast_exit import run_then_exit
        atexit.register(lambda: print("TEARDOWN", flush=True))
        logging.basicConfig(filename={str(tmp_path / "log.txt")!r}, level=logging.INFO)
        """
    ) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )


def test_a_finished_command_exits_at_once_with_its_output_and_log(tmp_path):
    done = _child(
        """
        def main(argv):
            sys.stdout.write("synced")  # no newline: still buffered
            logging.getLogger("x").info("logged line")
        run_then_exit(main, [])
        """,
        tmp_path,
    )
    assert done.returncode == 0
    assert done.stdout == "synced"  # flushed, and the teardown hook never ran
    assert "logged line" in (tmp_path / "log.txt").read_text()


def test_system_exit_keeps_its_status_and_message(tmp_path):
    failed = _child("run_then_exit(lambda argv: sys.exit(3), [])", tmp_path)
    assert (failed.returncode, failed.stdout) == (3, "")
    worded = _child("run_then_exit(lambda argv: sys.exit('went wrong'), [])", tmp_path)
    assert worded.returncode == 1
    assert "went wrong" in worded.stderr


def test_a_working_thread_gets_the_normal_exit(tmp_path):
    waited = _child(
        """
        def main(argv):
            threading.Thread(target=lambda: (time.sleep(0.3), print("THREAD DONE"))).start()
        run_then_exit(main, [])
        """,
        tmp_path,
    )
    assert waited.returncode == 0
    assert waited.stdout.splitlines() == ["THREAD DONE", "TEARDOWN"]


def test_manage_py_audible_sync_reports_a_command_error_with_status_1(db):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings_test"}
    env["DATABASE_URL"] = _database_url()
    done = subprocess.run(
        [sys.executable, "manage.py", "audible_sync", "--user", "nobody-at-all"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "There is no user named 'nobody-at-all'" in done.stderr


def _database_url() -> str:
    """The test database this session made, so the child reads the same (empty) tables."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def test_the_sync_command_leaves_system_checks_to_deploy_time():
    from tracker_api.audible_sync.management.commands.audible_sync import Command

    assert Command.requires_system_checks == []


def test_start_up_runs_without_the_collector_and_the_command_resumes_it(tmp_path):
    """Paused from the start until the command says it is loaded; then what start-up made is
    frozen (never walked again) and the collector runs for the sync itself."""
    done = _child(
        """
        import gc
        from tracker_api.core import fast_exit
        def main(argv):
            print(gc.isenabled(), gc.get_freeze_count())
            fast_exit.start_up_done()
            print(gc.isenabled(), gc.get_freeze_count() > 0)
        run_then_exit(main, [])
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["False 0", "True True"]


def test_a_command_that_never_starts_work_still_resumes_the_collector(tmp_path):
    done = _child(
        """
        import gc
        from tracker_api.core import fast_exit
        threading.Thread(target=lambda: time.sleep(0.2)).start()  # the normal exit, after
        atexit.register(lambda: print("collector", gc.isenabled(), flush=True))
        run_then_exit(lambda argv: sys.exit(2), [])
        """,
        tmp_path,
    )
    assert done.returncode == 2
    assert "collector True" in done.stdout


def test_start_up_done_is_nothing_where_the_collector_was_not_paused():
    """``call_command`` in tests and long-lived processes: nothing is frozen."""
    import gc

    from tracker_api.core import fast_exit

    frozen = gc.get_freeze_count()
    fast_exit.start_up_done()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
