"""Reads are the record: a book's status, percent and dates follow from its reads, here only.

Every book that is being read or has been read has reads (``BookRead``): one per reading, with
its start (or unknown), its finish (or none while open), its percent and who recorded it. The
sync, the importer, the books API and the admin change reads and then call :func:`summarise` /
:func:`refresh_book`, so the book's ``status``, ``progress_percent``, ``started_at`` and
``finished_at`` can never disagree with its reads:

* an open read (status ``reading``; at most one per book, the database enforces it) makes the
  book ``reading`` with that read's percent and start, and no finish date;
* otherwise the latest closed read decides: ``read`` (100 %) or ``did_not_finish`` (its
  percent), with that read's dates;
* a book without reads is ``want_to_read``.

The one status not derived is a person's own ``want_to_read`` on a book they have read before
(they want to read it again): their earlier reads stay, and the next change to the reads
derives the status again.

Reads are ordered by when they happened (finish, else start; unknown dates first, then the
order they were recorded), so an old read imported after a recent one does not become current.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import Protocol
from typing import TypeVar

from django.utils import timezone

from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.books.models import BookStatus
from tracker_api.books.models import ReadSource
from tracker_api.books.models import ReadStatus

BOOK_FIELDS = ("status", "progress_percent", "started_at", "finished_at")
# Two finishes this close together are one reading logged twice (a person often marks a book
# read on Goodreads a day or two after Audible saw the finish; imported dates are whole days).
SAME_READING = timedelta(days=3)
_EARLIEST = datetime.min.replace(tzinfo=UTC)


class ReadLike(Protocol):
    """A read as the rules see it: a ``BookRead`` or a read-only view of one (``ReadView``)."""

    @property
    def status(self) -> str: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def finished_at(self) -> datetime | None: ...
    @property
    def percent(self) -> float: ...
    @property
    def source(self) -> str: ...


# The functions that pick reads return the kind of read they were given.
R = TypeVar("R", bound=ReadLike)


class ShownLike(Protocol):
    """What a book shows of its reading: a ``Book`` or the sync's ``BookState``."""

    @property
    def progress_percent(self) -> float: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def finished_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Summary:
    """What the book shows, derived from its reads."""

    status: str
    progress_percent: float
    started_at: datetime | None
    finished_at: datetime | None

    def as_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in BOOK_FIELDS}


def is_open(read: ReadLike) -> bool:
    return read.status == ReadStatus.READING


def when(read: ReadLike) -> datetime | None:
    """When a read happened, as far as we know: its finish, else its start."""
    return read.finished_at or read.started_at


def _order(read: Any) -> tuple:
    pk = getattr(read, "pk", None)
    return (when(read) or _EARLIEST, pk is None, pk or 0)


def in_order(reads: Iterable[R]) -> list[R]:
    """Closed reads oldest first, the open read (if any) last."""
    closed = sorted((r for r in reads if not is_open(r)), key=_order)
    return closed + [r for r in reads if is_open(r)]


def open_read(reads: Iterable[R]) -> R | None:
    return next((r for r in reads if is_open(r)), None)


def finished_reads(reads: Iterable[R]) -> list[R]:
    return sorted((r for r in reads if r.status == ReadStatus.READ), key=_order)


def finish_horizon(read: ReadLike) -> datetime | None:
    """The latest moment the read's finish can mean: an imported date is a whole day (midnight
    of the day it names), so it covers that day until its end."""
    if read.finished_at is None:
        return None
    if read.source == ReadSource.IMPORT:
        return read.finished_at + timedelta(days=1)
    return read.finished_at


def last_finish(reads: Iterable[ReadLike]) -> datetime | None:
    """The tracker's last finish: the latest finish horizon of its finished reads."""
    horizons = [h for h in (finish_horizon(r) for r in reads if r.status == "read") if h]
    return max(horizons) if horizons else None


