"""What one Audible progress report means for a book's reads: the re-read rule, pure.

:func:`decide` takes the book's reads (as :class:`ReadView`) and what Audible reports, and
returns the kind of change and at most one :class:`ReadAction`. ``progress.plan_progress``
builds the report, and ``tracker_api.books.reading`` derives the book's status from the reads
the action leaves. docs/sync.md has the rule as a timeline table:

* Audible reports listening (percent > 0, not finished):
  - an open read moves up to that percent (never down: a step back is history only);
  - a book never read (no finished read) gets an open read, except a did-not-finish book whose
    percent did not grow, or whose listening is not newer than the moment the person (or an
    import) closed it as not finished (that listening was part of the reading they gave up);
  - a book already read gets a **re-read** (a new open read at that percent, started at
    Audible's position date) when Audible's listening is newer than the tracker's last finish,
    or the tracker has no finish date; when the person's last finish is as new or newer (they
    finished it another way), or the listening cannot be dated, it stays read: history only.
* Audible reports finished: the open read is closed with Audible's finish date (unless the
  finish is days before a start the person or an import gave that read: then it is an earlier
  reading); with no open read a
  finished read is added, unless one within a few days of that finish is already there (one
  reading logged twice) or the finish has no date and a finished read exists; an undated
  finished read gets the date filled in instead of a second read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from typing import Any

from tracker_api.books import reading
from tracker_api.books.models import BookStatus
from tracker_api.books.models import ReadSource
from tracker_api.books.models import ReadStatus

OPEN = "open"  # a new open read
PROGRESS = "progress"  # the open read's percent (and unknown start) moves
FINISH = "finish"  # the open read is closed as read
ADD_FINISHED = "add_finished"  # a finished read is recorded
FILL_FINISH = "fill_finish"  # the latest undated finished read gets its date


@dataclass(frozen=True)
class ReadView:
    """A read as the rule sees it (a ``BookRead`` or a planned one)."""

    status: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    percent: float = 0.0
    source: str = ReadSource.AUDIBLE
    pk: int | None = None

    @classmethod
    def of(cls, read: Any) -> ReadView:
        return cls(
            str(read.status),
            read.started_at,
            read.finished_at,
            float(read.percent or 0.0),
            str(read.source),
            read.pk,
        )


@dataclass(frozen=True)
class ReadAction:
    """One change to a book's reads; ``target``-less kinds find their read by rule."""

    kind: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    percent: float | None = None


@dataclass(frozen=True)
class Report:
    """What Audible says now, with the dates the sync could work out."""

    percent: float
    is_finished: bool
    previous_percent: float | None  # what we saw last (None: never)
    finished_at: datetime | None = None  # Audible's finish, or the honest estimate
    start_estimate: datetime | None = None  # when this listening began, if knowable
    position_at: datetime | None = None  # Audible's position date (capped at the sync)
    listened_after: datetime | None = None  # listening is known to be after this moment
    unfinished_after: datetime | None = None  # Audible un-finished a finish of this date


def decide(reads: Sequence[ReadView], status: str, report: Report) -> tuple[str, ReadAction | None]:
    """The kind of change and the read action for ``report`` (see the module docstring)."""
    if report.is_finished:
        return _finished(reads, report)
    return _listening(reads, status, report)


def _listening(
    reads: Sequence[ReadView], status: str, report: Report
) -> tuple[str, ReadAction | None]:
    previous = report.previous_percent
    went_back = previous is not None and report.percent < previous
    current = reading.open_read(reads)
    if current is not None:
        if report.percent > current.percent:
            kind = "started" if previous in (None, 0.0) and not went_back else "progress"
            start = report.start_estimate if current.started_at is None else None
            return kind, ReadAction(PROGRESS, started_at=start, percent=report.percent)
        return ("backwards" if went_back else "progress"), None
    if report.percent <= 0:
        return ("backwards" if went_back else "progress"), None
    if not reading.finished_reads(reads):
        grew = report.percent > (previous or 0)
        given_up = status == BookStatus.DID_NOT_FINISH and not grew
        if went_back or given_up or listened_before_giving_up(reads, report):
            return "backwards" if went_back else "progress", None
        return "started", ReadAction(OPEN, started_at=report.start_estimate, percent=report.percent)
    if is_reread(reads, report):
        return "relisten", ReadAction(OPEN, started_at=report.position_at, percent=report.percent)
    return "kept_read", None


