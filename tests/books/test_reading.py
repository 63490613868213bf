"""reading.py: the book's status, percent and dates derived from its reads, in one place."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from tests.support.factories import BookFactory
from tracker_api.audible_sync.reads_rule import ReadView
from tracker_api.books import reading
from tracker_api.books.models import BookRead

JAN = datetime(2024, 1, 10, tzinfo=UTC)
MAR = datetime(2024, 3, 5, tzinfo=UTC)
JUN = datetime(2024, 6, 1, tzinfo=UTC)


def view(status, start=None, finish=None, percent=0.0, source="audible", pk=None):
    return ReadView(status, start, finish, percent, source, pk)


@pytest.mark.parametrize(
    ("reads", "expected"),
    [
        ([], ("want_to_read", 0.0, None, None)),
        ([view("reading", JAN, None, 40.0)], ("reading", 40.0, JAN, None)),
        ([view("read", JAN, MAR, 100.0)], ("read", 100.0, JAN, MAR)),
        ([view("did_not_finish", JAN, MAR, 12.0)], ("did_not_finish", 12.0, JAN, MAR)),
        # a re-read in progress: the open read is current, the earlier read keeps its dates
        ([view("read", JAN, MAR, 100.0), view("reading", JUN, None, 5.0)],
         ("reading", 5.0, JUN, None)),
        # an old read imported after a recent one does not become current
        ([view("read", None, JUN, 100.0, pk=1), view("did_not_finish", JAN, MAR, 30.0, pk=2)],
         ("read", 100.0, None, JUN)),
        # undated reads are the oldest
        ([view("read", None, MAR, 100.0, pk=1), view("did_not_finish", pk=2)],
         ("read", 100.0, None, MAR)),
    ],
)  # fmt: skip
def test_summarise(reads, expected):
    assert tuple(reading.summarise(reads).as_fields().values()) == expected


def test_an_imported_finish_covers_its_whole_day():
    imported = view("read", None, MAR, 100.0, source="import")
    synced = view("read", None, MAR, 100.0, source="audible")
    assert reading.last_finish([imported]) > MAR
    assert reading.last_finish([synced]) == MAR


def test_overlapping_reads_are_found():
    assert reading.overlapping([view("read", JAN, MAR), view("reading", JUN)]) == []
    assert len(reading.overlapping([view("read", JAN, JUN), view("read", MAR, JUN + (JUN - MAR))]))
    assert len(reading.overlapping([view("reading", JAN), view("reading", JUN)])) == 1


@pytest.mark.django_db
def test_the_books_api_edits_go_to_the_reads(api, alice):
    created = api.post("/api/books", {"title": "Dune", "status": "reading"}, format="json")
    assert created.status_code == 201, created.json()
    book_id = created.json()["id"]
    assert list(BookRead.objects.filter(book_id=book_id).values_list("status", "source")) == [
        ("reading", "manual")
    ]
    api.patch(f"/api/books/{book_id}", {"progress_percent": 42.0}, format="json")
    assert BookRead.objects.get(book_id=book_id).percent == 42.0
    done = api.patch(f"/api/books/{book_id}", {"status": "read"}, format="json").json()
    assert (done["status"], done["progress_percent"]) == ("read", 100.0)
    read = BookRead.objects.get(book_id=book_id)
    assert (read.status, read.finished_at is not None) == ("read", True)
    again = api.patch(f"/api/books/{book_id}", {"status": "reading"}, format="json").json()
    assert (again["status"], again["finished_at"]) == ("reading", None)
    wish = api.patch(f"/api/books/{book_id}", {"status": "want_to_read"}, format="json").json()
    assert wish["status"] == "want_to_read"
    # nothing recorded is lost: the finished read and the stopped re-read are both kept
    assert sorted(BookRead.objects.filter(book_id=book_id).values_list("status", flat=True)) == [
        "did_not_finish",
        "read",
    ]


@pytest.mark.django_db
def test_refresh_book_puts_the_reads_summary_on_the_book(alice):
    book = BookFactory(user=alice, status="want_to_read")
    BookRead.objects.create(book=book, status="read", finished_at=MAR, percent=100.0)
    assert set(reading.refresh_book(book)) == {"status", "progress_percent", "finished_at"}
    book.refresh_from_db()
    assert (book.status, book.finished_at) == ("read", MAR)
    assert reading.refresh_book(book) == []