def same_reading(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= SAME_READING


def summarise(reads: Sequence[ReadLike], stored: ShownLike | None = None) -> Summary:
    """The book's status, percent and dates as its reads say (see the module docstring).

    ``stored``: the book as it is, whose own percent and dates are kept when it has no reads.
    """
    current = open_read(reads)
    if current is not None:
        return Summary(BookStatus.READING, float(current.percent), current.started_at, None)
    closed = in_order(reads)
    if not closed:
        return Summary(
            BookStatus.WANT_TO_READ,
            float(stored.progress_percent) if stored is not None else 0.0,
            stored.started_at if stored is not None else None,
            stored.finished_at if stored is not None else None,
        )
    latest = closed[-1]
    percent = 100.0 if latest.status == ReadStatus.READ else float(latest.percent)
    return Summary(str(latest.status), percent, latest.started_at, latest.finished_at)


def book_changes(book: Book, reads: Sequence[ReadLike]) -> dict[str, Any]:
    """The book fields that differ from what its reads say (empty: consistent)."""
    summary = summarise(reads, book)
    return {
        name: value for name, value in summary.as_fields().items() if getattr(book, name) != value
    }


def refresh_book(
    book: Book, reads: Sequence[ReadLike] | None = None, *, save: bool = True
) -> list[str]:
    """Put the reads' summary on ``book``; returns the names of the fields that changed."""
    if reads is None:
        reads = list(book.reads.all())
    changes = book_changes(book, reads)
    for name, value in changes.items():
        setattr(book, name, value)
    if changes and save:
        book.save(update_fields=[*changes, "updated_at"])
    return list(changes)


def overlapping(reads: Sequence[ReadLike]) -> list[tuple[ReadLike, ReadLike]]:
    """Pairs of reads of one book whose known spans overlap (more than one open read is an
    overlap too). Reads with unknown dates cannot be placed and overlap nothing."""
    pairs = []
    opened = [r for r in reads if is_open(r)]
    pairs += [(a, b) for i, a in enumerate(opened) for b in opened[i + 1 :]]
    spans = []
    for read in reads:
        start = read.started_at or read.finished_at
        if start is None:
            continue
        end = read.finished_at if not is_open(read) else None
        spans.append((start, end, read))
    for i, (s1, e1, r1) in enumerate(spans):
        for s2, e2, r2 in spans[i + 1 :]:
            if is_open(r1) and is_open(r2):
                continue  # counted above
            if (e1 is None or s2 < e1) and (e2 is None or s1 < e2):
                pairs.append((r1, r2))
    return pairs


# --- what a person does to a book (the books API and the admin) ---------------------------------


def reads_for_new_book(book: Book, *, source: str = ReadSource.MANUAL) -> list[BookRead]:
    """The read a book created with a status other than want-to-read implies (unsaved)."""
    if book.status == BookStatus.WANT_TO_READ:
        return []
    return [
        BookRead(
            book=book,
            status=book.status,
            started_at=book.started_at,
            finished_at=None if book.status == BookStatus.READING else book.finished_at,
            percent=100.0 if book.status == BookStatus.READ else float(book.progress_percent),
            source=source,
        )
    ]


def implied_reads(book: Book, reads: Sequence[ReadLike]) -> list[BookRead]:
    """Reads a book's status implies but that are missing (unsaved): an open read for a
    ``reading`` book without one, a finished read for a ``read`` book without one, a
    ``did_not_finish`` read for such a book without any read. Empty for a consistent book."""
    if book.status == BookStatus.READING and open_read(reads) is None:
        return reads_for_new_book(book, source=_source_of(book))
    if book.status == BookStatus.READ and not finished_reads(reads) and open_read(reads) is None:
        return reads_for_new_book(book, source=_source_of(book))
    if book.status == BookStatus.DID_NOT_FINISH and not reads:
        return reads_for_new_book(book, source=_source_of(book))
    return []


def _source_of(book: Book) -> str:
    return {
        "goodreads": ReadSource.IMPORT,
        "storygraph": ReadSource.IMPORT,
        "audible": ReadSource.AUDIBLE,
    }.get(str(book.source), ReadSource.MANUAL)


def person_edit(
    book: Book, changes: dict[str, Any], *, now: datetime | None = None
) -> dict[str, Any]:
    """Apply a person's edit of status / percent / dates to the book's reads, then the book.

    A person may do what the sync and imports never do: move a status back. ``reading`` opens
    a read (unless one is open), ``read`` finishes the open read (or records a finished one),
    ``did_not_finish`` closes the open read as not finished (or records one), ``want_to_read``
    closes an open read as not finished and keeps the earlier reads. A percent or a date
    without a status change goes on the current read. Returns the book fields written.
    Call inside a transaction; ``book`` is saved.
    """
    now = now or timezone.now()
    reads = list(book.reads.all())
    current = open_read(reads)
    status = changes.get("status", book.status)
    dirty: list[BookRead] = []
    created: list[BookRead] = []
    wish = False
    if "status" in changes and status != book.status:
        if status == BookStatus.READING:
            if current is None:
                current = BookRead(book=book, status=ReadStatus.READING, source=ReadSource.MANUAL)
                current.started_at = changes.get("started_at", now)
                current.percent = float(changes.get("progress_percent", 0.0))
                created.append(current)
        elif status in (BookStatus.READ, BookStatus.DID_NOT_FINISH):
            target = current or BookRead(book=book, source=ReadSource.MANUAL)
            target.status = status
            target.finished_at = changes.get("finished_at", now)
            if "started_at" in changes:
                target.started_at = changes["started_at"]
            if status == BookStatus.READ:
                target.percent = 100.0
            elif "progress_percent" in changes:
                target.percent = float(changes["progress_percent"])
            (dirty if target.pk else created).append(target)
        else:  # want_to_read: the reading stops, nothing recorded is lost
            wish = True
            if current is not None:
                current.status = ReadStatus.DID_NOT_FINISH
                dirty.append(current)
    else:
        edited = current or (in_order(reads)[-1] if reads else None)
        if edited is not None:
            for name, field in (("started_at", "started_at"), ("finished_at", "finished_at")):
                if name in changes and not (field == "finished_at" and is_open(edited)):
                    setattr(edited, field, changes[name])
            if "progress_percent" in changes and edited.status != ReadStatus.READ:
                edited.percent = float(changes["progress_percent"])
            dirty.append(edited)
    for read in dirty:
        read.save()
    for read in created:
        read.save()
    reads = list(book.reads.all())
    written: dict[str, Any] = {}
    if reads and not wish:
        written = book_changes(book, reads)
    else:
        written = {name: changes[name] for name in BOOK_FIELDS if name in changes}
        written["status"] = status
    for name, value in written.items():
        setattr(book, name, value)
    book.save()
    return written


# --- a person's own reads (the reads API) -------------------------------------------------------

READ_FIELDS = ("status", "started_at", "finished_at", "percent")


def completed_read_values(
    values: dict[str, Any], current: ReadLike | None = None, *, now: datetime | None = None
) -> dict[str, Any]:
    """``values`` (a new read's, or the changed ones of ``current``) with what the status
    implies: a finished read is at 100 % and has a finish (now, unless given); a closed read
    has a finish (now, unless given); an open read has none."""
    now = now or timezone.now()
    merged: dict[str, Any] = {
        "status": ReadStatus.READING,
        "started_at": None,
        "finished_at": None,
        "percent": 0.0,
    }
    if current is not None:
        merged.update({name: getattr(current, name) for name in READ_FIELDS})
    merged.update(values)
    if merged["status"] == ReadStatus.READ:
        merged["percent"] = 100.0
    if merged["status"] != ReadStatus.READING and merged["finished_at"] is None:
        merged["finished_at"] = now
    return merged


def read_problems(
    book: Book, merged: dict[str, Any], *, read_pk: int | None = None
) -> dict[str, list[str]]:
    """Why a read with these values cannot be stored on ``book`` (empty: it can)."""
    problems: dict[str, list[str]] = {}
    if merged["status"] == ReadStatus.READING and merged["finished_at"] is not None:
        problems["finished_at"] = ["A read in progress has no finish; close it with a status."]
    started, finished = merged["started_at"], merged["finished_at"]
    if started is not None and finished is not None and finished < started:
        problems["finished_at"] = ["A read cannot be finished before it was started."]
    if merged["status"] == ReadStatus.READING:
        others = BookRead.objects.filter(book=book, status=ReadStatus.READING)
        if read_pk is not None:
            others = others.exclude(pk=read_pk)
        if others.exists():
            problems["status"] = [
                "This book already has a read in progress; finish or delete it first."
            ]
    return problems


def save_read(book: Book, read: BookRead | None, merged: dict[str, Any]) -> BookRead:
    """Store a read by hand (new when ``read`` is None), then derive the book from its reads
    with the same rule the sync uses (:func:`refresh_book`). Call inside a transaction."""
    if read is None:
        read = BookRead(book=book, source=ReadSource.MANUAL)
    for name in READ_FIELDS:
        setattr(read, name, merged[name])
    read.save()
    refresh_book(book)
    return read


def delete_read(read: BookRead) -> Book:
    """Delete a read and derive its book again. With no read left the book is want-to-read
    at 0 % with no dates (what it showed came from the deleted read)."""
    book = read.book
    read.delete()
    reads = list(book.reads.all())
    if reads:
        refresh_book(book, reads)
        return book
    fields = summarise([], None).as_fields()
    changed = [name for name, value in fields.items() if getattr(book, name) != value]
    for name in changed:
        setattr(book, name, fields[name])
    if changed:
        book.save(update_fields=[*changed, "updated_at"])
    return book
