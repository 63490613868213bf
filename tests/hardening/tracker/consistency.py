"""What "consistent and complete" means after a sync, checked against the database."""

from __future__ import annotations

import time
from collections import Counter

import psycopg

from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.books.models import Book


def assert_consistent(user) -> tuple[int, int]:
    """Every title mapped once, every Audible book mapped, no duplicate book, no orphan.

    Returns (books, mappings) so callers can compare people or runs.
    """
    mappings = list(AudibleBookMapping.objects.filter(user=user).values("asin", "book_id", "item"))
    asins = Counter(m["asin"] for m in mappings)
    assert all(n == 1 for n in asins.values()), "an ASIN is mapped twice"
    books = Book.objects.filter(user=user)
    audible_books = list(books.filter(source="audible").values("id", "asin", "title"))
    mapped_book_ids = {m["book_id"] for m in mappings if m["book_id"] is not None}
    assert {b["id"] for b in audible_books} <= mapped_book_ids, "a created book has no mapping"
    assert mapped_book_ids <= set(books.values_list("id", flat=True)), "a mapping lost its book"
    by_asin = Counter(b["asin"] for b in audible_books)
    assert all(n == 1 for n in by_asin.values()), "two books were created for one ASIN"
    for m in mappings:
        assert (m["item"] or {}).get("title"), f"{m['asin']}: no item snapshot"
    applied = AudibleSyncLog.objects.filter(user=user, status__in=("ok", "partial"))
    assert applied.exists(), "no sync was applied"
    history = AudibleProgressHistory.objects.filter(user=user)
    assert history.values("mapping_id", "sync_log_id").distinct().count() == history.count()
    return books.count(), len(mappings)


def wait_for_write_lock(db_url: str, *, timeout: float, table: str = "books") -> bool:
    """Poll until another backend holds a write lock on ``table`` (an apply is writing)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(db_url.replace("postgres://", "postgresql://"), autocommit=True) as c:
        while time.monotonic() < deadline:
            row = c.execute(
                "SELECT 1 FROM pg_locks l JOIN pg_class r ON r.oid = l.relation "
                "WHERE r.relname = %s AND l.mode = 'RowExclusiveLock' "
                "AND l.pid <> pg_backend_pid() LIMIT 1",
                (table,),
            ).fetchone()
            if row:
                return True
            time.sleep(0.005)
    return False
