"""`make run`'s demo, run as a newcomer would: real processes, the embedded SQLite database.

One test runs it to completion (``--once``); the other runs it a second time on the same data
directory, serving, then presses Ctrl-C: nothing is duplicated and nothing is left running.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
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
    for name in ("DEMO_TRACKER_PORT", "DEMO_GATEWAY_PORT", "DEMO_SANDBOX_PORT"):
        env[name] = str(free_port())
    return env


def _counts(var_dir: str) -> tuple[int, int, int]:
    with sqlite3.connect(Path(var_dir) / "tracker.sqlite3") as db:
        books = db.execute("SELECT count(*) FROM books").fetchone()[0]
        mappings = db.execute("SELECT count(*) FROM audible_book_mappings").fetchone()[0]
        conflicts = db.execute("SELECT count(*) FROM audible_conflicts").fetchone()[0]
    return books, mappings, conflicts


@pytest.fixture(scope="module")
def first_run(demo_env) -> str:
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


def test_the_demo_syncs_and_reports_what_it_did(first_run):
    assert "Sync ok" in first_run
    assert "41 titles seen" in first_run
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
    demo = subprocess.Popen(
        [sys.executable, "-m", "tracker_api.demo"],
        cwd=REPO_ROOT,
        env=demo_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = []
    deadline = time.monotonic() + 240
    assert demo.stdout is not None
    for line in demo.stdout:
        output.append(line)
        if "Press Ctrl-C" in line or time.monotonic() > deadline:
            break
    text = "".join(output)
    assert "Press Ctrl-C" in text, text[-3000:]
    tracker_port = demo_env["DEMO_TRACKER_PORT"]
    assert requests.get(f"http://127.0.0.1:{tracker_port}/health", timeout=5).status_code == 200

    demo.send_signal(signal.SIGINT)
    rest, _ = demo.communicate(timeout=60)
    assert demo.returncode == 0, rest
    assert "nothing left running" in rest
    assert _counts(demo_env["TRACKER_VAR_DIR"]) == before
    for name in ("DEMO_TRACKER_PORT", "DEMO_GATEWAY_PORT", "DEMO_SANDBOX_PORT"):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{demo_env[name]}/", timeout=2)
