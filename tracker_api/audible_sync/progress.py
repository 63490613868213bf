"""Listening progress -> the tracker book: percent, status, dates, reads and history.

Two layers:

* :func:`plan_progress` is pure: given the book's state, the progress last seen for the title
  and what Audible reports now, it decides what changes. No database, so the sync can plan
  thousands of titles in memory.
* :class:`ProgressWriter` collects plans and writes them in bulk (``bulk_update`` /
  ``bulk_create``); :func:`apply_progress` is the one-title form used by manual linking and
  conflict resolution, through the same writer.

The rules (docs/sync.md has them with examples):

* The book only moves forward: status want_to_read/did_not_finish -> reading -> read, percent
  up. Progress is change in what Audible reports, compared with what we saw last time.
* ``started_at`` is set from the first progress we ever saw, and only when we saw the title
  unplayed before (then Audible's own position date is when listening began); a title first
  seen already in progress has an unknown start (left empty), never the sync day.
* ``finished_at`` is Audible's finish timestamp; without one it is the sync time only when we
  saw the title unfinished at the previous sync (the finish happened in between), else unknown.
* A finished title whose progress goes back is a re-listen: a new read is opened, the finished
  read and the book's read status stay. A backwards move on an unfinished title is recorded in
  history, but the book keeps its status and percent.
* History is written only when the progress (percent, finished flag, position, finish date)
  differs from what was last seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.books.models import BookStatus
from tracker_api.books.models import ReadStatus

if TYPE_CHECKING:
    from tracker_api.audible_sync.models import AudibleBookMapping
    from tracker_api.audible_sync.models import AudibleSyncLog

PERCENT_DECIMALS = 2
BATCH_SIZE = 500

_RANK = {
    BookStatus.WANT_TO_READ: 0,
    BookStatus.DID_NOT_FINISH: 0,
    BookStatus.READING: 1,
    BookStatus.READ: 2,
}
MAPPING_PROGRESS_FIELDS = (
    "last_percent",
    "last_is_finished",
    "last_position_ms",
    "last_finished_at",
)
BOOK_PROGRESS_FIELDS = ("status", "progress_percent", "started_at", "finished_at")


def _when(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.UTC)
    return parsed


@dataclass(frozen=True)
class BookState:
    status: str
    progress_percent: float
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, book: Book) -> BookState:
        return cls(book.status, book.progress_percent, book.started_at, book.finished_at)


@dataclass(frozen=True)
class Seen:
    """The progress last applied for a title (the mapping's ``last_*``); percent None: never."""

    percent: float | None = None
    is_finished: bool = False
    position_ms: int | None = None
    finished_at: datetime | None = None

    @classmethod
    def of(cls, mapping: AudibleBookMapping) -> Seen:
        return cls(
            mapping.last_percent,
            mapping.last_is_finished,
            mapping.last_position_ms,
            mapping.last_finished_at,
        )

    def as_fields(self) -> dict[str, Any]:
        return {
            "last_percent": self.percent,
            "last_is_finished": self.is_finished,
            "last_position_ms": self.position_ms,
            "last_finished_at": self.finished_at,
        }


@dataclass(frozen=True)
class Observed:
    """What Audible reports now for a title (from the normalised item's ``progress``)."""

    percent: float
    is_finished: bool
    finished_at: datetime | None = None
    position_ms: int | None = None
    position_updated_at: datetime | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Observed:
        """Raises ValueError/TypeError on a progress block that cannot be read."""
        progress = item.get("progress") or {}
        if not isinstance(progress, dict):
            raise TypeError("progress is not an object")
        percent = float(progress.get("percent") or 0.0)
        if not 0.0 <= percent <= 100.0:
            raise ValueError(f"percent {percent} is outside 0..100")
        position = progress.get("position_ms")
        return cls(
            percent=float(round(percent, PERCENT_DECIMALS)),
            is_finished=bool(progress.get("is_finished")),
            finished_at=_when(progress.get("finished_at")),
            position_ms=int(position) if position is not None else None,
            position_updated_at=_when(progress.get("position_updated_at")),
        )

    def as_seen(self) -> Seen:
        return Seen(self.percent, self.is_finished, self.position_ms, self.finished_at)


@dataclass(frozen=True)
class ReadAction:
    """A change to the book's reads: open a new one, or finish the open one (or a new one)."""

    kind: str  # "open" | "finish"
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class ProgressPlan:
    """Everything one title's progress changes. ``changed`` False means write nothing."""

    changed: bool
    seen: Seen
    kind: str = "unchanged"  # started / progress / finished / relisten / backwards / first_seen
    book_fields: dict[str, Any] = field(default_factory=dict)
    history: dict[str, Any] | None = None
    read: ReadAction | None = None

    def summary(self, book_state: BookState | None) -> dict[str, Any]:
        """What changed, for the sync log (JSON-ready)."""
        out: dict[str, Any] = {"change": self.kind}
        if self.history:
            out["percent"] = self.history["percent"]
            out["previous_percent"] = self.history["previous_percent"]
        for name, value in self.book_fields.items():
            before = getattr(book_state, name, None) if book_state else None
            out[name] = [_jsonable(before), _jsonable(value)]
        return out


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def progress_differs(seen: Seen, now: Observed) -> bool:
    """Whether Audible reports anything other than what was last applied."""
    return not _same(seen, now)


def _same(seen: Seen, now: Observed) -> bool:
    return (
        seen.percent is not None
        and round(seen.percent, PERCENT_DECIMALS) == now.percent
        and seen.is_finished == now.is_finished
        and seen.position_ms == now.position_ms
        and seen.finished_at == now.finished_at
    )


def plan_progress(
    book: BookState | None, seen: Seen, now_seen: Observed, now: datetime
) -> ProgressPlan:
    """Decide what Audible's report means for the book (see the module docstring)."""
    if _same(seen, now_seen):
        return ProgressPlan(changed=False, seen=seen)
    new_seen = now_seen.as_seen()
    first_time = seen.percent is None
    played = now_seen.percent > 0 or now_seen.is_finished
    if first_time and not played:
        # A title we meet unplayed: remember it (so a later start can be dated), no history.
        return ProgressPlan(changed=True, seen=new_seen, kind="first_seen")
    previous = seen.percent
    was_unplayed = seen.percent is not None and seen.percent == 0 and not seen.is_finished
    listened_at = now_seen.position_updated_at
    # When listening began, if we can know: we saw it unplayed last time, so it began since.
    start_estimate = (
        min(listened_at, now) if was_unplayed and listened_at else (now if was_unplayed else None)
    )
    if was_unplayed and listened_at is None and now_seen.is_finished and now_seen.finished_at:
        start_estimate = None  # finished in one go between syncs: no honest start date
    if now_seen.is_finished:
        finished_at = now_seen.finished_at or (
            now if seen.percent is not None and not seen.is_finished else None
        )
    else:
        finished_at = None

    relisten = seen.is_finished and not now_seen.is_finished
    backwards = (
        not relisten
        and not now_seen.is_finished
        and previous is not None
        and now_seen.percent < previous
    )
    if relisten:
        kind = "relisten"
    elif backwards:
        kind = "backwards"
    elif now_seen.is_finished and not seen.is_finished:
        kind = "finished"
    elif was_unplayed or first_time:
        kind = "started"
    else:
        kind = "progress"

    fields: dict[str, Any] = {}
    read: ReadAction | None = None
    status_before = str(book.status) if book else ""
    if book is not None:
        rank = _RANK.get(book.status, 0)
        if relisten:
            # A new read begins; the finished read and the book's "read" stay as they were.
            read = ReadAction("open", started_at=start_estimate or listened_at)
        elif now_seen.is_finished and not seen.is_finished:
            if book.status != BookStatus.READ:
                fields["status"] = BookStatus.READ
            if book.progress_percent < 100.0:
                fields["progress_percent"] = 100.0
            if finished_at is not None and (
                book.finished_at is None or book.finished_at < finished_at
            ):
                fields["finished_at"] = finished_at
            if book.started_at is None and start_estimate is not None:
                fields["started_at"] = start_estimate
            read = ReadAction(
                "finish",
                started_at=fields.get("started_at", book.started_at),
                finished_at=finished_at,
            )
        elif not backwards and not now_seen.is_finished and now_seen.percent > 0:
            if rank < 1 or (
                book.status == BookStatus.DID_NOT_FINISH and now_seen.percent > (previous or 0)
            ):
                fields["status"] = BookStatus.READING
                read = ReadAction("open", started_at=start_estimate)
            if book.status != BookStatus.READ and now_seen.percent > book.progress_percent:
                fields["progress_percent"] = now_seen.percent
            if book.started_at is None and start_estimate is not None:
                fields["started_at"] = start_estimate
    status_after = str(fields.get("status", status_before))
    history = {
        "percent": now_seen.percent,
        "previous_percent": previous,
        "position_ms": now_seen.position_ms,
        "is_finished": now_seen.is_finished,
        "status_before": status_before,
        "status_after": status_after,
    }
    return ProgressPlan(
        changed=True, seen=new_seen, kind=kind, book_fields=fields, history=history, read=read
    )


@dataclass
class ProgressChange:
    """One applied change, as apply_progress returns it and the sync log lists it."""

    asin: str
    book_id: int | None
    kind: str
    summary: dict[str, Any]


class ProgressWriter:
    """Collects planned changes and writes them with a handful of bulk statements.

    ``open_reads`` maps book id -> the book's open (reading) BookRead, if any; the sync loads
    them in one query, :func:`apply_progress` for its one book.
    """

    def __init__(
        self,
        *,
        user_id: int,
        sync_log: AudibleSyncLog | None = None,
        source: str = "sync",
        now: datetime | None = None,
        open_reads: dict[int, BookRead] | None = None,
    ) -> None:
        self.user_id = user_id
        self.sync_log = sync_log
        self.source = source
        self.now = now or timezone.now()
        self.open_reads = open_reads if open_reads is not None else {}
        self.books: dict[int, Book] = {}
        self.book_fields: set[str] = set()
        self.mappings: dict[int, AudibleBookMapping] = {}  # by id(): new ones have no pk yet
        self.mapping_fields: set[str] = set()
        self.history: list[Any] = []
        self.new_reads: list[BookRead] = []
        self.finished_reads: dict[int, BookRead] = {}
        self.changes: list[ProgressChange] = []

    def add(
        self,
        mapping: AudibleBookMapping,
        book: Book | None,
        plan: ProgressPlan,
        *,
        mapping_written: bool = False,
        book_written: bool = False,
    ) -> ProgressChange | None:
        """Stage one title's plan. The mapping must have a primary key by ``flush``.

        ``mapping_written``/``book_written``: the caller already put the plan's values on a
        mapping/book it creates itself, so they are not updated again.
        """
        from tracker_api.audible_sync.models import AudibleProgressHistory

        if not plan.changed:
            return None
        if not mapping_written:
            for name, value in plan.seen.as_fields().items():
                setattr(mapping, name, value)
            mapping.last_seen_at = self.now
            self.mappings[id(mapping)] = mapping
            self.mapping_fields.update((*MAPPING_PROGRESS_FIELDS, "last_seen_at"))
        if plan.history is None:
            return None
        state = BookState.of(book) if book is not None else None
        if book is not None and plan.book_fields and not book_written:
            for name, value in plan.book_fields.items():
                setattr(book, name, value)
            self.books[book.pk] = book
            self.book_fields.update(plan.book_fields)
        if book is not None and plan.read is not None:
            self._stage_read(book, plan.read)
        self.history.append(
            AudibleProgressHistory(
                user_id=self.user_id,
                mapping=mapping,
                book_id=book.pk if book is not None else None,
                asin=mapping.asin,
                sync_log=self.sync_log,
                source=self.source,
                recorded_at=self.now,
                **plan.history,
            )
        )
        change = ProgressChange(
            asin=mapping.asin,
            book_id=book.pk if book is not None else None,
            kind=plan.kind,
            summary={
                "asin": mapping.asin,
                "book_id": book.pk if book is not None else None,
                "title": book.title if book is not None else (mapping.item or {}).get("title"),
                **plan.summary(state),
            },
        )
        self.changes.append(change)
        return change

    def touch(self, mapping: AudibleBookMapping, *names: str) -> None:
        """Also write these mapping fields (already set on the object) at ``flush``."""
        self.mappings[id(mapping)] = mapping
        self.mapping_fields.update(names)

    def _stage_read(self, book: Book, action: ReadAction) -> None:
        current = self.open_reads.get(book.pk)
        if action.kind == "open":
            if current is None:
                read = BookRead(book=book, started_at=action.started_at, status=ReadStatus.READING)
                self.new_reads.append(read)
                self.open_reads[book.pk] = read
            return
        if current is not None:
            current.status = ReadStatus.READ
            current.finished_at = action.finished_at
            if current.started_at is None:
                current.started_at = action.started_at
            if current.pk is not None:
                self.finished_reads[current.pk] = current
            del self.open_reads[book.pk]
        else:
            self.new_reads.append(
                BookRead(
                    book=book,
                    started_at=action.started_at,
                    finished_at=action.finished_at,
                    status=ReadStatus.READ,
                )
            )

    def flush(self) -> None:
        """Write everything staged; call inside the caller's transaction."""
        from tracker_api.audible_sync.models import AudibleBookMapping
        from tracker_api.audible_sync.models import AudibleProgressHistory

        if self.books:
            for book in self.books.values():
                book.updated_at = self.now
            Book.objects.bulk_update(
                list(self.books.values()),
                [*sorted(self.book_fields), "updated_at"],
                batch_size=BATCH_SIZE,
            )
        if self.mappings:
            for mapping in self.mappings.values():
                mapping.updated_at = self.now
            AudibleBookMapping.objects.bulk_update(
                list(self.mappings.values()),
                [*sorted(self.mapping_fields), "updated_at"],
                batch_size=BATCH_SIZE,
            )
        if self.new_reads:
            BookRead.objects.bulk_create(self.new_reads, batch_size=BATCH_SIZE)
        if self.finished_reads:
            BookRead.objects.bulk_update(
                list(self.finished_reads.values()),
                ["status", "started_at", "finished_at"],
                batch_size=BATCH_SIZE,
            )
        if self.history:
            AudibleProgressHistory.objects.bulk_create(self.history, batch_size=BATCH_SIZE)
        self.books.clear()
        self.mappings.clear()
        self.new_reads = []
        self.finished_reads.clear()
        self.history = []


def open_read_of(book: Book) -> BookRead | None:
    return book.reads.filter(status=ReadStatus.READING).order_by("-id").first()


def apply_progress(
    mapping: AudibleBookMapping,
    item: dict[str, Any],
    *,
    sync_log: AudibleSyncLog | None = None,
    source: str = "sync",
    now: datetime | None = None,
) -> ProgressChange | None:
    """Apply one title's progress to its mapped book at once (linking, resolving a conflict).

    Returns the change, or None when nothing changed (or the mapping is ignored). Raises
    ValueError/TypeError when the item's progress cannot be read.
    """
    if mapping.ignored:
        return None
    observed = Observed.from_item(item)
    now = now or timezone.now()
    book = mapping.book
    with transaction.atomic():
        if book is not None:
            book = Book.objects.select_for_update().get(pk=book.pk)
            mapping.book = book
        reads = {}
        if book is not None:
            current = open_read_of(book)
            if current is not None:
                reads[book.pk] = current
        writer = ProgressWriter(
            user_id=mapping.user_id, sync_log=sync_log, source=source, now=now, open_reads=reads
        )
        plan = plan_progress(
            BookState.of(book) if book is not None else None, Seen.of(mapping), observed, now
        )
        change = writer.add(mapping, book, plan)
        writer.flush()
    return change
