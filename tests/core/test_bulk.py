"""``tracker_api.core.bulk.bulk_update``: the same rows as Django's ``bulk_update``, linearly."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.factories import BookFactory
from tests.support.factories import MappingFactory
from tests.support.factories import UserFactory
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.books.models import Book
from tracker_api.core.bulk import bulk_update

pytestmark = pytest.mark.django_db
WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def _row(book: Book) -> tuple:
    book.refresh_from_db()
    return (book.title, book.status, book.progress_percent, book.started_at, book.finished_at)


def test_it_writes_the_named_fields_of_every_object_and_nothing_else():
    user = UserFactory()
    books = [BookFactory(user=user, title=f"Book {n}", status="want_to_read") for n in range(7)]
    others = BookFactory(user=user, title="Untouched", status="want_to_read")
    for n, book in enumerate(books):
        book.status = "reading" if n % 2 else "read"
        book.progress_percent = 10.25 * n
        book.started_at = WHEN if n % 3 else None  # NULLs mixed with values in one batch
        book.finished_at = WHEN if n % 2 == 0 else None
        book.title = "not written: not a named field"
    fields = ["status", "progress_percent", "started_at", "finished_at"]
    with CaptureQueriesContext(connection) as queries:
        matched = bulk_update(books, fields, batch_size=3)
    assert matched == 7
    updates = [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 3  # batches of 3, 3 and 1
    if connection.vendor == "postgresql":  # one join to a VALUES list, no CASE per row
        assert all("FROM (VALUES" in q["sql"] and "CASE" not in q["sql"] for q in updates)
    for n, book in enumerate(books):
        assert _row(book) == (
            f"Book {n}",
            "reading" if n % 2 else "read",
            10.25 * n,
            WHEN if n % 3 else None,
            WHEN if n % 2 == 0 else None,
        )
    assert _row(others) == ("Untouched", "want_to_read", 0.0, None, None)


def test_json_booleans_and_integers_round_trip():
    mappings = [MappingFactory(item={"asin": f"B{n}"}) for n in range(3)]
    for n, mapping in enumerate(mappings):
        mapping.item = {"asin": f"B{n}", "title": 'quote " and \\ back', "n": [n, None]}
        mapping.in_library = bool(n % 2)
        mapping.last_position_ms = n * 1000 if n else None
        mapping.last_percent = 33.33
    bulk_update(mappings, ["item", "in_library", "last_position_ms", "last_percent"], batch_size=10)
    for n, mapping in enumerate(mappings):
        stored = AudibleBookMapping.objects.get(pk=mapping.pk)
        assert stored.item == {"asin": f"B{n}", "title": 'quote " and \\ back', "n": [n, None]}
        assert stored.in_library is bool(n % 2)
        assert stored.last_position_ms == (n * 1000 if n else None)
        assert stored.last_percent == 33.33


def test_the_same_result_as_djangos_bulk_update():
    user = UserFactory()
    ours = [BookFactory(user=user, title=f"A{n}") for n in range(4)]
    theirs = [BookFactory(user=user, title=f"B{n}") for n in range(4)]
    for group in (ours, theirs):
        for n, book in enumerate(group):
            book.status, book.progress_percent, book.finished_at = "read", 100.0, WHEN
            book.authors = [f"Author {n}"]
    fields = ["status", "progress_percent", "finished_at", "authors"]
    assert bulk_update(ours, fields, batch_size=500) == 4
    assert Book.objects.bulk_update(theirs, fields, batch_size=500) == 4
    shown = ("status", "progress_percent", "finished_at", "authors")
    assert [Book.objects.values(*shown).get(pk=b.pk) for b in ours] == [
        Book.objects.values(*shown).get(pk=b.pk) for b in theirs
    ]


def test_nothing_to_write_is_no_query_and_an_object_without_a_key_is_refused():
    with CaptureQueriesContext(connection) as queries:
        assert bulk_update([], ["status"], batch_size=10) == 0
    assert not queries.captured_queries
    with pytest.raises(ValueError, match="primary key"):
        bulk_update([Book(title="unsaved")], ["status"], batch_size=10)
