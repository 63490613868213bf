"""deploy/entrypoint.sh, the start-up steps every way of running shares: *_FILE secrets, and
the database wait that prints the driver's real error at once when waiting cannot help."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import pytest

from tracker_api.demo.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"


def run(*argv: str, timeout: float = 60, **env: str) -> tuple[subprocess.CompletedProcess, float]:
    base = {k: v for k, v in os.environ.items() if not k.endswith("_FILE")}
    for name in ("DATABASE_URL", "ENCRYPTION_KEY", "API_SECRET"):
        base.pop(name, None)
    base["PATH"] = f"{Path(sys.executable).parent}:{base.get('PATH', '/usr/bin:/bin')}"
    started = time.monotonic()
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), *argv],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return result, time.monotonic() - started


def _pg_url(database: str) -> str:
    url = urlsplit(os.environ.get("DATABASE_URL", ""))
    if not url.scheme.startswith("postgres"):
        pytest.fail("these tests need PostgreSQL: run them with DATABASE_URL=postgres://...")
    return urlunsplit(url._replace(path=f"/{database}"))


def test_file_secrets_become_variables_without_overriding_given_ones(tmp_path):
    (tmp_path / "key").write_text("sealed-key-from-a-file\n")
    (tmp_path / "other").write_text("ignored")
    result, _ = run(
        "sh",
        "-c",
        'echo "$ENCRYPTION_KEY|$API_SECRET"',
        ENCRYPTION_KEY_FILE=str(tmp_path / "key"),
        API_SECRET="given",
        API_SECRET_FILE=str(tmp_path / "other"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sealed-key-from-a-file|given"


def test_an_unreadable_secret_file_stops_the_start(tmp_path):
    result, _ = run("true", ENCRYPTION_KEY_FILE=str(tmp_path / "missing"))
    assert result.returncode == 1
    assert "ENCRYPTION_KEY_FILE names a file that cannot be read" in result.stderr


def test_the_command_runs_once_the_database_answers():
    result, _ = run("sh", "-c", "echo started", DATABASE_URL=_pg_url("postgres"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_an_unknown_database_is_said_at_once_in_the_drivers_words():
    result, elapsed = run(
        "sh", "-c", "echo started", DATABASE_URL=_pg_url("no_such_db_deploy"), DB_WAIT_SECONDS="60"
    )
    assert result.returncode == 1
    assert 'database "no_such_db_deploy" does not exist' in result.stderr
    assert "started" not in result.stdout
    assert elapsed < 20, "no 60 s wait for an error that waiting cannot fix"


def test_a_server_that_is_not_up_is_waited_for_then_named():
    port = free_port()
    result, elapsed = run(
        "true", DATABASE_URL=f"postgres://u:pw-not-shown@127.0.0.1:{port}/x", DB_WAIT_SECONDS="2"
    )
    assert result.returncode == 1
    assert "Waiting for the database" in result.stderr
    assert "did not answer within 2 s" in result.stderr
    assert "Connection refused" in result.stderr or "connection refused" in result.stderr
    assert "pw-not-shown" not in result.stderr
    assert elapsed >= 2


def test_the_gateway_needs_no_database():
    """A gateway started without DATABASE_URL goes straight to its command."""
    result, elapsed = run("sh", "-c", "echo gateway")
    assert result.returncode == 0
    assert result.stdout.strip() == "gateway"
    assert elapsed < 10
