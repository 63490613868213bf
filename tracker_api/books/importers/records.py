"""What a format parser produces: one book record per row, plus row-level and field-level notes."""

from __future__ import annotations

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


# "Title (Series, #2)", "Title (Series #2.5)", "Box Set (Series, #1-3)", "T (A, #1; B, #4)".
# Read by scanning the string, not by a regular expression: the pattern this replaces
# (``^(.*?)\s*\(([^()]*#[^()]*)\)\s*$``) backtracked quadratically on "x(" followed by many
# "#" (20,000 characters took 2 s). Each step below is one pass over the text (rfind, split,
# strip), so the work is linear in the length whatever the text holds.
_POSITION_CHARS = frozenset("0123456789.-\u2013")


def _series_part(first: str) -> tuple[str, str] | None:
    """``"The Hunger Games, #2"`` -> ``("The Hunger Games", "2")``; None when it is not one.

    The position follows the last ``#``: a digit, then digits, dots and dashes only.
    """
    series, hash_sign, position = first.rpartition("#")
    if not hash_sign:
        return None
    position = position.strip()
    if not position or position[0] not in "0123456789" or not _POSITION_CHARS.issuperset(position):
        return None
    series = series.rstrip().removesuffix(",").strip()
    return (series, position) if series else None


def split_series(raw_title: str) -> tuple[str, str, str]:
    """``"Catching Fire (The Hunger Games, #2)"`` -> ``("Catching Fire", "The Hunger Games", "2")``.

    Titles without a series suffix come back unchanged with empty series and position. When a
    book is in several series the first one named wins. Linear time (see above).
    """
    title = " ".join(raw_title.split())
    if not title.endswith(")"):
        return title, "", ""
    opening = title.rfind("(")
    inside = title[opening + 1 : -1]
    head = title[:opening].rstrip()
    if opening == -1 or not head or ")" in inside or "#" not in inside:
        return title, "", ""
    part = _series_part(inside.split(";")[0].strip())
    if part is None:
        return title, "", ""
    return head, part[0], part[1]


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
# The API's limits on a book's authors (``BookSerializer``): at most 50 names of 300 characters.
AUTHOR_LIMIT = 300
AUTHORS_LIMIT = 50

# Budgets for the raw cells a parser reads, checked BEFORE any parsing so no parser ever sees
# more than this many characters of one field (the CSV reader's own cap is 1 MiB per field).
# A title may carry its series suffix, so its cell may be longer than the title column.
TITLE_CELL_LIMIT = 2 * TITLE_LIMIT
NAMES_CELL_LIMIT = AUTHORS_LIMIT * (AUTHOR_LIMIT + 2)
ISBN_CELL_LIMIT = 64
WORD_CELL_LIMIT = 100  # a shelf or status name
NUMBER_CELL_LIMIT = 32
DATE_CELL_LIMIT = 64
DATES_CELL_LIMIT = 4096  # StoryGraph's list of read ranges, one per re-read


@dataclass(frozen=True)
class CellBudget:
    """At most ``limit`` characters; ``skip``: a longer cell skips the row (it cannot be the
    book then), otherwise the cell is read as empty with a note."""

    limit: int
    skip: bool = False


def bound_cells(
    row: dict[str, str], budgets: dict[str, CellBudget]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """``row`` with every over-budget cell emptied, and the notes saying so; RowError for an
    over-budget cell that decides the row. Only ``len()`` is taken: no parsing happens here."""
    bounded = dict(row)
    notes: list[tuple[str, str]] = []
    for column, budget in budgets.items():
        value = row.get(column) or ""
        if len(value) <= budget.limit:
            continue
        if budget.skip:
            raise RowError(f"The {column} field is too long (over {budget.limit} characters).")
        bounded[column] = ""
        notes.append((column, f"Longer than {budget.limit} characters. The field was left empty."))
    return bounded, notes


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
    names = [name for name in record.authors if len(name) <= AUTHOR_LIMIT]
    if len(names) < len(record.authors):
        record.note("authors", f"A name longer than {AUTHOR_LIMIT} characters was left out.")
    if len(names) > AUTHORS_LIMIT:
        record.note("authors", f"Only the first {AUTHORS_LIMIT} names were kept.")
        names = names[:AUTHORS_LIMIT]
    record.authors = names
