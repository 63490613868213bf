"""Listening progress -> the tracker book: percent, status, dates, reads and history.

Two layers:

* :func:`plan_progress` is pure: given the book's state, the progress last seen for the title
  and what Audible reports now, it decides what changes. No database, so the sync can plan
  thousands of titles in memory.
* :class:`ProgressWriter` collects plans and writes them in bulk (``core.bulk.bulk_update`` /
  ``bulk_create``); :func:`apply_progress` is the one-title form used by manual linking and
  conflict resolution, through the same writer.

The rules (docs/sync.md has them with a timeline table):

* Audible's report changes the book's **reads** (``reads_rule.decide``: open, move, finish or
  add a read, or a re-read); the book's status, percent and dates are then derived from its
  reads by ``tracker_api.books.reading``, the one place that does it. Progress is change in
  what Audible reports, compared with what we saw last time.
* Nothing moves back: a read's percent only goes up, a finished read stays finished, a date
  that is set is never moved or cleared. A read book that Audible shows in progress again is a
  re-read only when Audible's listening is newer than the tracker's last finish.
* ``started_at`` is set from the first progress we ever saw, and only when we saw the title
  unplayed before (then Audible's own position date is when listening began); a title first
  seen already in progress has an unknown start (left empty), never the sync day. A re-read
  starts at Audible's position date.
* ``finished_at`` is Audible's finish timestamp; without one it is the sync time only when we
  saw the title unfinished at the previous sync (the finish happened in between), else unknown.
* History is written only when the progress (percent, finished flag, position, finish date)
  differs from what was last seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tracker_api.audible_sync import reads_rule
from tracker_api.audible_sync.reads_rule import ReadAction
from tracker_api.audible_sync.reads_rule import ReadView
from tracker_api.books import reading
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.books.models import BookStatus
from tracker_api.books.models import ReadSource
from tracker_api.books.models import ReadStatus
from tracker_api.core.bulk import bulk_update

if TYPE_CHECKING:
    from tracker_api.audible_sync.models import AudibleBookMapping
    from tracker_api.audible_sync.models import AudibleSyncLog

PERCENT_DECIMALS = 2
BATCH_SIZE = 500

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
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


@dataclass(frozen=True)
class BookState:
    """The book as the rules see it: its summary fields and its reads.

    ``reads`` None means "as the book's fields imply" (one read matching its status), which is
    what a book without recorded reads has; :meth:`of` is given the loaded reads.
    """

    status: str
    progress_percent: float
    started_at: datetime | None
    finished_at: datetime | None
    reads: tuple[ReadView, ...] | None = None

    @classmethod
    def of(cls, book: Book, reads: Sequence[Any] | None = None) -> BookState:
        views = None
        if reads is not None:
            views = tuple(ReadView.of(r) for r in [*reads, *reading.implied_reads(book, reads)])
        return cls(book.status, book.progress_percent, book.started_at, book.finished_at, views)

    def read_views(self) -> tuple[ReadView, ...]:
        if self.reads is not None:
            return self.reads
        if self.status == BookStatus.WANT_TO_READ:
            return ()
        return (
            ReadView(
                self.status,
                self.started_at,
                None if self.status == BookStatus.READING else self.finished_at,
                100.0 if self.status == BookStatus.READ else float(self.progress_percent),
            ),
        )


@dataclass(frozen=True)
class Seen:
    """The progress last applied for a title (the mapping's ``last_*``); percent None: never."""

    percent: float | None = None
    is_finished: bool = False
    position_ms: int | None = None
    finished_at: datetime | None = None
    seen_at: datetime | None = None  # when it was applied (listening since is later)

    @classmethod
    def of(cls, mapping: AudibleBookMapping) -> Seen:
        return cls(
            mapping.last_percent,
            mapping.last_is_finished,
            mapping.last_position_ms,
            mapping.last_finished_at,
            mapping.last_seen_at if mapping.last_percent is not None else None,
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
    report = _report(seen, now_seen, now)
    status_before = str(book.status) if book else ""
    fields: dict[str, Any] = {}
    read: ReadAction | None = None
    if book is not None:
        views = book.read_views()
        kind, read = reads_rule.decide(views, book.status, report)
        summary = reading.summarise(reads_rule.apply(views, read), book)
        fields = {
            name: value
            for name, value in summary.as_fields().items()
            if getattr(book, name) != value
        }
    else:
        kind, _ = reads_rule.decide((), BookStatus.WANT_TO_READ, report)
    was_unplayed = seen.percent == 0 and not seen.is_finished
    if kind in ("started", "progress"):
        kind = "started" if first_time or was_unplayed else "progress"
    history = {
        "percent": now_seen.percent,
        "previous_percent": seen.percent,
        "position_ms": now_seen.position_ms,
        "is_finished": now_seen.is_finished,
        "status_before": status_before,
        "status_after": str(fields.get("status", status_before)),
    }
    return ProgressPlan(
        changed=True, seen=new_seen, kind=kind, book_fields=fields, history=history, read=read
    )


def _report(seen: Seen, now_seen: Observed, now: datetime) -> reads_rule.Report:
    """Audible's report with the dates that can honestly be worked out from it."""
    was_unplayed = seen.percent is not None and seen.percent == 0 and not seen.is_finished
    position_at = min(now_seen.position_updated_at, now) if now_seen.position_updated_at else None
    # When listening began, if we can know: we saw it unplayed last time, so it began since.
    start = position_at if was_unplayed and position_at else (now if was_unplayed else None)
    if was_unplayed and position_at is None and now_seen.is_finished and now_seen.finished_at:
        start = None  # finished in one go between syncs: no honest start date
    finished_at = None
    if now_seen.is_finished:
        finished_at = now_seen.finished_at or (
            now if seen.percent is not None and not seen.is_finished else None
        )
    return reads_rule.Report(
        percent=now_seen.percent,
        is_finished=now_seen.is_finished,
        previous_percent=seen.percent,
        finished_at=finished_at,
        start_estimate=start,
        position_at=position_at,
        listened_after=position_at or seen.seen_at,
        unfinished_after=seen.finished_at
        if seen.is_finished and not now_seen.is_finished
        else None,
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

    ``reads`` maps book id -> the book's reads (``BookRead``); the sync loads them in one query
    for the books whose progress changed (:func:`load_reads`), :func:`apply_progress` for its
    one book. Build each book's :class:`BookState` with :meth:`state_of`, so the plan and the
    writer see the same reads. ``journal`` (optional) is told every row before it changes, so
    the change can be undone.
    """

    def __init__(
        self,
        *,
        user_id: int,
        sync_log: AudibleSyncLog | None = None,
        source: str = "sync",
        now: datetime | None = None,
        reads: dict[int, list[BookRead]] | None = None,
        journal: Any = None,
    ) -> None:
        self.user_id = user_id
        self.sync_log = sync_log
        self.source = source
        self.now = now or timezone.now()
        self.reads: dict[int, list[BookRead]] = reads if reads is not None else {}
        self.journal = journal
        self.books: dict[int, Book] = {}
        self.book_fields: set[str] = set()
        self.mappings: dict[int, AudibleBookMapping] = {}  # by id(): new ones have no pk yet
        self.mapping_fields: set[str] = set()
        self.history: list[Any] = []
        self.new_reads: list[BookRead] = []
        self.changed_reads: dict[int, BookRead] = {}
        self.changes: list[ProgressChange] = []
        self._implied: dict[int, list[BookRead]] = {}  # reads the rules imply, not journaled yet

    def state_of(self, book: Book) -> BookState:
        """The book's state with its reads (implied reads it lacks are recorded at flush).
        Only for saved books; a book this run creates is planned with ``BookState.of``."""
        reads = self._reads_of(book)
        return BookState.of(book, reads)

    def _reads_of(self, book: Book) -> list[BookRead]:
        reads = self.reads.setdefault(book.pk, [])
        for implied in reading.implied_reads(book, reads):
            implied.source = ReadSource.AUDIBLE if book.source == "audible" else implied.source
            reads.append(implied)
            self.new_reads.append(implied)
            self._implied.setdefault(book.pk, []).append(implied)
        return reads

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

        if self.journal is not None and book is not None:
            for implied in self._implied.pop(book.pk, []):
                self.journal.read_created(book, mapping, implied)
        if not plan.changed:
            return None
        if not mapping_written:
            if self.journal is not None:
                self.journal.mapping_before(mapping)
            for name, value in plan.seen.as_fields().items():
                setattr(mapping, name, value)
            mapping.last_seen_at = self.now
            self.mappings[id(mapping)] = mapping
            self.mapping_fields.update((*MAPPING_PROGRESS_FIELDS, "last_seen_at"))
        if plan.history is None:
            return None
        state = BookState.of(book) if book is not None else None
        if book is not None and plan.book_fields and not book_written:
            if self.journal is not None:
                self.journal.book_before(book, mapping)
            for name, value in plan.book_fields.items():
                setattr(book, name, value)
            self.books[book.pk] = book
            self.book_fields.update(plan.book_fields)
        if book is not None and plan.read is not None:
            self._stage_read(book, mapping, plan.read)
        entry = AudibleProgressHistory(
            user_id=self.user_id,
            mapping=mapping,
            book_id=book.pk if book is not None else None,
            asin=mapping.asin,
            sync_log=self.sync_log,
            source=self.source,
            recorded_at=self.now,
            **plan.history,
        )
        self.history.append(entry)
        if self.journal is not None:
            self.journal.history_created(book, mapping, entry)
        summary = {
            "asin": mapping.asin,
            "book_id": book.pk if book is not None else None,
            "title": book.title if book is not None else (mapping.item or {}).get("title"),
            **plan.summary(state),
        }
        if plan.read is not None:
            summary["read"] = plan.read.kind
        change = ProgressChange(
            asin=mapping.asin,
            book_id=book.pk if book is not None else None,
            kind=plan.kind,
            summary=summary,
        )
        self.changes.append(change)
        return change

    def touch(self, mapping: AudibleBookMapping, *names: str) -> None:
        """Also write these mapping fields (already set on the object) at ``flush``."""
        if self.journal is not None:
            self.journal.mapping_before(mapping)
        self.mappings[id(mapping)] = mapping
        self.mapping_fields.update(names)

    def _stage_read(self, book: Book, mapping: AudibleBookMapping, action: ReadAction) -> None:
        # The plan saw these reads (state_of added the implied ones); a new book has none yet.
        reads = self.reads.setdefault(book.pk, [])
        if action.kind in (reads_rule.OPEN, reads_rule.ADD_FINISHED):
            opened = action.kind == reads_rule.OPEN
            read = BookRead(
                book=book,
                status=ReadStatus.READING if opened else ReadStatus.READ,
                started_at=action.started_at,
                finished_at=None if opened else action.finished_at,
                percent=(action.percent or 0.0) if opened else 100.0,
                source=ReadSource.AUDIBLE,
            )
            reads.append(read)
            self.new_reads.append(read)
            if self.journal is not None:
                self.journal.read_created(book, mapping, read)
            return
        index = reads_rule.target_index(reads, action.kind)
        if index is None:
            return
        read = reads[index]
        if self.journal is not None and read.pk is not None:
            self.journal.read_before(book, mapping, read)
        view = reads_rule.apply([reads_rule.ReadView.of(read)], action)[0]
        read.status = view.status
        read.percent = view.percent
        read.started_at = view.started_at
        read.finished_at = view.finished_at
        if read.pk is not None:
            self.changed_reads[read.pk] = read

    def flush(self) -> None:
        """Write everything staged; call inside the caller's transaction."""
        from tracker_api.audible_sync.models import AudibleProgressHistory

        if self.journal is not None:  # implied reads of books whose plan failed: still written
            for reads in self._implied.values():
                for implied in reads:
                    self.journal.read_created(implied.book, None, implied)
            self._implied.clear()

        if self.books:
            for book in self.books.values():
                book.updated_at = self.now
            bulk_update(
                list(self.books.values()),
                [*sorted(self.book_fields), "updated_at"],
                batch_size=BATCH_SIZE,
            )
        if self.mappings:
            for mapping in self.mappings.values():
                mapping.updated_at = self.now
            bulk_update(
                list(self.mappings.values()),
                [*sorted(self.mapping_fields), "updated_at"],
                batch_size=BATCH_SIZE,
            )
        if self.changed_reads:  # before new reads: a closed read frees the book's one open slot
            for read in self.changed_reads.values():
                read.updated_at = self.now
            bulk_update(
                list(self.changed_reads.values()),
                ["status", "percent", "started_at", "finished_at", "updated_at"],
                batch_size=BATCH_SIZE,
            )
        if self.new_reads:
            for read in self.new_reads:
                read.book_id = read.book.pk  # a book created in this run has its pk now
            BookRead.objects.bulk_create(self.new_reads, batch_size=BATCH_SIZE)
        if self.history:
            AudibleProgressHistory.objects.bulk_create(self.history, batch_size=BATCH_SIZE)
        self.books.clear()
        self.mappings.clear()
        self.new_reads = []
        self.changed_reads.clear()
        self.history = []


def load_reads(book_ids: Iterable[int]) -> dict[int, list[BookRead]]:
    """Every read of these books, by book id (one query)."""
    ids = list(book_ids)
    reads: dict[int, list[BookRead]] = {pk: [] for pk in ids}
    if ids:
        for read in BookRead.objects.filter(book_id__in=ids).order_by("id"):
            reads[read.book_id].append(read)
    return reads


def apply_progress(
    mapping: AudibleBookMapping,
    item: dict[str, Any],
    *,
    sync_log: AudibleSyncLog | None = None,
    source: str = "sync",
    now: datetime | None = None,
    journal: Any = None,
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
        writer = ProgressWriter(
            user_id=mapping.user_id,
            sync_log=sync_log,
            source=source,
            now=now,
            reads=load_reads([book.pk]) if book is not None else {},
            journal=journal,
        )
        state = writer.state_of(book) if book is not None else None
        plan = plan_progress(state, Seen.of(mapping), observed, now)
        change = writer.add(mapping, book, plan)
        writer.flush()
    return change
