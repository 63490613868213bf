"""One parsed Audible item: parsed once, and book creation, conflicts and the admin read the
same fields (release year, first series, people, ISBN) from it."""

from __future__ import annotations

import pytest

from tracker_api.audible_sync.items import AudibleItem
from tracker_api.audible_sync.items import book_from_item
from tracker_api.audible_sync.items import catalog_entry
from tracker_api.audible_sync.items import work_of
from tracker_api.audible_sync.presentation import field_rows

ITEM = {
    "asin": "B0PARSE001",
    "title": "The Salt Harbour",
    "subtitle": "Lantern Saga, Book 2",
    "authors": ["Ada Moss", "Nel Brun - translator"],
    "narrators": ["Oda Fenwick"],
    "series": [{"title": "Lantern Saga", "sequence": "2"}, {"title": "Other", "sequence": "9"}],
    "isbn": "978-0-439-02348-1",
    "language": "english",
    "release_date": "2019-03-04",
    "format_type": "unabridged",
    "status": "Active",
    "progress": {"percent": 12.5, "is_finished": False},
}


def test_an_item_is_parsed_once_into_work_and_progress():
    parsed = AudibleItem.parse(ITEM)
    assert parsed.asin == "B0PARSE001"
    assert (parsed.work.year, parsed.work.series[0]) == (2019, ("Lantern Saga", "2"))
    assert parsed.observed.percent == 12.5
    assert parsed.data is ITEM  # what is stored is the item as it came


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"asin": ""}, "no ASIN", id="no-asin"),
        pytest.param({"title": "  "}, "no title", id="no-title"),
        pytest.param({"status": "Lost"}, "unknown status", id="unknown-status"),
        pytest.param({"progress": {"percent": 250}}, "outside", id="percent-out-of-range"),
    ],
)
def test_an_unusable_item_is_refused_with_a_reason(change, message):
    with pytest.raises(ValueError, match=message):
        AudibleItem.parse({**ITEM, **change})


def test_a_book_created_from_an_item_keeps_the_asin_and_credits_apart():
    book = book_from_item(1, AudibleItem.parse(ITEM).work)
    assert (book.asin, book.source) == ("B0PARSE001", "audible")
    assert book.authors == ["Ada Moss"]
    assert book.contributors == [
        {"name": "Nel Brun", "role": "translator"},
        {"name": "Oda Fenwick", "role": "narrator"},
    ]
    assert (book.isbn10, book.isbn13) == ("0439023483", "9780439023481")
    assert (book.series, book.series_position, book.year) == ("Lantern Saga", "2", 2019)
    entry = catalog_entry("new:B0PARSE001", book)
    assert (entry.id, entry.asin, entry.contributors[-1]) == (
        "new:B0PARSE001",
        "B0PARSE001",
        ("Oda Fenwick", "narrator"),
    )


def test_the_admin_rows_read_the_same_parse():
    rows = {row.label: row.audible for row in field_rows(ITEM, None, {})}
    assert (rows["Year"], rows["Series"], rows["Series position"]) == ("2019", "Lantern Saga", "2")
    assert rows["Narrators"] == "Oda Fenwick"


def test_an_odd_stored_snapshot_reads_as_absent_fields():
    work = work_of({"asin": "B0ODD", "title": "T", "authors": 5, "series": "x", "isbn": None})
    assert (work.authors, work.series, work.isbn, work.year) == ((), (), None, None)
