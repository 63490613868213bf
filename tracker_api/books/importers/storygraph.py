"""StoryGraph export rows -> book records. StoryGraph has no stable book id."""

from __future__ import annotations

import re

from tracker_api.books.credits import contributors_of
from tracker_api.books.credits import split_credits
from tracker_api.books.importers.records import DATE_CELL_LIMIT
from tracker_api.books.importers.records import DATES_CELL_LIMIT
from tracker_api.books.importers.records import ISBN_CELL_LIMIT
from tracker_api.books.importers.records import NAMES_CELL_LIMIT
from tracker_api.books.importers.records import TITLE_CELL_LIMIT
from tracker_api.books.importers.records import WORD_CELL_LIMIT
from tracker_api.books.importers.records import BookRecord
from tracker_api.books.importers.records import CellBudget
from tracker_api.books.importers.records import RowError
from tracker_api.books.importers.records import fill_isbns
from tracker_api.books.importers.records import parse_date
from tracker_api.books.importers.records import parse_isbn_cell
from tracker_api.books.importers.records import split_names
from tracker_api.books.importers.records import split_series
from tracker_api.books.models import BookSource
from tracker_api.books.models import BookStatus

FORMAT = "storygraph"
SIGNATURE = {"Title", "Authors", "ISBN/UID", "Read Status"}

# Every column parse_row reads, with its size budget (checked before parsing, see records).
CELL_BUDGETS = {
    "Title": CellBudget(TITLE_CELL_LIMIT, skip=True),
    "Authors": CellBudget(NAMES_CELL_LIMIT),
    "Contributors": CellBudget(NAMES_CELL_LIMIT),
    "ISBN/UID": CellBudget(ISBN_CELL_LIMIT),
    "Read Status": CellBudget(WORD_CELL_LIMIT),
    "Dates Read": CellBudget(DATES_CELL_LIMIT),
    "Last Date Read": CellBudget(DATE_CELL_LIMIT),
}

_STATUSES = {
    "to-read": BookStatus.WANT_TO_READ,
    "currently-reading": BookStatus.READING,
    "read": BookStatus.READ,
    "did-not-finish": BookStatus.DID_NOT_FINISH,
    "paused": BookStatus.READING,
}
_LOOKS_LIKE_ISBN = re.compile(r"^[0-9][0-9\- ]{8,15}[0-9Xx]$")


def _last_read_range(raw: str) -> tuple[str, str]:
    """``"2021/01/02-2021/02/03, 2023/05/01-2023/05/20"`` -> the last (start, end) pair."""
    ranges = [part.strip() for part in (raw or "").split(",") if part.strip()]
    if not ranges:
        return "", ""
    last = ranges[-1]
    if "-" in last and "/" in last:
        start, _, end = last.partition("-")
        return start.strip(), end.strip()
    return "", last


def parse_row(row: dict[str, str], line: int) -> BookRecord:
    """One export row as a record; raises RowError when it cannot be a book."""
    raw_title = (row.get("Title") or "").strip()
    if not raw_title:
        raise RowError("The row has no title.")
    title, series, position = split_series(raw_title)
    status_word = (row.get("Read Status") or "").strip().lower()
    authors, marked = split_credits(split_names(row.get("Authors") or ""))
    contributors = marked + [
        entry
        for entry in contributors_of(split_names(row.get("Contributors") or ""))
        if entry["name"] not in authors and entry not in marked
    ]
    record = BookRecord(
        line=line,
        title=title,
        authors=authors,
        contributors=contributors,
        source=BookSource.STORYGRAPH,
        status=_STATUSES.get(status_word, BookStatus.WANT_TO_READ),
        series=series,
        series_position=position,
    )
    if status_word and status_word not in _STATUSES:
        record.note("Read Status", f"Unknown status '{status_word}': imported as want to read.")
    uid = (row.get("ISBN/UID") or "").strip()
    if _LOOKS_LIKE_ISBN.match(uid):  # otherwise a StoryGraph-internal id: not an ISBN at all
        value = parse_isbn_cell(record, "ISBN/UID", uid)
        fill_isbns(record, value if len(value) == 10 else "", value if len(value) == 13 else "")
    start, end = _last_read_range(row.get("Dates Read") or "")
    if record.status in {BookStatus.READ, BookStatus.READING, BookStatus.DID_NOT_FINISH}:
        record.started_at = parse_date(record, "Dates Read", start)
    if record.status in {BookStatus.READ, BookStatus.DID_NOT_FINISH}:
        record.finished_at = parse_date(
            record, "Last Date Read", (row.get("Last Date Read") or "").strip() or end
        )
    return record
