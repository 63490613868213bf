"""What one imported row means for a book's reads: merge, never regress (pure).

An export says where a book was on its shelf when the file was made; the tracker may know
more (the sync, the person). :func:`merge_row` compares the row's shelf and dates with the
book's reads and returns at most one read change, or why the tracker's newer state was kept:

* ``to-read``: nothing to add; a book the tracker has further along is kept.
* ``currently-reading``: an open read is the same reading (its unknown start is filled in);
  a book never started gets an open read; a book already read gets a new open read only when
  the row's start is after the tracker's last finish, else the tracker's state is kept.
* ``read``: a finished read within a few days of the row's date (or any finished read, when
  the row has no date) is the same reading; an undated finished read gets the row's date; an
  open read the row's finish comes after (by the read's known start) is closed with it; a
  finish clearly before the open read's start is an earlier reading and is added; a finish
  the open read cannot be placed against is kept out (named in the report); a book with no
  read gets a finished read; otherwise the row is another reading and is added.
* ``did-not-finish``: recorded when the book has no reads; a book with reads is kept.

Dates the tracker has are never moved or cleared; only empty ones are filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tracker_api.books import reading
from tracker_api.books.importers.records import BookRecord
from tracker_api.books.models import BookStatus
from tracker_api.books.models import ReadStatus

FILL_START = "fill_start"  # the matching read's unknown start gets the row's
FILL_FINISH = "fill_finish"  # the latest undated finished read gets the row's date
CLOSE = "close"  # the open read is finished with the row's date
ADD = "add"  # a new read (open, finished or not finished) from the row

_SHELF: dict[str, str] = {
    BookStatus.WANT_TO_READ: "want to read",
    BookStatus.READING: "currently reading",
    BookStatus.READ: "read",
    BookStatus.DID_NOT_FINISH: "did not finish",
}


@dataclass(frozen=True)
class RowChange:
    """One change to the reads (``index`` is the read it changes), or ``kept`` with why."""

    kind: str = ""
    index: int | None = None
    status: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    kept: str = ""


NOTHING = RowChange()


def merge_row(record: BookRecord, reads: Sequence, book_status: str) -> RowChange:
    """The change the row makes to ``reads`` (see the module docstring)."""
    if record.status == BookStatus.READING:
        return _reading(record, reads, book_status)
    if record.status == BookStatus.READ:
        return _read(record, reads, book_status)
    if record.status == BookStatus.DID_NOT_FINISH:
        if not reads:
            return RowChange(
                ADD, None, ReadStatus.DID_NOT_FINISH, record.started_at, record.finished_at
            )
        same = [r for r in reads if r.status == ReadStatus.DID_NOT_FINISH]
        if same and (record.finished_at is None or any(
            reading.same_reading(r.finished_at, record.finished_at) for r in same
        )):  # fmt: skip
            return NOTHING
        return _kept(record, reads, book_status)
    if book_status != BookStatus.WANT_TO_READ or reads:
        return _kept(record, reads, book_status)
    return NOTHING


def _reading(record: BookRecord, reads: Sequence, book_status: str) -> RowChange:
    start = record.started_at
    for index, read in enumerate(reads):
        if reading.is_open(read):
            if read.started_at is None and start is not None:
                return RowChange(FILL_START, index, started_at=start)
            if start is not None and read.started_at != start:
                return _kept(record, reads, book_status)
            return NOTHING
    if not reads:
        return RowChange(ADD, None, ReadStatus.READING, start)
    last = max((w for w in (reading.finish_horizon(r) or reading.when(r) for r in reads) if w),
               default=None)  # fmt: skip
    if start is not None and (last is None or start > last):
        return RowChange(ADD, None, ReadStatus.READING, start)  # a re-read the file knows of
    return _kept(record, reads, book_status)


def _read(record: BookRecord, reads: Sequence, book_status: str) -> RowChange:
    finish, start = record.finished_at, record.started_at
    done = [(i, r) for i, r in enumerate(reads) if r.status == ReadStatus.READ]
    if finish is None and done:
        return _fill_start(done[-1], start)
    for index, read in done:
        if reading.same_reading(read.finished_at, finish):
            return _fill_start((index, read), start)
    current = next(((i, r) for i, r in enumerate(reads) if reading.is_open(r)), None)
    undated = [(i, r) for i, r in done if r.finished_at is None]
    later = any(r.finished_at and finish and r.finished_at > finish for _, r in done)
    if undated and not later and current is None:
        index, read = undated[-1]
        return RowChange(FILL_FINISH, index, started_at=start, finished_at=finish)
    if current is not None:
        index, read = current
        opened = read.started_at
        if finish is not None and opened is not None and finish >= opened:
            return RowChange(CLOSE, index, started_at=None, finished_at=finish)
        if not (
            finish is not None and opened is not None and finish + reading.SAME_READING < opened
        ):
            return _kept(record, reads, book_status)
    return RowChange(ADD, None, ReadStatus.READ, start, finish)


def _fill_start(found: tuple[int, object], start: datetime | None) -> RowChange:
    index, read = found
    if start is not None and read.started_at is None:  # type: ignore[attr-defined]
        finished = read.finished_at  # type: ignore[attr-defined]
        if finished is None or start <= finished:
            return RowChange(FILL_START, index, started_at=start)
    return NOTHING


def _kept(record: BookRecord, reads: Sequence, book_status: str) -> RowChange:
    return RowChange(kept=describe_kept(record, reads, book_status))


def describe_kept(record: BookRecord, reads: Sequence, book_status: str) -> str:
    """``The tracker has it as read (finished 2025-11-01); the file says want to read.``"""
    summary = reading.summarise(reads) if reads else None
    status = summary.status if summary else book_status
    detail = ""
    if summary is not None:
        if summary.status == BookStatus.READING:
            detail = f" ({summary.progress_percent:g} %"
            detail += f", started {summary.started_at:%Y-%m-%d})" if summary.started_at else ")"
        elif summary.finished_at:
            detail = f" (finished {summary.finished_at:%Y-%m-%d})"
    said = _SHELF.get(record.status, record.status)
    dates = []
    if record.started_at:
        dates.append(f"started {record.started_at:%Y-%m-%d}")
    if record.finished_at:
        dates.append(f"finished {record.finished_at:%Y-%m-%d}")
    if dates:
        said += f" ({', '.join(dates)})"
    return (
        f"The tracker has it as {_SHELF.get(status, status)}{detail}; the file says {said}. "
        "The tracker's newer state was kept."
    )
