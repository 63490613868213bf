"""Crash safety: SIGKILL the sync command in the middle of a --titles (10,000) title sync.

Starts the sandbox (a generated library of --titles titles) and the gateway (gunicorn) as
processes, connects one person, then runs ``manage.py audible_sync --user <person> --force``
as a process and kills it with SIGKILL (kill -9) the moment it holds a write lock on the
``books`` table, i.e. inside the apply transaction. It checks the database right after the
kill (nothing of the apply written, the log row still ``running``, the lock still held),
waits out the lock's stale time, syncs again with a new process, and checks the result is
consistent and complete: every title mapped exactly once, no duplicate book, no book without
its mapping, the interrupted log marked failed, the lock released. A third sync must change
nothing. Prints each step with its time.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_hard_crash .venv/bin/python
bench/crash.py [--titles 10000]``. The database is dropped and re-created.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tracker_hard_crash"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL") or DEFAULT_DB)
    parser.add_argument("--titles", type=int, default=10_000)
    parser.add_argument("--stale-s", type=int, default=5, help="AUDIBLE_SYNC_LOCK_STALE_S")
    args = parser.parse_args()
    if not args.db.startswith("postgres"):
        raise SystemExit("bench/crash.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    from load import _django
    from load import reset_database

    reset_database(args.db)
    _django(args.db)
    from people import connected_person

    from audible_gateway.sandbox.library_gen import generate_library
    from tests.hardening.tracker.consistency import assert_consistent
    from tests.hardening.tracker.consistency import wait_for_write_lock
    from tests.hardening.tracker.live import Live
    from tests.hardening.tracker.live import write_library
    from tracker_api.audible_sync.models import AudibleBookMapping
    from tracker_api.audible_sync.models import AudibleConfig
    from tracker_api.audible_sync.models import AudibleSyncLog
    from tracker_api.books.models import Book

    def sync(live: Live, what: str) -> float:
        began = time.perf_counter()
        process = live.manage("audible_sync", "--user", "crashed", "--force")
        output = process.communicate(timeout=1800)[0]
        took = time.perf_counter() - began
        last = [line for line in output.splitlines() if line.startswith("[")]
        print(f"  {what:<28} exit {process.returncode} in {took:.1f} s: {last[-1] if last else ''}")
        if process.returncode != 0:
            print(output[-3000:])
            raise SystemExit(1)
        return took

    with tempfile.TemporaryDirectory() as tmp:
        library = write_library(Path(tmp) / "lib.json", generate_library(args.titles, seed=13))
        live = Live(db_url=args.db, log_dir=Path(tmp), library_path=library, stale_s=args.stale_s)
        live.start()
        try:
            user = connected_person("crashed", live.connect())
            print(f"crash safety, {args.titles:,} titles, PostgreSQL, gateway under gunicorn")
            began = time.perf_counter()
            command = live.manage("audible_sync", "--user", "crashed", "--force")
            if not wait_for_write_lock(args.db, timeout=900):
                print("  the sync never started writing")
                return 1
            command.kill()
            command.wait(timeout=30)
            killed_at = time.perf_counter() - began
            running = AudibleSyncLog.objects.get(user=user)
            lock = AudibleConfig.objects.get(user=user).sync_lock_token
            after_kill = (Book.objects.filter(user=user).count(),
                          AudibleBookMapping.objects.filter(user=user).count())  # fmt: skip
            print(f"  killed (SIGKILL) after      {killed_at:.1f} s, while writing books; "
                  f"exit {command.returncode}")  # fmt: skip
            print(f"  right after the kill        books {after_kill[0]}, mappings "
                  f"{after_kill[1]}, log '{running.status}', lock held: {bool(lock)}")  # fmt: skip
            ok = after_kill == (0, 0) and running.status == "running" and bool(lock)
            time.sleep(args.stale_s + 0.5)
            sync(live, "sync after restart")
            running.refresh_from_db()
            books, mappings = assert_consistent(user)
            lock = AudibleConfig.objects.get(user=user).sync_lock_token
            print(f"  interrupted log             '{running.status}': {running.error[:70]}...")
            print(f"  after the second sync       books {books}, mappings {mappings}, "
                  f"lock held: {bool(lock)}")  # fmt: skip
            sync(live, "third sync (no changes)")
            third = assert_consistent(user)
            print(f"  after the third sync        books {third[0]}, mappings {third[1]}")
            ok &= running.status == "failed" and "interrupted" in running.error
            ok &= not lock and third == (books, mappings) and mappings > 0
        finally:
            live.stop()
    print("  consistent and complete:    " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
