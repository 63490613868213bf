"""Load on loopback, bounded: many people synced at once, many readers, the gateway under load.

(a) --users people (200) with --titles-titled libraries (1,000) each, all due, synced by two
    ``manage.py audible_sync --all`` workers at once against the sandbox and the gateway
    (gunicorn) as processes, on PostgreSQL. Checked in the database afterwards: every person
    synced exactly once, every sync ``ok``, every person holds the same complete library
    (no lost write), no lock left, no deadlock in the workers' output. Reports wall time.
(b) --clients (50) concurrent readers for --seconds (30) against the tracker under gunicorn
    (the repository's gunicorn settings: 2 workers x 4 threads unless --tracker-workers /
    --tracker-threads say otherwise) on the people of (a): books list, book detail, status,
    conflicts, each with the person's token. The load generator is Python threads with one
    ``requests.Session`` each, on the same 2-core machine, so it competes with the server for
    CPU; the figures are a floor. Reports throughput, p50/p99 latency, errors.
(c) the gateway under 20 concurrent library fetches: runs ``bench/gateway_load.py`` (the
    gateway half's benchmark) and prints its figures.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_hard_load .venv/bin/python
bench/load.py [--users 200] [--titles 1000] [--clients 50] [--seconds 30] [--skip-gateway]``.
The database is dropped and re-created.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tracker_hard_load"


def _django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker_api.config.settings_test")
    import django

    django.setup()


def reset_database(db_url: str) -> None:
    import psycopg

    base, name = db_url.rsplit("/", 1)
    with psycopg.connect(
        base.replace("postgres://", "postgresql://") + "/postgres", autocommit=True
    ) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": db_url,
           "DJANGO_SETTINGS_MODULE": "tracker_api.config.settings_test"}  # fmt: skip
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# --------------------------------------------------------------------------- (a)
def many_people(live: Any, users: int, blob: str) -> dict:
    from people import connected_person
    from rest_framework.authtoken.models import Token

    from tests.hardening.tracker.consistency import assert_consistent
    from tracker_api.audible_sync.models import AudibleConfig
    from tracker_api.audible_sync.models import AudibleSyncLog

    people = []
    for n in range(users):
        user = connected_person(f"reader{n:03d}", blob)
        Token.objects.get_or_create(user=user)
        people.append(user)
    started = time.perf_counter()
    workers = [live.manage("audible_sync", "--all") for _ in range(2)]
    outputs = [w.communicate(timeout=3600)[0] for w in workers]
    wall = time.perf_counter() - started
    codes = [w.returncode for w in workers]
    handled = [int(out.strip().splitlines()[-1].split()[0]) for out in outputs]
    logs = AudibleSyncLog.objects.filter(user__in=people).exclude(status="skipped")
    per_user = Counter(logs.values_list("user_id", flat=True))
    once = sum(1 for u in people if per_user.get(u.pk) == 1)
    statuses = Counter(logs.values_list("status", flat=True))
    shapes = Counter(assert_consistent(u) for u in people)
    deadlocks = sum(out.lower().count("deadlock") for out in outputs)
    locks_left = AudibleConfig.objects.filter(user__in=people).exclude(sync_lock_token="").count()
    return {
        "wall": wall,
        "codes": codes,
        "handled": handled,
        "once": once,
        "statuses": dict(statuses),
        "shapes": dict(shapes),
        "deadlocks": deadlocks,
        "locks_left": locks_left,
        "people": people,
    }


# --------------------------------------------------------------------------- (b)
def analyze(db_url: str) -> bool:
    """Refresh the planner's statistics after (a) loaded ~200,000 rows, as autovacuum would
    within minutes; True when autovacuum is off on this server (it is on the dev machine),
    which the report says. Without it the status query hash-joins every book (60+ ms)."""
    import psycopg

    with psycopg.connect(db_url.replace("postgres://", "postgresql://"), autocommit=True) as c:
        row = c.execute("SHOW autovacuum").fetchone()
        off = row is not None and row[0] == "off"
        c.execute("ANALYZE")
    return off


def readers(base_url: str, people: list, clients: int, seconds: float) -> dict:
    from rest_framework.authtoken.models import Token

    from tracker_api.books.models import Book

    tokens = {u.pk: Token.objects.get(user=u).key for u in people}
    book_ids = {u.pk: list(Book.objects.filter(user=u).values_list("id", flat=True)[:200])
                for u in people}  # fmt: skip
    # (only the first 200 ids are kept; books pages 1-4 of 50 are within them)
    paths = ("books", "book", "status", "conflicts")
    latencies: dict[str, list[float]] = {p: [] for p in paths}
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        session = requests.Session()
        user = people[n % len(people)]
        session.headers["Authorization"] = f"Token {tokens[user.pk]}"
        while time.monotonic() < stop_at:
            kind = rng.choice(paths)
            if kind == "books":
                last = max(1, -(-len(book_ids[user.pk]) // 50))
                url = f"{base_url}/api/books?page_size=50&page={rng.randint(1, min(last, 4))}"
            elif kind == "book":
                url = f"{base_url}/api/books/{rng.choice(book_ids[user.pk])}"
            elif kind == "status":
                url = f"{base_url}/api/audible/status"
            else:
                url = f"{base_url}/api/audible/conflicts?status=all"
            began = time.perf_counter()
            try:
                answer = session.get(url, timeout=30)
                ok = answer.status_code == 200
                code = str(answer.status_code)
            except requests.RequestException as exc:
                ok, code = False, type(exc).__name__
            took = time.perf_counter() - began
            with lock:
                if ok:
                    latencies[kind].append(took)
                else:
                    errors[code] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    every = [x for values in latencies.values() for x in values]
    return {"elapsed": elapsed, "latencies": latencies, "all": every, "errors": dict(errors)}


def serial_baseline(base_url: str, people: list, runs: int = 40) -> float:
    """The median of single requests one at a time (same mix), measured in this run."""
    from rest_framework.authtoken.models import Token

    session = requests.Session()
    session.headers["Authorization"] = f"Token {Token.objects.get(user=people[0]).key}"
    times = []
    for n in range(runs):
        url = base_url + ("/api/books?page_size=50", "/api/audible/status")[n % 2]
        began = time.perf_counter()
        session.get(url, timeout=30).raise_for_status()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


# --------------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL") or DEFAULT_DB)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--titles", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--tracker-workers", type=int, default=2)
    parser.add_argument("--tracker-threads", type=int, default=4)
    parser.add_argument("--skip-gateway", action="store_true", help="leave out part (c)")
    args = parser.parse_args()
    if not args.db.startswith("postgres"):
        raise SystemExit("bench/load.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    reset_database(args.db)
    _django(args.db)
    from audible_gateway.sandbox.library_gen import generate_library
    from tests.hardening.tracker.live import Live
    from tests.hardening.tracker.live import write_library

    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        library = write_library(Path(tmp) / "lib.json", generate_library(args.titles, seed=11))
        live = Live(db_url=args.db, log_dir=Path(tmp), library_path=library, stale_s=900)
        live.start()
        try:
            blob = live.connect()
            a = many_people(live, args.users, blob)
            analyzed = analyze(args.db)
            tracker = live.start_tracker(args.tracker_workers, args.tracker_threads)
            baseline = serial_baseline(tracker.url, a["people"])
            b = readers(tracker.url, a["people"], args.clients, args.seconds)
        finally:
            live.stop()
    ((books, mappings),) = a["shapes"] if len(a["shapes"]) == 1 else ((("?", "?"), 0),)
    print(f"\n(a) {args.users} people x {args.titles:,} titles, two `audible_sync --all` workers")
    rate = args.users * args.titles / a["wall"]
    print(
        f"    wall time              {a['wall']:.1f} s "
        f"({args.users / a['wall']:.2f} people/s, {rate:,.0f} titles/s)"
    )
    print(f"    synced by each worker  {a['handled']}   exit codes {a['codes']}")
    print(f"    synced exactly once    {a['once']} / {args.users}")
    print(f"    sync statuses          {a['statuses']}")
    same = len(a["shapes"]) == 1
    print(f"    books / mappings each  {books} / {mappings}  (identical for all: {same})")
    print(f"    deadlocks reported     {a['deadlocks']}    locks left held {a['locks_left']}")
    failed |= (a["once"] != args.users or len(a["shapes"]) != 1 or a["deadlocks"] > 0
               or a["locks_left"] > 0 or set(a["codes"]) != {0})  # fmt: skip
    total = len(b["all"])
    errors = sum(b["errors"].values())
    print(
        f"\n(b) {args.clients} concurrent readers for {args.seconds:.0f} s, tracker under "
        f"gunicorn ({args.tracker_workers} workers x {args.tracker_threads} threads), "
        "load from Python threads + requests"
    )
    print(f"    {'endpoint':<12} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, values in b["latencies"].items():
        print(f"    {kind:<12} {len(values):>9} {percentile(values, .5) * 1000:>8.1f} "
              f"{percentile(values, .99) * 1000:>8.1f}")  # fmt: skip
    print(f"    {'all':<12} {total:>9} {percentile(b['all'], .5) * 1000:>8.1f} "
          f"{percentile(b['all'], .99) * 1000:>8.1f}")  # fmt: skip
    print(f"    throughput             {total / b['elapsed']:.0f} requests/s")
    print(f"    errors                 {errors} {b['errors'] or ''}")
    print(
        f"    statistics             ANALYZE after (a); autovacuum off on this server: {analyzed}"
    )
    print(
        f"    serial baseline        {baseline * 1000:.1f} ms per request (one client); "
        f"p50 under load = {percentile(b['all'], 0.5) / baseline:.1f}x"
    )
    failed |= errors > 0
    if not args.skip_gateway:
        print("\n(c) the gateway under 20 concurrent library fetches (bench/gateway_load.py):")
        sys.stdout.flush()
        done = subprocess.run(
            [sys.executable, "bench/gateway_load.py", "--titles", str(args.titles),
             "--concurrency", "20"],
            cwd=ROOT, check=False,
        )  # fmt: skip
        failed |= done.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
