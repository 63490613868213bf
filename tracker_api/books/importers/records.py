"""What a format parser produces: one book record per row, plus row-level and field-level notes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from django.utils import timezone

from tracker_api.books.isbn import InvalidIsbn
from tracker_api.books.isbn import clean_isbn
from tracker_api.books.isbn import complete_pair


class RowError(ValueError):
    """The row cannot become a book; the message says why, for people."""


@dataclass
class BookRecord:
    """A book as read from one row; empty strings / None mean "the file does not say"."""

    line: int
    title: str
    authors: list[str]
    source: str
    status: str
    goodreads_id: str = ""
    subtitle: str = ""
    # Others credited, not as authors: [{"name", "role"}] (tracker_api.books.credits).
    contributors: list[dict[str, str]] = field(default_factory=list)
    isbn10: str = ""
    isbn13: str = ""
    series: str = ""
    series_position: str = ""
    year: int | None = None
    pages: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)

    def note(self, field_name: str, reason: str) -> None:
        self.notes.append((field_name, reason))


# "Title (Series, #2)", "Title (Series #2.5)", "Box Set (Series, #1-3)", "T (A, #1; B, #4)"
_SERIES_SUFFIX = re.compile(r"^(?P<title>.*?)\s*\((?P<inside>[^()]*#[^()]*)\)\s*$")
_SERIES_PART = re.compile(r"^(?P<series>.*?),?\s*#\s*(?P<position>[0-9][0-9.\-\u2013]*)\s*$")


def split_series(raw_title: str) -> tuple[str, str, str]:
    """``"Catching Fire (The Hunger Games, #2)"`` -> ``("Catching Fire", "The Hunger Games", "2")``.

    Titles without a series suffix come back unchanged with empty series and position. When a
    book is in several series the first one named wins.
    """
    title = " ".join(raw_title.split())
    match = _SERIES_SUFFIX.match(title)
    if not match or not match.group("title"):
        return title, "", ""
    first = match.group("inside").split(";")[0].strip()
    part = _SERIES_PART.match(first)
    if not part or not part.group("series").strip():
        return title, "", ""
    return match.group("title").strip(), part.group("series").strip(), part.group("position")


def split_names(raw: str) -> list[str]:
    """``"A, B , ,C"`` -> ``["A", "B", "C"]`` (whitespace inside names collapsed)."""
    return [" ".join(name.split()) for name in (raw or "").split(",") if name.strip()]


def parse_isbn_cell(record: BookRecord, column: str, raw: str, kind: str | None = None) -> str:
    """A cleaned ISBN, or ``""`` with a note on the record when the cell holds a bad one."""
    value = (raw or "").strip()
    if value.startswith("="):  # Goodreads writes ="0439023483" to stop spreadsheets eating zeros
        value = value[1:]
    value = value.strip().strip('"').strip()
    if not value:
        return ""
    try:
        return clean_isbn(value, kind)
    except InvalidIsbn as exc:
        record.note(column, f"{exc} The field was left empty.")
        return ""


def fill_isbns(record: BookRecord, isbn10: str, isbn13: str) -> None:
    record.isbn10, record.isbn13 = complete_pair(isbn10, isbn13)


def parse_int(record: BookRecord, column: str, raw: str, low: int, high: int) -> int | None:
    value = (raw or "").strip()
    if not value:
        return None
    try:
        number = int(float(value)) if "." in value else int(value)
    except ValueError:
        record.note(column, f"'{value}' is not a whole number. The field was left empty.")
        return None
    if not low <= number <= high:
        record.note(column, f"{number} is out of range. The field was left empty.")
        return None
    return number


_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%Y/%m", "%Y-%m", "%Y")


def parse_date(record: BookRecord, column: str, raw: str) -> datetime | None:
    """A date cell as an aware datetime at midnight of the configured time zone."""
    value = (raw or "").strip()
    if not value:
        return None
    for fmt in _DATE_FORMATS:
        try:
            naive = datetime.strptime(value, fmt)  # noqa: DTZ007 (made aware just below)
        except ValueError:
            continue
        return timezone.make_aware(naive)
    record.note(column, f"'{value}' is not a date. The field was left empty.")
    return None


# Text columns of ``books`` and their lengths: a longer value would make the database refuse
# the whole batch (PostgreSQL checks varchar lengths), so it is dealt with per row here.
_LIMITS = {"goodreads_id": 32, "series": 300, "series_position": 20}
TITLE_LIMIT = 500


def enforce_lengths(record: BookRecord) -> None:
    """Skip a row whose title is too long (RowError); leave other over-long fields empty with
    a note, as a bad ISBN is. An over-long Goodreads id is not an id: the row is skipped."""
    if len(record.title) > TITLE_LIMIT:
        raise RowError(f"The title is longer than {TITLE_LIMIT} characters.")
    if len(record.goodreads_id) > _LIMITS["goodreads_id"]:
        raise RowError("The Book Id is too long to be a Goodreads Book Id.")
    for name in ("series", "series_position"):
        if len(getattr(record, name)) > _LIMITS[name]:
            record.note(name, f"Longer than {_LIMITS[name]} characters. The field was left empty.")
            setattr(record, name, "")
