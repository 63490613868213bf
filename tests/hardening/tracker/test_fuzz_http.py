"""The fuzz run of ``test_fuzz.py`` over real HTTP against the tracker as it is deployed by
default: gunicorn with two workers (threads in each) on the embedded SQLite file, with a live
gateway and sandbox behind it (real processes), so the Audible operations reach a real gateway
instead of answering "gateway unreachable".

What only a served tracker shows: gunicorn's own answers (a request line it refuses), each
worker's own SQLite connection to one file (WAL, busy timeout, ``BEGIN IMMEDIATE``), the
SQLite backend's limits on values (an id over 64 bits), and the wire format of every answer.
The run must see no 5xx, every answer fit the schema and no secret in any answer. (Requests
go one at a time; concurrent writers on SQLite are ``tests/deploy/test_sqlite_concurrency.py``.)

Derandomized (the same cases every run) and bounded by its example counts;
``FUZZ_HTTP_EXAMPLES`` / ``FUZZ_HTTP_OTHER_EXAMPLES`` (with ``FUZZ_RANDOM=1`` for new cases)
run it at length, where the time budget is not asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from tests.support.stack import sample_items
from tracker_api.demo.processes import REPO_ROOT

from .fuzzing import fuzz_tracker
from .live import CRON_SECRET
from .live import GATEWAY_SECRET
from .live import Live
from .live import write_library
from .test_fuzz import EVERY_OPERATION
from .test_fuzz import real_values

# Examples per operation and mode: the owner's, and the wrong token's and anonymous' each.
EXAMPLES = int(os.environ.get("FUZZ_HTTP_EXAMPLES", "4"))
OTHER_EXAMPLES = int(os.environ.get("FUZZ_HTTP_OTHER_EXAMPLES", "1"))
# Seconds the fuzzing may take at the default counts on the shared two-core machine (the
# server's own share is small: generating and checking cases is most of it).
TIME_BUDGET_S = 90
AT_DEFAULT_COUNTS = "FUZZ_HTTP_EXAMPLES" not in os.environ


def _python(live: Live, *args: str) -> str:
    """``python <args>`` beside the served tracker (its environment); its stdout."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env={**os.environ, **live.tracker_env()},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Sandbox, gateway and the tracker under gunicorn (2 workers) on a fresh embedded SQLite
    file, migrated, with the fuzz world built in it through the live gateway."""
    tmp = tmp_path_factory.mktemp("fuzz-http")
    var_dir = tmp / "var"
    live = Live(
        db_url="",  # no DATABASE_URL: the embedded SQLite file under TRACKER_VAR_DIR
        log_dir=tmp,
        library_path=write_library(tmp / "library.json", sample_items()),
        tracker_extra={"TRACKER_VAR_DIR": str(var_dir), "CONN_MAX_AGE": "60"},
    )
    try:
        live.start()
        _python(live, "manage.py", "migrate", "--noinput")
        blob = live.connect()
        world = SimpleNamespace(
            **json.loads(_python(live, "-m", "tests.hardening.tracker.http_world", blob))
        )
        live.start_tracker(workers=2, threads=4)
        yield live, world, var_dir
    finally:
        live.stop()


def test_every_operation_survives_http_fuzzing_on_sqlite_with_two_workers(served):
    live, world, var_dir = served
    assert (var_dir / "tracker.sqlite3").exists()  # the embedded default, not DATABASE_URL
    assert live.tracker is not None
    started = time.monotonic()
    with requests.Session() as session:
        report = fuzz_tracker(
            live.tracker.url,
            identities={
                "owner": f"Token {world.owner_token}",
                "wrong-token": f"Token {world.owner_token[:-1]}x",
                "anonymous": None,
            },
            real_values=real_values(world),
            forbidden=[
                world.blob,
                world.outsider_token,
                live.secret_key,
                GATEWAY_SECRET,
                CRON_SECRET,
                live.key,
            ],
            max_examples=EXAMPLES,
            other_examples=OTHER_EXAMPLES,
            call_kwargs={"session": session, "timeout": 60},
        )
    elapsed = time.monotonic() - started
    print("tracker HTTP fuzz (gunicorn x2, SQLite):", report.summary())  # the counts, with -s
    log = Path(live.log_dir / "tracker.log").read_text(errors="replace")
    assert report.clean, report.summary() + "\n" + report.problems() + "\n" + log[-3000:]
    assert report.operations == EVERY_OPERATION
    assert report.examples >= 300, report.summary()
    assert report.substituted > 0
    assert report.statuses[200] > 0, report.summary()
    assert report.statuses[401] > 0, report.summary()
    # The Audible operations reached the live gateway: no "gateway unreachable" anywhere.
    assert report.statuses[503] == 0, report.summary()
    assert "Traceback" not in log, log[-3000:]
    assert elapsed < TIME_BUDGET_S or not AT_DEFAULT_COUNTS, report.summary()


# Over the 64-bit range of any database id (the HTTP fuzz found 2**77 as a book id).
HUGE_ID = 2**80


def _id_operations(schema: dict) -> list[tuple[str, str, list[str]]]:
    """Every operation of the schema with integer (or digits-only) path parameters: method,
    path and the names of those parameters."""
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = [
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] == "path"
                and (
                    p["schema"].get("type") == "integer" or p["schema"].get("pattern") == "^[0-9]+$"
                )
            ]
            if names:
                found.append((method.upper(), path, names))
    return found


def test_an_id_beyond_the_database_range_is_a_404_on_every_route(served):
    """SQLite cannot take an integer over 64 bits in a query ("Python int too large to convert
    to SQLite INTEGER"): a book id of 2**77 in ``GET /api/books/{id}/reads/{read_id}`` was a
    500 there. Such an id names no row: the URL does not match, a 404 in the error shape."""
    live, world, _ = served
    assert live.tracker is not None
    schema = requests.get(live.tracker.url + "/api/schema?format=json", timeout=30).json()
    operations = _id_operations(schema)
    assert {"/api/books/{id}/reads/{read_id}", "/api/books/{id}"} <= {p for _, p, _ in operations}
    headers = {"Authorization": f"Token {world.owner_token}"}
    for method, path, names in operations:
        # Each integer parameter huge in turn, the others a real id of the person's.
        for huge in names:
            url = path
            for name in names:
                value = HUGE_ID if name == huge else world.book_ids[0]
                url = url.replace("{" + name + "}", str(value))
            response = requests.request(
                method, live.tracker.url + url, headers=headers, json={}, timeout=30
            )
            where = (method, url, response.status_code, response.text[:300])
            assert response.status_code == 404, where
            assert response.json()["error"]["code"], where


def test_what_gunicorn_refuses_itself_is_answered_in_the_json_error_shape(served):
    """A request line over gunicorn's 4094 bytes (a long query string: the HTTP fuzz sent one)
    or an oversized header never reaches Django; gunicorn's answer was an HTML page echoing
    the request. Now: the error envelope with a stable code, nothing of the request in it."""
    live, world, _ = served
    assert live.tracker is not None
    token = f"Token {world.owner_token}"
    long_query = requests.get(
        live.tracker.url + "/api/notifications/channels",
        params={"search": "x" * 5000},
        headers={"Authorization": token},
        timeout=30,
    )
    assert long_query.status_code == 400
    assert long_query.headers["Content-Type"] == "application/json"
    assert long_query.json() == {
        "error": {
            "code": "request_line_too_large",
            "message": "The request line (method, path and query string) is too long.",
        }
    }
    secret_header = "leak-me-" + "y" * 9000
    big_header = requests.get(
        live.tracker.url + "/api/books",
        headers={"Authorization": token, "X-Extra": secret_header},
        timeout=30,
    )
    assert big_header.status_code == 431
    assert big_header.json()["error"]["code"] == "request_headers_too_large"
    assert "leak-me" not in big_header.text
    assert world.owner_token not in long_query.text + big_header.text
