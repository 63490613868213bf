"""`make run`'s demo, run as a newcomer would: real processes, the embedded SQLite database.

One test runs it to completion (``--once``); the next runs it a second time on the same data
directory, serving, then presses Ctrl-C: nothing is duplicated and nothing is left running.
Then Ctrl-C comes at other moments, from the demo's first line to its sync and report: each
time every process it started is stopped, the exit status is 0 and there is no traceback; and
the demo still runs to completion on the same data afterwards.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from tracker_api.demo.processes import REPO_ROOT
from tracker_api.demo.processes import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["TRACKER_VAR_DIR"] = str(tmp_path_factory.mktemp("demo-var"))
    for name in PORTS:
        env[name] = str(free_port())
    # Inherited by every process the demo starts: how the tests find any it left running.
    env[MARKER] = uuid.uuid4().hex
    return env


PORTS = ("DEMO_TRACKER_PORT", "DEMO_GATEWAY_PORT", "DEMO_SANDBOX_PORT")
MARKER = "DEMO_TEST_RUN"


def _start_demo(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker_api.demo"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _read_until(demo: subprocess.Popen[str], marker: str) -> str:
    """The demo's output up to and including the first line containing ``marker``."""
    output = []
    deadline = time.monotonic() + 240
    assert demo.stdout is not None
    for line in demo.stdout:
        output.append(line)
        if marker in line or time.monotonic() > deadline:
            break
    text = "".join(output)
    assert marker in text, text[-3000:]
    return text


def _press_ctrl_c(demo: subprocess.Popen[str]) -> str:
    """Ctrl-C as a terminal sends it (to the demo's whole process group); the rest of the output."""
    os.killpg(demo.pid, signal.SIGINT)
    rest, _ = demo.communicate(timeout=90)
    return rest


def _left_running(env: dict[str, str]) -> list[str]:
    """Command lines of live processes that carry this test's marker in their environment."""
    needle = f"{MARKER}={env[MARKER]}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if needle in (proc / "environ").read_bytes().split(b"\0"):
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


def _assert_stopped_cleanly(demo: subprocess.Popen[str], rest: str, env: dict[str, str]) -> None:
    assert demo.returncode == 0, rest[-3000:]
    assert "Traceback" not in rest, rest[-3000:]
    assert "nothing left running" in rest, rest[-3000:]
    assert _left_running(env) == []
    for name in PORTS:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{env[name]}/", timeout=2)


def _counts(var_dir: str) -> tuple[int, int, int]:
    with sqlite3.connect(Path(var_dir) / "tracker.sqlite3") as db:
        books = db.execute("SELECT count(*) FROM books").fetchone()[0]
        mappings = db.execute("SELECT count(*) FROM audible_book_mappings").fetchone()[0]
        conflicts = db.execute("SELECT count(*) FROM audible_conflicts").fetchone()[0]
    return books, mappings, conflicts


def _run_once(demo_env) -> str:
    """``make run``'s demo with ``--once``, to its end; its output."""
    result = subprocess.run(
        [sys.executable, "-m", "tracker_api.demo", "--once"],
        cwd=REPO_ROOT,
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def first_run(demo_env) -> str:
    return _run_once(demo_env)


def test_the_demo_syncs_and_reports_what_it_did(first_run):
    assert "Sync ok" in first_run
    # 41 titles in the library: 35 are the demo listener's, 6 (collection "Sam") are Sam's.
    assert "35 titles seen" in first_run
    assert "Which titles went to whom" in first_run
    assert "  - sam: 6 title(s), reason collection" in first_run
    assert "Harry Potter and the Sorcerer's Stone, Book 1" in first_run.split("sam's tracker")[1]
    # A title that needs a person's decision, with its title.
    assert "Conflicts waiting for your decision (1):" in first_run
    assert "The Magician's Nephew" in first_run
    # In-progress and finished titles moved the tracker's books.
    assert "Now reading (" in first_run
    assert "Red Rising  88%" in first_run
    assert "Finished on Audible (" in first_run
    assert "The Way of Kings" in first_run
    # The revoked title and the podcast are not imported, and the report says why.
    assert "Not imported, and why:" in first_run
    assert "The Girl on the Train: no longer in the Audible library" in first_run
    assert "The Butterfly Effect with Jon Ronson: a podcast" in first_run
    # Where to look, with a full admin address and the demo login.
    assert "/admin/login/" in first_run
    assert "login: demo / " in first_run


def test_a_second_run_duplicates_nothing_and_ctrl_c_stops_everything(first_run, demo_env):
    before = _counts(demo_env["TRACKER_VAR_DIR"])
    demo = _start_demo(demo_env)
    text = _read_until(demo, "Press Ctrl-C")
    tracker_port = demo_env["DEMO_TRACKER_PORT"]
    assert requests.get(f"http://127.0.0.1:{tracker_port}/health", timeout=5).status_code == 200

    rest = _press_ctrl_c(demo)
    _assert_stopped_cleanly(demo, text + rest, demo_env)
    assert _counts(demo_env["TRACKER_VAR_DIR"]) == before


@pytest.mark.parametrize(
    "moment",
    [
        "==> Importing the demo tracker catalogue",
        "==> Starting the Audible sandbox",
        "    sandbox http://",
        "==> Connecting the demo Audible account",
        "==> Syncing the Audible library",
        "==> What the sync did",
    ],
)
def test_ctrl_c_at_any_moment_stops_everything_cleanly(first_run, demo_env, moment):
    demo = _start_demo(demo_env)
    text = _read_until(demo, moment)
    rest = _press_ctrl_c(demo)
    _assert_stopped_cleanly(demo, text + rest, demo_env)


def test_ctrl_c_right_after_the_first_line_of_a_fresh_demo(tmp_path, demo_env):
    fresh = {**demo_env, "TRACKER_VAR_DIR": str(tmp_path), MARKER: uuid.uuid4().hex}
    demo = _start_demo(fresh)
    text = _read_until(demo, "==> Preparing the embedded SQLite database")
    rest = _press_ctrl_c(demo)
    _assert_stopped_cleanly(demo, text + rest, fresh)


def test_the_demo_still_runs_to_completion_after_being_interrupted(first_run, demo_env):
    assert "Sync ok" in _run_once(demo_env)
    assert _left_running(demo_env) == []


def test_a_second_person_joins_the_demo_with_the_command_its_report_prints(first_run, demo_env):
    """The report's "Another person" line, run as printed: bob is a person, not a superuser."""
    assert "Another person:            .venv/bin/python -m tracker_api.demo.manage" in first_run

    def demo_manage(*args: str, **extra: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "tracker_api.demo.manage", *args],
            cwd=REPO_ROOT,
            env={**demo_env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        return result.stdout

    created = demo_manage("create_user", "bob", "--password-env", "BOB_PW", BOB_PW="b0b-listens")
    assert created.split()[-1] != ""
    check = (
        "from django.contrib.auth import authenticate;"
        "u = authenticate(username='bob', password='b0b-listens');"
        "print(u is not None, u.is_superuser, list(u.groups.values_list('name', flat=True)),"
        " u.books.count())"
    )
    answer = demo_manage("shell", "-c", check).strip().splitlines()[-1]
    assert answer.split() == ["True", "False", "['person']", "0"]
    books, _, _ = _counts(demo_env["TRACKER_VAR_DIR"])
    assert books > 0  # the demo's own catalogue is still there, and is not bob's
