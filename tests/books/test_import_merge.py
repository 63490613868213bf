"""Imports merge, never regress: the demo export, a sync through the real stack, re-imports.

The sync runs against the live sandbox and gateway (tests/support/stack.py).
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.factories import BookFactory
from tests.support.stack import sample_items
from tracker_api.audible_sync.sync import run_sync
from tracker_api.books.importers import import_books
from tracker_api.books.importers.merge import merge_row
from tracker_api.books.importers.records import BookRecord
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead

DEMO = (
    Path(__file__).resolve().parents[2] / "audible_gateway/sandbox/data/demo_goodreads_export.csv"
)
RANK = {"want_to_read": 0, "did_not_finish": 0, "reading": 1, "read": 2}
D2019 = datetime(2019, 9, 1, tzinfo=UTC)
D2024 = datetime(2024, 2, 1, tzinfo=UTC)
D2025 = datetime(2025, 6, 1, tzinfo=UTC)


def run(user, path: Path):
    with path.open("rb") as handle:
        return import_books(user, handle)


def rows(user):
    books = list(Book.objects.filter(user=user).order_by("id").values())
    reads = list(BookRead.objects.filter(book__user=user).order_by("id").values())
    return books, reads


def older_export(tmp_path: Path) -> Path:
    """The demo export as it was earlier: every book one shelf back, no finish dates."""
    text = DEMO.read_text(encoding="utf-8").splitlines()
    out = [text[0]]
    for line in text[1:]:
        line = line.replace(",read (#", ",currently-reading (#").replace(
            ",read,", ",currently-reading,", 1
        )
        out.append(line)
    path = tmp_path / "older.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_import_sync_import_again_changes_nothing(listener):
    first = run(listener, DEMO)
    assert first.created > 0
    outcome = run_sync(listener, trigger="manual")
    assert outcome.status == "ok", outcome.log.error
    before = rows(listener)
    again = run(listener, DEMO)
    assert (again.created, again.updated) == (0, 0)
    assert rows(listener) == before  # whole rows: books and reads
    # The rows the sync moved on are named, not silently overwritten.
    kept = {row["title"] for row in again.kept}
    assert "The Night Circus" in kept  # to-read in the file, finished on Audible
    assert all("newer state was kept" in row["reason"] for row in again.kept)
    assert again.as_dict()["kept_count"] == len(again.kept)


@pytest.mark.django_db
def test_an_older_export_after_a_sync_regresses_nothing_and_counts_it(listener, tmp_path):
    run(listener, DEMO)
    run_sync(listener, trigger="manual")
    books_before, reads_before = rows(listener)
    older = run(listener, older_export(tmp_path))
    books_after, reads_after = rows(listener)
    after = {b["id"]: b for b in books_after}
    for book in books_before:
        now = after[book["id"]]
        assert RANK[now["status"]] >= RANK[book["status"]], book["title"]
        for name in ("started_at", "finished_at"):
            if book[name] is not None and now["status"] == book["status"]:
                assert now[name] == book[name], (book["title"], name)
    assert [r for r in reads_before if r not in reads_after] == []  # no read lost or changed
    assert older.created == 0
    assert older.updated == 0
    read_in_demo = sum(1 for line in DEMO.read_text().splitlines()[1:] if ",read," in line)
    assert len(older.kept) >= read_in_demo  # every shelf that went back is counted and named


@pytest.mark.django_db
def test_a_book_imported_as_currently_reading_gets_an_open_read_that_audible_closes(
    listener, stack
):
    run(listener, DEMO)
    red = Book.objects.get(user=listener, title="Red Rising")
    assert list(red.reads.values_list("status", "source")) == [("reading", "import")]
    run_sync(listener, trigger="manual")
    stack.state.update_progress(
        _asin("Red Rising"),
        is_finished=True,
        finished_at="2025-12-01T20:00:00Z",
    )
    run_sync(listener, trigger="manual", force=True)
    red.refresh_from_db()
    read = red.reads.get()
    assert (read.status, read.source, read.percent) == ("read", "import", 100.0)
    assert read.finished_at.isoformat().startswith("2025-12-01T20:00:00")
    assert (red.status, red.finished_at) == ("read", read.finished_at)


def _asin(title: str) -> str:
    return next(i["asin"] for i in sample_items() if i["title"].startswith(title))


def record(status, start=None, finish=None):
    return BookRecord(
        line=2, title="T", authors=["A"], source="goodreads", status=status,
        started_at=start, finished_at=finish,
    )  # fmt: skip


def read(status, start=None, finish=None, source="audible", percent=0.0):
    return BookRead(
        status=status, started_at=start, finished_at=finish, source=source, percent=percent
    )


@pytest.mark.parametrize(
    ("row", "reads", "status", "kind", "kept"),
    [
        (record("want_to_read"), [], "want_to_read", "", False),
        (record("want_to_read"), [read("read", None, D2024)], "read", "", True),
        (record("reading"), [], "want_to_read", "add", False),
        (record("reading"), [read("reading")], "reading", "", False),
        (record("reading", D2019), [read("reading")], "reading", "fill_start", False),
        (record("reading"), [read("read", None, D2024)], "read", "", True),
        (record("reading", D2025), [read("read", None, D2024)], "read", "add", False),
        (record("read", None, D2019), [], "want_to_read", "add", False),
        (record("read", None, D2019), [read("read", None, D2019, "import")], "read", "", False),
        (record("read"), [read("read", None, D2024)], "read", "", False),
        (record("read", None, D2019), [read("read")], "read", "fill_finish", False),
        (record("read", None, D2025), [read("reading", D2024)], "reading", "close", False),
        (record("read", None, D2019), [read("reading", D2024)], "reading", "add", False),
        (record("read", None, D2019), [read("reading")], "reading", "", True),
        (record("read"), [read("reading", D2024)], "reading", "", True),
        (record("read", None, D2019), [read("read", None, D2024)], "read", "add", False),
        (record("did_not_finish"), [], "want_to_read", "add", False),
        (record("did_not_finish"), [read("reading", D2024)], "reading", "", True),
    ],
)
def test_the_merge_rule(row, reads, status, kind, kept):
    change = merge_row(row, reads, status)
    assert (change.kind, bool(change.kept)) == (kind, kept)


@pytest.mark.django_db
def test_a_date_the_person_set_is_never_overwritten(alice, tmp_path):
    book = BookFactory(user=alice, title="The Martian", authors=["Andy Weir"])
    BookRead.objects.create(book=book, status="read", finished_at=D2024, percent=100.0)
    path = tmp_path / "gr.csv"
    header = DEMO.read_text().splitlines()[0]
    path.write_text(
        header
        + "\n"
        + "99,The Martian,Andy Weir,,,,,0,0,,,,,2011,2015/10/12,,,read (#1),read,,,,1,0\n"
    )
    result = run(alice, path)
    assert result.updated == 1  # the Goodreads id was empty: filled; the 2015 read added
    book.refresh_from_db()
    assert book.finished_at == D2024  # the latest read is still the person's
    assert sorted(r.finished_at.year for r in book.reads.all()) == [2015, 2024]
    assert run(alice, path).updated == 0
