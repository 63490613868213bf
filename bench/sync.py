"""Benchmark: the tracker's sync on PostgreSQL, against the gateway's own fetch as the floor.

For each N (default 100, 1,000, 10,000) it starts the sandbox with a generated library of N
titles and the gateway (gunicorn) as processes, creates a person with a catalogue of N books
(from the same titles, so the matcher links most and creates the rest) and runs, each in a
fresh tracker process (``bench/sync.py --worker``, i.e. Django + ``run_sync`` as the command
runs it):

* the first sync; an unchanged re-sync; a re-sync after 1 % of the titles progressed;

and prints for each: wall time of ``run_sync``, SQL queries, rows written (from
``pg_stat_user_tables``), the tracker process's peak RSS, plus the gateway's own
``POST /api/library`` time for the same library, measured in the same run (the floor).

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_sync_bench
.venv/bin/python bench/sync.py [--sizes 100,1000,10000]``. The database is dropped and
re-created.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-sync-secret-" + "x" * 20
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tracker_sync_bench"


def _django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker_api.config.settings_test")
    import django

    django.setup()


# --------------------------------------------------------------------------- worker (tracker)
def worker(args: argparse.Namespace) -> None:
    """One sync in this process; prints one JSON line."""
    _django(args.db)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker_api.audible_sync.sync import run_sync

    settings.AUDIBLE_SERVICE_URL = args.gateway
    settings.AUDIBLE_API_SECRET = SECRET
    user = get_user_model().objects.get(username=args.user)
    connection.ensure_connection()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        outcome = run_sync(user, trigger="command", force=True)
        seconds = time.perf_counter() - started
    connection.close()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "queries": len(queries.captured_queries),
                "status": outcome.status,
                "error": outcome.log.error,
                "counts": {
                    k: v
                    for k, v in outcome.summary()["counts"].items()
                    if k in ("items_seen", "linked", "created", "updated", "conflicts_opened")
                },
                "peak_rss_mb": own_peak_rss_mb(),
            }
        )
    )


def own_peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). ru_maxrss is not used: across fork+exec Linux
    carries the parent's high-water mark into the child, which would count the orchestrator."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


# --------------------------------------------------------------------------- orchestration
def rows_written(db_url: str) -> int:
    import psycopg

    with psycopg.connect(db_url.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute("SELECT pg_stat_clear_snapshot()")
        row = c.execute(
            "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables"
        ).fetchone()
    return int(row[0])


def run_worker(db_url: str, gateway: str, user: str) -> dict:
    before = rows_written(db_url)
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            "--db",
            db_url,
            "--gateway",
            gateway,
            "--user",
            user,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    time.sleep(0.6)  # let the exited backend's statistics land
    result["rows"] = rows_written(db_url) - before
    return result


def connect(gateway: str) -> str:
    from audible_gateway.sandbox.testing import connect_through_gateway

    return connect_through_gateway(gateway, SECRET)


def gateway_fetch_seconds(gateway: str, blob: str, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = requests.post(
            gateway + "/api/library",
            json={"auth": blob},
            headers={"X-API-Secret": SECRET},
            timeout=300,
        )
        answer.raise_for_status()
        answer.json()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def reset_database(db_url: str) -> None:
    import psycopg

    base, name = db_url.rsplit("/", 1)
    with psycopg.connect(
        base.replace("postgres://", "postgresql://") + "/postgres", autocommit=True
    ) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings_test",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def make_person(n: int, blob: str, library: list[dict]) -> str:
    from tests.tracker.factories import ConfigFactory
    from tests.tracker.factories import UserFactory
    from tracker_api.books.models import Book

    user = UserFactory(username=f"bench{n}")
    ConfigFactory(user=user, sealed_auth=blob)
    books = []
    for raw in library:
        authors = [a.get("name") for a in raw.get("authors") or [] if isinstance(a, dict)]
        book = Book(user=user, title=str(raw.get("title") or "")[:500], authors=authors)
        book.refresh_search_text()
        books.append(book)
    Book.objects.bulk_create(books, batch_size=1000)
    return user.username


def bench_size(n: int, db_url: str, tmp: Path) -> dict:
    from audible_gateway.sandbox.library_gen import generate_library
    from tracker_api.demo.processes import ServiceGroup
    from tracker_api.demo.processes import free_port
    from tracker_api.demo.processes import gateway_service
    from tracker_api.demo.processes import sandbox_service

    library = generate_library(n, seed=7)
    path = tmp / f"lib{n}.json"
    path.write_text(json.dumps(library))
    with ServiceGroup() as group:
        sandbox = group.start(sandbox_service(free_port(), library=path))
        gateway = group.start(
            gateway_service(
                free_port(),
                {
                    "API_SECRET": SECRET,
                    "ENCRYPTION_KEY": Fernet.generate_key().decode(),
                    "AUDIBLE_SANDBOX_URL": sandbox.url,
                },
            )
        )
        blob = connect(gateway.url)
        user = make_person(n, blob, library)
        first = run_worker(db_url, gateway.url, user)
        unchanged = run_worker(db_url, gateway.url, user)
        step = max(1, n // 100)
        active = [
            r["asin"]
            for r in library
            if r.get("status", "Active") == "Active"
            and not (r.get("listening_status") or {}).get("is_finished")
            and not r.get("is_finished")
            and (r.get("content_type") or "").lower() != "podcast"
        ]
        for asin in active[::step][: max(1, n // 100)]:
            requests.patch(
                f"{sandbox.url}/__sandbox/library/{asin}", json={"percent": 61.5}, timeout=10
            ).raise_for_status()
        progressed = run_worker(db_url, gateway.url, user)
        floor = gateway_fetch_seconds(gateway.url, blob)
    return {
        "n": n,
        "first": first,
        "unchanged": unchanged,
        "progressed": progressed,
        "floor": floor,
    }


def report(r: dict) -> None:
    print(f"\nN = {r['n']:,} titles, catalogue of {r['n']:,} books")
    print(f"  gateway /api/library fetch (floor): {r['floor']:.3f} s")
    for name in ("first", "unchanged", "progressed"):
        x = r[name]
        print(
            f"  {name:<10} {x['seconds']:7.3f} s  ({x['seconds'] / r['floor']:.2f}x floor)  "
            f"{x['queries']:5d} queries  {x['rows']:6d} rows written  "
            f"peak RSS {x['peak_rss_mb']:.0f} MB  {x['status']}  {x['counts']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL") or DEFAULT_DB)
    parser.add_argument("--gateway")
    parser.add_argument("--user")
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if not args.db.startswith("postgres"):
        raise SystemExit("bench/sync.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    reset_database(args.db)
    _django(args.db)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            result = bench_size(n, args.db, Path(tmp))
            report(result)
            results.append(result)
    print("\nTargets: unchanged re-sync of 10,000 <= 30 queries and <= 2x the gateway fetch;")
    print("first sync of 10,000 <= 20 s; 100 titles <= 0.5 s; tracker peak RSS <= 300 MB.")


if __name__ == "__main__":
    main()