def listened_before_giving_up(reads: Sequence[ReadView], report: Report) -> bool:
    """Whether Audible's listening is no newer than the last did-not-finish close (dated)."""
    closes = [reading.finish_horizon(r) for r in reads if r.status == ReadStatus.DID_NOT_FINISH]
    latest = max((c for c in closes if c is not None), default=None)
    return latest is not None and (
        report.listened_after is not None and report.listened_after <= latest
    )


def is_reread(reads: Sequence[ReadView], report: Report) -> bool:
    """Whether Audible's listening on a read book is newer than the tracker's last finish."""
    last = reading.last_finish(reads)
    if last is None:
        return True  # read, but never with a date: the listening is the newer fact
    if report.listened_after is not None and report.listened_after > last:
        return True
    return report.unfinished_after is not None and report.unfinished_after >= last


def _finished(reads: Sequence[ReadView], report: Report) -> tuple[str, ReadAction | None]:
    finish = report.finished_at
    current = reading.open_read(reads)
    if current is not None and not _predates(finish, current):
        start = report.start_estimate if current.started_at is None else None
        return "finished", ReadAction(FINISH, started_at=start, finished_at=finish)
    done = reading.finished_reads(reads)
    if not done:
        return "finished", ReadAction(
            ADD_FINISHED, started_at=report.start_estimate, finished_at=finish
        )
    if finish is None or any(reading.same_reading(r.finished_at, finish) for r in done):
        return "finished", None  # the finish the tracker has already
    undated = [r for r in done if r.finished_at is None]
    dated_later = any(r.finished_at and r.finished_at > finish for r in done)
    if undated and not dated_later:
        return "finished", ReadAction(FILL_FINISH, finished_at=finish)
    return "finished", ReadAction(ADD_FINISHED, finished_at=finish)


def _predates(finish: datetime | None, current: ReadView) -> bool:
    """Whether a finish belongs to an earlier reading than the open read: it is before a start
    the person or an import gave (the sync's own start is an estimate, Audible's finish wins)."""
    return (
        finish is not None
        and current.started_at is not None
        and current.source != ReadSource.AUDIBLE
        and finish + reading.SAME_READING < current.started_at
    )


def apply(reads: Sequence[ReadView], action: ReadAction | None) -> list[ReadView]:
    """The reads after ``action`` (a new read has no ``pk``)."""
    out = list(reads)
    if action is None:
        return out
    if action.kind == OPEN:
        return [*out, ReadView(ReadStatus.READING, action.started_at, None, action.percent or 0.0)]
    if action.kind == ADD_FINISHED:
        return [*out, ReadView(ReadStatus.READ, action.started_at, action.finished_at, 100.0)]
    index = target_index(out, action.kind)
    if index is None:
        return out
    read = out[index]
    if action.kind == PROGRESS:
        out[index] = replace(
            read,
            percent=max(read.percent, action.percent or 0.0),
            started_at=read.started_at or action.started_at,
        )
    elif action.kind == FINISH:
        out[index] = replace(
            read,
            status=ReadStatus.READ,
            percent=100.0,
            finished_at=action.finished_at,
            started_at=read.started_at or action.started_at,
        )
    elif action.kind == FILL_FINISH:
        out[index] = replace(read, finished_at=action.finished_at)
    return out


def target_index(reads: Sequence[Any], kind: str) -> int | None:
    """Which read an action changes: the open read, or the latest undated finished read."""
    if kind in (PROGRESS, FINISH):
        return next((i for i, r in enumerate(reads) if r.status == ReadStatus.READING), None)
    if kind == FILL_FINISH:
        undated = [
            i for i, r in enumerate(reads) if r.status == ReadStatus.READ and r.finished_at is None
        ]
        return undated[-1] if undated else None
    return None
