"""Step 4 of a sync: apply a fetched library to the tracker, in bulk, inside one transaction.

The caller opens the transaction. Here:

1. the user's mappings are loaded in one query and every item is compared with what was last
   seen; an unchanged title costs nothing more;
2. books (and open reads) are loaded only for titles whose progress changed, in one query each;
3. unmapped titles go through the matcher against an index of the user's catalogue built once
   (and only when there are unmapped titles); books created during the run join the index, so
   two editions of one new book in a library make one book;
4. everything is written with ``bulk_create``/``bulk_update`` in batches.

Each item is planned completely in memory before anything of it is staged, so an item that
cannot be read (an error) leaves nothing behind while the rest applies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from tracker_api.audible_sync.catalog import build_user_index
from tracker_api.audible_sync.items import AudibleItem
from tracker_api.audible_sync.items import book_from_item
from tracker_api.audible_sync.items import catalog_entry
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import ConflictStatus
from tracker_api.audible_sync.models import ImportPolicy
from tracker_api.audible_sync.models import MatchMethod
from tracker_api.audible_sync.progress import BATCH_SIZE
from tracker_api.audible_sync.progress import BookState
from tracker_api.audible_sync.progress import Observed
from tracker_api.audible_sync.progress import ProgressPlan
from tracker_api.audible_sync.progress import ProgressWriter
from tracker_api.audible_sync.progress import Seen
from tracker_api.audible_sync.progress import load_reads
from tracker_api.audible_sync.progress import plan_progress
from tracker_api.audible_sync.progress import progress_differs
from tracker_api.audible_sync.runs import COUNT_FIELDS
from tracker_api.audible_sync.sync.fetch import Library
from tracker_api.audible_sync.undo.journal import Journal
from tracker_api.audible_sync.undo.records import ChangeKind
from tracker_api.books.models import Book
from tracker_api.matching import CatalogIndex
from tracker_api.matching import MatchConfig
from tracker_api.matching import decide
from tracker_api.matching import propose

log = logging.getLogger("tracker_api.audible_sync.sync")

MAX_LOGGED_CHANGES = 1000
BOOK_LOAD_FIELDS = (
    "id", "user_id", "title", "status", "progress_percent", "started_at", "finished_at",
    "source", "updated_at",
)  # fmt: skip
_METHODS = {"isbn": MatchMethod.ISBN, "asin": MatchMethod.ASIN}
# Why an unmapped title was not imported, in the words the sync log shows a person.
SKIP_NOT_IN_LIBRARY = "no longer in the Audible library (returned or expired)"
SKIP_OPEN_CONFLICT = "waiting for a decision in an open conflict"
SKIP_PODCAST = "a podcast (podcasts are not imported unless the config says so)"
SKIP_POLICY = "left out by the import policy"


@dataclass
class ApplyResult:
    """Counts for the sync log, what changed per book, and per-item problems."""

    items_seen: int = 0
    linked: int = 0
    created: int = 0
    updated: int = 0
    conflicts_opened: int = 0
    skipped: int = 0
    errors: int = 0
    changes: list[dict[str, Any]] = field(default_factory=list)
    error_details: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_FIELDS}

    def note(self, change: dict[str, Any]) -> None:
        self.changes.append(change)

    def skip(self, item: dict[str, Any], reason: str) -> None:
        """Count a title that was not imported and say why, so a person reading the log knows.

        Skips are not changes: they write nothing but this note in the log row's ``changes``.
        """
        self.skipped += 1
        self.note(
            {"asin": item.get("asin"), "title": item.get("title"), "change": "skipped",
             "reason": reason}
        )  # fmt: skip

    def fail(self, asin: Any, message: str) -> None:
        self.errors += 1
        self.error_details.append(
            {"asin": asin if isinstance(asin, str) else None, "message": message}
        )


# A title matched to a book: its item, what Audible reports, the book's id (a placeholder
# for a book this run creates), the match method and the confidence.
_Linked = tuple[dict[str, Any], Observed, Any, str, float]


@dataclass
class _New:
    """A mapping (and maybe a book) this run creates, with the progress planned for it."""

    mapping: AudibleBookMapping
    book: Book
    plan: ProgressPlan
    book_is_new: bool
    temp_id: str | None = None


def policy_allows(config: AudibleConfig, item: AudibleItem) -> bool:
    """Whether the import policy turns this unmatched title into a new tracker book."""
    observed = item.observed
    if item.is_podcast and not config.import_podcasts:
        return False
    if config.import_policy == ImportPolicy.FINISHED:
        return observed.is_finished
    if config.import_policy == ImportPolicy.STARTED:
        return observed.is_finished or observed.percent > 0
    return True


class LibraryApplier:
    """Applies one library to one user's tracker. Use once: ``LibraryApplier(...).run()``."""

    def __init__(
        self,
        config: AudibleConfig,
        library: Library,
        *,
        sync_log: AudibleSyncLog | None,
        now: datetime,
        match_config: MatchConfig | None = None,
        on_item: Callable[[int], None] | None = None,
    ) -> None:
        self.config = config
        self.user_id = config.user_id
        self.library = library
        self.now = now
        self.match_config = match_config or MatchConfig()
        self.on_item = on_item or (lambda n: None)
        self.result = ApplyResult()
        # Every row the run writes, with its values before and after: what undo reverses.
        self.journal = Journal(self.user_id, ChangeKind.SYNC, sync_log=sync_log)
        self.writer = ProgressWriter(
            user_id=self.user_id, sync_log=sync_log, now=now, journal=self.journal
        )
        self.new: list[_New] = []
        self.new_conflicts: list[AudibleConflict] = []
        self._index: CatalogIndex | None = None
        self._temp_books: dict[str, Book] = {}

    # ----------------------------------------------------------------- entry point
    def run(self) -> ApplyResult:
        items = self.library.items
        self.result.items_seen = len(items)
        for problem in self.library.errors:
            self.result.fail(problem.get("asin"), str(problem.get("message") or "item unreadable"))
        # Streamed in chunks: at 10,000 titles the raw rows and the parsed snapshots would
        # otherwise be in memory twice at the peak.
        mappings = {
            m.asin: m
            for m in AudibleBookMapping.objects.filter(user_id=self.user_id).iterator(
                chunk_size=2000
            )
        }
        changed: list[tuple[AudibleBookMapping, Observed, dict[str, Any]]] = []
        unmapped: list[AudibleItem] = []
        seen_asins: set[str] = set()
        for done, item in enumerate(items, 1):
            self.on_item(done)
            try:
                parsed = AudibleItem.parse(item)
            except (TypeError, ValueError) as exc:
                bad_asin = item.get("asin") if isinstance(item, dict) else None
                self.result.fail(bad_asin, f"Unreadable item {bad_asin or '(no ASIN)'}: {exc}")
                continue
            asin, observed = parsed.asin, parsed.observed
            if asin in seen_asins:
                continue
            seen_asins.add(asin)
            mapping = mappings.get(asin)
            if mapping is None:
                unmapped.append(parsed)
                continue
            revoked = parsed.revoked
            self._refresh_mapping(mapping, item, in_library=not revoked)
            if mapping.ignored:
                self.result.skipped += 1
            elif not revoked and self._progress_differs(mapping, observed):
                changed.append((mapping, observed, item))
        if self.library.complete and not self.library.errors:
            for asin, mapping in mappings.items():
                if (
                    asin not in seen_asins
                    and mapping.in_library
                    and asin not in self.library.elsewhere
                ):
                    self._mark(mapping, in_library=False)
        self._apply_mapped(changed)
        if unmapped:
            linked = self._match_unmapped(unmapped)
            # Matching is over: the catalogue's index (about 40 MB at 10,000 books) and the
            # parsed items go before the links' mappings, books and reads are built, so the
            # peak of a first sync is one of them, not both.
            del unmapped
            self._index = None
            self._link(linked)
        self._write()
        return self.result

    # ----------------------------------------------------------------- reading
    @staticmethod
    def _progress_differs(mapping: AudibleBookMapping, observed: Observed) -> bool:
        return progress_differs(Seen.of(mapping), observed)

    # ----------------------------------------------------------------- mapped titles
    def _refresh_mapping(
        self, mapping: AudibleBookMapping, item: dict, *, in_library: bool
    ) -> None:
        if mapping.item != item:
            self.journal.mapping_before(mapping)
            mapping.item = item
            self._stage_extra(mapping, "item")
        if mapping.in_library != in_library:
            self._mark(mapping, in_library=in_library)

    def _mark(self, mapping: AudibleBookMapping, *, in_library: bool) -> None:
        self.journal.mapping_before(mapping)
        mapping.in_library = in_library
        self._stage_extra(mapping, "in_library")
        if not in_library:
            self.result.note(
                {
                    "asin": mapping.asin,
                    "book_id": mapping.book_id,
                    "title": (mapping.item or {}).get("title"),
                    "change": "not_in_library",
                }
            )

    def _stage_extra(self, mapping: AudibleBookMapping, name: str) -> None:
        self.writer.touch(mapping, name)

    def _apply_mapped(self, changed: list[tuple[AudibleBookMapping, Observed, dict]]) -> None:
        if not changed:
            return
        book_ids = {m.book_id for m, _, _ in changed if m.book_id is not None}
        books = (
            {b.pk: b for b in Book.objects.filter(pk__in=book_ids).only(*BOOK_LOAD_FIELDS)}
            if book_ids
            else {}
        )
        self.writer.reads.update(load_reads(book_ids))
        for mapping, observed, _item in changed:
            book = books.get(mapping.book_id) if mapping.book_id else None
            try:
                plan = plan_progress(
                    self.writer.state_of(book) if book else None,
                    Seen.of(mapping),
                    observed,
                    self.now,
                )
            except (TypeError, ValueError) as exc:
                self.result.fail(mapping.asin, f"Progress of {mapping.asin} unusable: {exc}")
                continue
            change = self.writer.add(mapping, book, plan)
            if change is not None and book is not None:
                self.result.updated += 1
                self.result.note(change.summary)

    # ----------------------------------------------------------------- unmapped titles
    def _match_unmapped(self, unmapped: list[AudibleItem]) -> list[_Linked]:
        """Match, open conflicts and create books; the titles to link (by :meth:`_link`)."""
        open_conflicts = set(
            AudibleConflict.objects.filter(
                user_id=self.user_id, status=ConflictStatus.OPEN
            ).values_list("asin", flat=True)
        )
        linked: list[_Linked] = []
        for parsed in unmapped:
            item, observed, asin = parsed.data, parsed.observed, parsed.asin
            if parsed.revoked:
                self.result.skip(item, SKIP_NOT_IN_LIBRARY)
                continue
            if asin in open_conflicts:
                self.result.skip(item, SKIP_OPEN_CONFLICT)
                continue
            if parsed.is_podcast and not self.config.import_podcasts:
                self.result.skip(item, SKIP_PODCAST)
                continue
            try:
                decision = decide(
                    propose(parsed.work, self.index, self.match_config),
                    self.match_config,
                )
            except Exception as exc:
                log.exception("matching failed for %s", asin)
                self.result.fail(asin, f"Matching {asin} failed: {type(exc).__name__}")
                continue
            if decision.kind == "linked" and decision.book is not None:
                # Only what linking needs: the decision holds its candidates (and, through
                # them, the index's prepared books).
                method = _METHODS.get(decision.method, MatchMethod.FUZZY)
                confidence = min(1.0, max(0.0, float(decision.confidence)))
                linked.append((item, observed, decision.book.id, method, confidence))
            elif decision.kind == "conflict":
                self._open_conflict(item, decision)
                open_conflicts.add(asin)
            elif policy_allows(self.config, parsed):
                self._create(parsed)
            else:
                self.result.skip(item, SKIP_POLICY)
        return linked

    @property
    def index(self) -> CatalogIndex:
        if self._index is None:
            self._index = build_user_index(self.user_id)
        return self._index

    def _open_conflict(self, item: dict[str, Any], decision: Any) -> None:
        conflict = AudibleConflict(
            user_id=self.user_id,
            asin=item["asin"],
            item=item,
            candidates=[c.to_dict() for c in decision.candidates],
            recommendation=decision.recommendation.name,
        )
        self.new_conflicts.append(conflict)
        self.journal.conflict_opened(conflict)
        self.result.conflicts_opened += 1
        self.result.note(
            {
                "asin": item["asin"],
                "title": item.get("title"),
                "change": "conflict_opened",
                "candidates": [c.book.id for c in decision.candidates],
            }
        )

    def _create(self, parsed: AudibleItem) -> None:
        item, observed = parsed.data, parsed.observed
        book = book_from_item(self.user_id, parsed.work)
        plan = plan_progress(BookState.of(book), Seen(), observed, self.now)
        for name, value in plan.book_fields.items():
            setattr(book, name, value)
        temp_id = f"new:{item['asin']}"
        mapping = self._mapping(item, book, plan, MatchMethod.CREATED, 1.0)
        self.journal.book_created(book, mapping)
        self.new.append(_New(mapping, book, plan, book_is_new=True, temp_id=temp_id))
        self._temp_books[temp_id] = book
        self.index.add(catalog_entry(temp_id, book))
        self.result.created += 1
        self.result.note(
            {"asin": item["asin"], "title": book.title, "change": "created", **_fields(plan)}
        )

    def _link(self, linked: list[_Linked]) -> None:
        real_ids = {book_id for _, _, book_id, _, _ in linked if not isinstance(book_id, str)}
        books = (
            {b.pk: b for b in Book.objects.filter(pk__in=real_ids).only(*BOOK_LOAD_FIELDS)}
            if real_ids
            else {}
        )
        self.writer.reads.update(load_reads(real_ids))
        for item, observed, book_id, method, confidence in linked:
            book = self._temp_books[book_id] if isinstance(book_id, str) else books[book_id]
            book_is_new = isinstance(book_id, str)
            state = BookState.of(book) if book_is_new else self.writer.state_of(book)
            plan = plan_progress(state, Seen(), observed, self.now)
            mapping = self._mapping(item, book, plan, method, confidence)
            if book_is_new:
                # A second edition of a book created in this run: link, progress goes on it.
                for name, value in plan.book_fields.items():
                    setattr(book, name, value)
            self.new.append(_New(mapping, book, plan, book_is_new=book_is_new))
            self.result.linked += 1
            self.result.note(
                {
                    "asin": item["asin"],
                    "title": item.get("title"),
                    "book_id": None if book_is_new else book.pk,
                    "change": "linked",
                    "method": str(method),
                    "confidence": round(confidence, 4),
                    **_fields(plan),
                }
            )

    def _mapping(
        self, item: dict, book: Book, plan: ProgressPlan, method: str, confidence: float
    ) -> AudibleBookMapping:
        mapping = AudibleBookMapping(
            user_id=self.user_id,
            asin=item["asin"],
            book=book,
            match_method=method,
            confidence=confidence,
            item=item,
            in_library=item.get("status") != "Revoked",
            last_seen_at=self.now,
        )
        for name, value in plan.seen.as_fields().items():
            setattr(mapping, name, value)
        self.journal.mapping_created(mapping)
        return mapping

    # ----------------------------------------------------------------- writing
    def _write(self) -> None:
        new_books = [n.book for n in self.new if n.book_is_new and n.temp_id]
        if new_books:
            Book.objects.bulk_create(new_books, batch_size=BATCH_SIZE)
        by_temp = {tid: b.pk for tid, b in self._temp_books.items()}
        for conflict in self.new_conflicts:
            for candidate in conflict.candidates:
                if isinstance(candidate.get("id"), str) and candidate["id"] in by_temp:
                    candidate["id"] = by_temp[candidate["id"]]
        if by_temp:  # the log names books by their real ids, not this run's placeholders
            for change in self.result.changes:
                if change.get("change") == "conflict_opened":
                    change["candidates"] = [by_temp.get(c, c) for c in change["candidates"]]
        for entry in self.new:
            entry.mapping.book = entry.book  # re-assign so book_id picks up the new pk
        if self.new:
            AudibleBookMapping.objects.bulk_create(
                [n.mapping for n in self.new], batch_size=BATCH_SIZE
            )
        for entry in self.new:
            progress_change = self.writer.add(
                entry.mapping,
                entry.book,
                entry.plan,
                mapping_written=True,
                book_written=entry.book_is_new,
            )
            if progress_change is not None and not entry.book_is_new:
                self.result.updated += 1
        if self.new_conflicts:
            AudibleConflict.objects.bulk_create(self.new_conflicts, batch_size=BATCH_SIZE)
        self.writer.flush()
        self.journal.save()


def _fields(plan: ProgressPlan) -> dict[str, Any]:
    out: dict[str, Any] = {"percent": plan.seen.percent}
    for name, value in plan.book_fields.items():
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def apply_library(
    config: AudibleConfig,
    library: Library,
    *,
    sync_log: AudibleSyncLog | None,
    now: datetime,
    match_config: MatchConfig | None = None,
    on_item: Callable[[int], None] | None = None,
) -> ApplyResult:
    """Apply ``library`` for ``config``'s user; run inside a transaction (see module doc)."""
    return LibraryApplier(
        config, library, sync_log=sync_log, now=now, match_config=match_config, on_item=on_item
    ).run()
