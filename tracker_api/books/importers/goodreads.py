"""Goodreads library export (``goodreads_library_export.csv``) rows -> book records."""

from __future__ import annotations

from tracker_api.books.credits import contributors_of
from tracker_api.books.credits import split_credits
from tracker_api.books.importers.records import DATE_CELL_LIMIT
from tracker_api.books.importers.records import ISBN_CELL_LIMIT
from tracker_api.books.importers.records import NAMES_CELL_LIMIT
from tracker_api.books.importers.records import NUMBER_CELL_LIMIT
from tracker_api.books.importers.records import TITLE_CELL_LIMIT
from tracker_api.books.importers.records import WORD_CELL_LIMIT
from tracker_api.books.importers.records import BookRecord
from tracker_api.books.importers.records import CellBudget
from tracker_api.books.importers.records import RowError
from tracker_api.books.importers.records import fill_isbns
from tracker_api.books.importers.records import parse_date
from tracker_api.books.importers.records import parse_int
from tracker_api.books.importers.records import parse_isbn_cell
from tracker_api.books.importers.records import split_names
from tracker_api.books.importers.records import split_series
from tracker_api.books.models import BookSource
from tracker_api.books.models import BookStatus

FORMAT = "goodreads"
SIGNATURE = {"Book Id", "Title", "Author", "Exclusive Shelf"}

# Every column parse_row reads, with its size budget (checked before parsing, see records).
CELL_BUDGETS = {
    "Book Id": CellBudget(32, skip=True),
    "Title": CellBudget(TITLE_CELL_LIMIT, skip=True),
    "Author": CellBudget(NAMES_CELL_LIMIT),
    "Additional Authors": CellBudget(NAMES_CELL_LIMIT),
    "ISBN": CellBudget(ISBN_CELL_LIMIT),
    "ISBN13": CellBudget(ISBN_CELL_LIMIT),
    "Exclusive Shelf": CellBudget(WORD_CELL_LIMIT),
    "Original Publication Year": CellBudget(NUMBER_CELL_LIMIT),
    "Year Published": CellBudget(NUMBER_CELL_LIMIT),
    "Number of Pages": CellBudget(NUMBER_CELL_LIMIT),
    "Date Read": CellBudget(DATE_CELL_LIMIT),
}

_SHELVES = {
    "to-read": BookStatus.WANT_TO_READ,
    "currently-reading": BookStatus.READING,
    "read": BookStatus.READ,
    # Common names people give their own exclusive "did not finish" shelf.
    "did-not-finish": BookStatus.DID_NOT_FINISH,
    "dnf": BookStatus.DID_NOT_FINISH,
    "abandoned": BookStatus.DID_NOT_FINISH,
}


def parse_row(row: dict[str, str], line: int) -> BookRecord:
    """One export row as a record; raises RowError when it cannot be a book."""
    goodreads_id = (row.get("Book Id") or "").strip()
    raw_title = (row.get("Title") or "").strip()
    if not raw_title:
        raise RowError("The row has no title.")
    if goodreads_id and not goodreads_id.isdigit():
        raise RowError(f"'{goodreads_id}' is not a Goodreads Book Id.")
    title, series, position = split_series(raw_title)
    # "Author" is the one Goodreads credits; "Additional Authors" mixes co-authors with
    # illustrators, translators and narrators, usually without saying which: contributors,
    # with the role when the name carries one ("Ann Lee (Illustrator)").
    authors, marked = split_credits(split_names(row.get("Author") or ""))
    contributors = marked + [
        entry
        for entry in contributors_of(split_names(row.get("Additional Authors") or ""))
        if entry["name"] not in authors and entry not in marked
    ]
    shelf = (row.get("Exclusive Shelf") or "").strip().lower()
    record = BookRecord(
        line=line,
        title=title,
        authors=authors,
        contributors=contributors,
        source=BookSource.GOODREADS,
        status=_SHELVES.get(shelf, BookStatus.WANT_TO_READ),
        goodreads_id=goodreads_id,
        series=series,
        series_position=position,
    )
    if shelf and shelf not in _SHELVES:
        record.note("Exclusive Shelf", f"Unknown shelf '{shelf}': imported as want to read.")
    isbn10 = parse_isbn_cell(record, "ISBN", row.get("ISBN") or "")
    isbn13 = parse_isbn_cell(record, "ISBN13", row.get("ISBN13") or "")
    # Goodreads sometimes puts a 13-digit value in the ISBN column; sort them by length.
    if len(isbn10) == 13 and not isbn13:
        isbn10, isbn13 = "", isbn10
    if len(isbn13) == 10 and not isbn10:
        isbn10, isbn13 = isbn13, ""
    fill_isbns(record, isbn10 if len(isbn10) == 10 else "", isbn13 if len(isbn13) == 13 else "")
    record.year = parse_int(
        record, "Original Publication Year", row.get("Original Publication Year") or "", -9999, 9999
    )
    if record.year is None:
        record.year = parse_int(
            record, "Year Published", row.get("Year Published") or "", -9999, 9999
        )
    record.pages = parse_int(record, "Number of Pages", row.get("Number of Pages") or "", 1, 100000)
    if record.status == BookStatus.READ:
        record.finished_at = parse_date(record, "Date Read", row.get("Date Read") or "")
    return record
