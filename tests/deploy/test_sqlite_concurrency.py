"""Two writers on the embedded SQLite default never see "database is locked".

Both run the production settings with ``DATABASE_URL`` unset (the embedded file under
``TRACKER_VAR_DIR``), in processes of their own:

* two threads, each in a transaction that reads and then writes while the other is in one
  too: the pattern that fails at once under SQLite's default deferred transactions (a control
  run with Django's default OPTIONS shows it does), and waits its turn under ``BEGIN
  IMMEDIATE`` with a busy timeout;
* two gunicorn workers (four threads each) taking concurrent ``POST /api/books``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tracker_api.demo.processes import REPO_ROOT
from tracker_api.demo.processes import Service
from tracker_api.demo.processes import free_port
from tracker_api.demo.processes import gunicorn_argv

SECRETS = {
    "SECRET_KEY": "sqlite-concurrency-test-key-0123456789abcdef",
    "AUDIBLE_API_SECRET": "sqlite-concurrency-gateway-secret-0123",
    "CRON_SECRET": "sqlite-concurrency-cron-secret-0123456",
}

TWO_WRITERS = r"""
import json, sys, threading, time
import django
from django.conf import settings
if sys.argv[1] == "django-defaults":
    settings.DATABASES["default"]["OPTIONS"] = {}
django.setup()
from django.db import connection, transaction

options = dict(settings.DATABASES["default"]["OPTIONS"])
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, who TEXT)")
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
connection.close()

first_inside = threading.Event()
errors = []

def writer(name, hold_s):
    try:
        if name == "second":
            first_inside.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM probe")  # read first...
                if name == "first":
                    first_inside.set()
                time.sleep(hold_s)
                cursor.execute("INSERT INTO probe (who) VALUES (%s)", [name])  # ...then write
    except Exception as exc:
        errors.append(f"{name}: {exc}")
    finally:
        connection.close()

threads = [threading.Thread(target=writer, args=("first", 0.5)),
           threading.Thread(target=writer, args=("second", 0.0))]
for t in threads: t.start()
for t in threads: t.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT COUNT(*) FROM probe")
    rows = cursor.fetchone()[0]
print(json.dumps({"errors": errors, "rows": rows, "journal": journal,
                  "options": {k: str(v) for k, v in options.items()}}))
"""


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "PORT")}
    return {
        **env,
        **SECRETS,
        "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings",
        "TRACKER_VAR_DIR": str(var_dir),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
    }


def _two_writers(var_dir: Path, mode: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", TWO_WRITERS, mode],
        cwd=REPO_ROOT,
        env=_env(var_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_writer_threads_wait_their_turn_on_the_embedded_sqlite(tmp_path):
    outcome = _two_writers(tmp_path, "production")
    assert outcome["errors"] == []
    assert outcome["rows"] == 2
    assert outcome["journal"] == "wal"
    assert outcome["options"]["transaction_mode"] == "IMMEDIATE"
    assert (tmp_path / "tracker.sqlite3").exists(), "the embedded default file"


def test_control_without_those_options_the_same_writers_see_database_is_locked(tmp_path):
    """The scenario is the real failure: with Django's default OPTIONS it breaks."""
    outcome = _two_writers(tmp_path, "django-defaults")
    assert outcome["options"] == {}
    assert any("database is locked" in error for error in outcome["errors"]), outcome


def _manage(var_dir: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=_env(var_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_two_gunicorn_workers_writing_at_once_never_see_database_is_locked(tmp_path):
    _manage(tmp_path, "migrate", "--noinput", "-v", "0")
    token = _manage(
        tmp_path,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from rest_framework.authtoken.models "
        "import Token; print(Token.objects.create(user=User.objects.create(username='w')).key)",
    ).split()[-1]
    port = free_port()
    log = tmp_path / "tracker.log"
    service = Service(
        "tracker",
        gunicorn_argv(
            "-c",
            "deploy/gunicorn/tracker.py",
            "--bind",
            f"127.0.0.1:{port}",
            "tracker_api.config.wsgi",
        ),
        port,
        "/health",
        env={**_env(tmp_path), "PORT": str(port), "TRACKER_WORKERS": "2", "TRACKER_THREADS": "4"},
        log_path=log,
    )
    service.start({})
    try:
        service.wait_until_up(60)
        session_headers = {"Authorization": f"Token {token}"}

        def create(i: int) -> int:
            response = requests.post(
                f"{service.url}/api/books",
                json={"title": f"Concurrent book {i}", "authors": ["Writer"]},
                headers=session_headers,
                timeout=60,
            )
            return response.status_code

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(create, range(80)))
        elapsed = time.monotonic() - started
        book_count = requests.get(
            f"{service.url}/api/books", headers=session_headers, timeout=30
        ).json()["count"]
    finally:
        service.stop()
    text = log.read_text(errors="replace")
    assert "database is locked" not in text
    assert statuses == [201] * 80, sorted(set(statuses))
    assert book_count == 80
    assert elapsed < 60
    # Both workers served requests (they, not only threads of one, wrote at once).
    assert text.count("Booting worker") >= 2
