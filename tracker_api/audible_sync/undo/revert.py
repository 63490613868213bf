"""Reverting from the change log: undo a whole sync run, or what an old link wrote to a book.

Both come down to :func:`revert`: given the records of what was written, it puts every row
back as it was before the first of them (a created row is deleted, a changed row gets its
``before`` values back, ``updated_at`` included, so the row is exactly as it was) and logs the
revert as a change set of its own. It refuses, with a sentence naming what did, when anything
newer touched the same books or titles:

* a later sync run or link that changed one of them and is not itself undone; or
* a row that is no longer as the action left it (a person's edit, an import, the admin).

Only the owner's rows are ever read; callers pass the owner. Call :func:`undo_run` and
:func:`revert_link` inside nothing: they open their own transaction (``revert_link`` is also
called inside a link's transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from django.db import transaction
from django.db.models import Q

from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import ConflictStatus
from tracker_api.audible_sync.models import SyncStatus
from tracker_api.audible_sync.sync import lock
from tracker_api.audible_sync.undo import snapshots
from tracker_api.audible_sync.undo.records import REVERT_KINDS
from tracker_api.audible_sync.undo.records import ChangeKind
from tracker_api.audible_sync.undo.records import ChangeRecord
from tracker_api.audible_sync.undo.records import ChangeSet
from tracker_api.books import reading
from tracker_api.books.models import Book
from tracker_api.books.models import BookRead
from tracker_api.core.service_errors import ServiceError

TOUCHED = "by hand, by an import or in the admin"


class UndoRefused(ServiceError):
    """A refusal with a stable ``code``, a sentence and the HTTP status it means."""

    code = "undo_refused"
    status = 409


class UndoBlocked(UndoRefused):
    code = "undo_blocked"


class AlreadyUndone(UndoRefused):
    code = "already_undone"


class NothingToUndo(UndoRefused):
    code = "nothing_to_undo"


class UndoUnavailable(UndoRefused):
    code = "undo_unavailable"


class UndoWhileSyncing(UndoRefused):
    code = "sync_already_running"


class RunNotFound(UndoRefused):
    code = "not_found"
    status = 404


@dataclass
class RevertOutcome:
    """What a revert did (``change_set`` is its own log entry)."""

    change_set: ChangeSet
    books_restored: list[int] = field(default_factory=list)
    books_deleted: list[int] = field(default_factory=list)
    reads_restored: int = 0
    reads_deleted: int = 0
    history_deleted: int = 0
    mappings_restored: int = 0
    mappings_deleted: int = 0
    conflicts_deleted: int = 0
    records_reverted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.change_set.pk,
            "kind": self.change_set.kind,
            "created_at": self.change_set.created_at,
            "summary": self.change_set.summary,
            "books_restored": sorted(self.books_restored),
            "books_deleted": sorted(self.books_deleted),
            "reads_restored": self.reads_restored,
            "reads_deleted": self.reads_deleted,
            "history_deleted": self.history_deleted,
            "mappings_restored": self.mappings_restored,
            "mappings_deleted": self.mappings_deleted,
            "conflicts_deleted": self.conflicts_deleted,
            "records_reverted": self.records_reverted,
        }


# --- entry points -------------------------------------------------------------------------------


def undo_run(user: Any, run_id: Any, *, by: Any = None) -> RevertOutcome:
    """Undo everything sync run ``run_id`` of ``user`` wrote (see the module docstring).

    Holds the user's sync lock meanwhile, so no sync applies while the rows are put back.
    """
    try:
        run = AudibleSyncLog.objects.filter(user=user, pk=int(run_id)).first()
    except (TypeError, ValueError):
        run = None
    if run is None:
        raise RunNotFound("You have no sync run with this id.")
    if run.dry_run:
        raise NothingToUndo(f"Run {run.pk} was a dry run: it changed nothing, so nothing to undo.")
    if run.status == SyncStatus.RUNNING:
        raise UndoWhileSyncing(f"Run {run.pk} is still running; undo it when it has finished.")
    config = AudibleConfig.objects.filter(user=user).first()
    token = lock.acquire(config.pk) if config is not None else None
    if config is not None and token is None:
        raise UndoWhileSyncing("A sync of this Audible account is running; undo when it ends.")
    try:
        with transaction.atomic():
            sets = list(ChangeSet.objects.filter(user=user, kind=ChangeKind.SYNC, sync_log=run))
            if not sets:
                if any(
                    isinstance(c, dict) and c.get("change") not in ("skipped", "error", "more")
                    for c in run.changes or []
                ):
                    raise UndoUnavailable(
                        f"Run {run.pk} was logged before every change was recorded in full; "
                        "it cannot be undone."
                    )
                raise NothingToUndo(f"Run {run.pk} changed nothing; there is nothing to undo.")
            records = list(
                ChangeRecord.objects.select_for_update()
                .filter(change_set__in=sets, reverted_by__isnull=True)
                .order_by("id")
            )
            if not records:
                raise AlreadyUndone(f"Everything run {run.pk} changed has already been undone.")
            return revert(
                user,
                records,
                kind=ChangeKind.UNDO_RUN,
                by=by,
                label=f"Run {run.pk}",
                reverts=sets[0],
                sync_log=run,
            )
    finally:
        if config is not None and token is not None:
            lock.release(config.pk, token)


def revert_link(user: Any, mapping: AudibleBookMapping, *, by: Any = None) -> RevertOutcome | None:
    """Revert what ``mapping`` (as it now is) wrote to its book: the book's status, percent
    and dates, the reads and history rows it wrote, a book it created. The mapping itself is
    left for the caller, which is moving it. None when nothing was recorded for the pair.
    Call inside the caller's transaction, with the mapping locked."""
    if mapping.book_id is None:
        return None
    records = list(
        ChangeRecord.objects.select_for_update()
        .filter(
            change_set__user=user,
            mapping_pk=mapping.pk,
            book_pk=mapping.book_id,
            reverted_by__isnull=True,
        )
        .exclude(change_set__kind__in=REVERT_KINDS)
        .order_by("id")
    )
    if not records:
        return None
    title = records[-1].title or mapping.asin
    return revert(
        user,
        records,
        kind=ChangeKind.REVERT_LINK,
        by=by,
        label=f'What the link of {mapping.asin} wrote to "{title}"',
        skip_mapping=True,
        asin=mapping.asin,
    )


# --- the revert -----------------------------------------------------------------------------------


@dataclass
class _Rows:
    """Every row of one model the records touched: first part (its before), last (its after)."""

    first: dict[int, dict[str, Any]] = field(default_factory=dict)
    last: dict[int, dict[str, Any]] = field(default_factory=dict)
    owner: dict[int, ChangeRecord] = field(default_factory=dict)  # the record seen first

    def add(self, part: dict[str, Any], record: ChangeRecord) -> None:
        pk = part["id"]
        if pk not in self.first:
            self.first[pk] = part
            self.owner[pk] = record
        self.last[pk] = part

    def created(self) -> list[int]:
        return [pk for pk, part in self.first.items() if part["op"] == "create"]

    def changed(self) -> list[int]:
        return [pk for pk, part in self.first.items() if part["op"] != "create"]

    def names(self) -> set[str]:
        return {name for part in self.last.values() for name in part["after"]}


def revert(
    user: Any,
    records: list[ChangeRecord],
    *,
    kind: str,
    by: Any,
    label: str,
    skip_mapping: bool = False,
    reverts: ChangeSet | None = None,
    sync_log: AudibleSyncLog | None = None,
    asin: str = "",
) -> RevertOutcome:
    """Put back every row ``records`` wrote, or raise :class:`UndoBlocked` (module docstring).

    Call inside a transaction. ``skip_mapping``: leave the mappings as they are (a relink).
    """
    books, reads, mappings = _Rows(), _Rows(), _Rows()
    history: set[int] = set()
    conflicts: dict[int, ChangeRecord] = {}
    for record in records:
        data = record.data or {}
        if data.get("book"):
            books.add(data["book"], record)
        for part in data.get("reads") or []:
            reads.add(part, record)
        if data.get("mapping") and not skip_mapping:
            mappings.add(data["mapping"], record)
        history.update(data.get("history") or [])
        for pk in data.get("conflicts") or []:
            conflicts.setdefault(pk, record)
    book_ids = set(books.first) | {r.book_pk for r in records if r.book_pk is not None}
    mapping_ids = set(mappings.first) | (
        set() if skip_mapping else {r.mapping_pk for r in records if r.mapping_pk is not None}
    )
    list(Book.objects.select_for_update().filter(pk__in=book_ids, user=user).only("pk"))
    _refuse_if_newer(user, records, book_ids, mapping_ids, label)
    now_books = _check(Book, books, snapshots.BOOK, label, user)
    now_reads = _check(BookRead, reads, snapshots.READ, label, user)
    now_mappings = _check(AudibleBookMapping, mappings, snapshots.MAPPING, label, user)
    open_conflicts = set(
        AudibleConflict.objects.filter(
            user=user, pk__in=list(conflicts), status=ConflictStatus.OPEN
        ).values_list("pk", flat=True)
    )
    for pk, record in conflicts.items():
        if pk not in open_conflicts and AudibleConflict.objects.filter(pk=pk).exists():
            raise UndoBlocked(
                f'{label} cannot be undone: the conflict it opened for "{record.title}" was '
                "resolved since. Undo what resolved it first."
            )
    created_books = [pk for pk in books.created() if pk in now_books]
    created_reads = set(reads.created())
    for pk in created_books:
        others = BookRead.objects.filter(book_id=pk).exclude(pk__in=created_reads)
        if others.exists():
            title = books.owner[pk].title
            raise UndoBlocked(
                f'{label} cannot be undone: "{title}", a book it created, has reads recorded '
                f"since ({TOUCHED})."
            )

    outcome_parts: dict[int, dict[str, Any]] = {}

    def note(record: ChangeRecord, name: str, entry: Any) -> None:
        data = outcome_parts.setdefault(record.pk, {})
        if name in ("reads", "history", "conflicts"):
            data.setdefault(name, []).append(entry)
        else:
            data[name] = entry

    history_deleted = AudibleProgressHistory.objects.filter(
        user=user, pk__in=list(history)
    ).delete()[0]
    if history:
        for record in records:
            for pk in (record.data or {}).get("history") or []:
                note(record, "history", pk)
    conflicts_deleted = AudibleConflict.objects.filter(
        user=user, pk__in=list(open_conflicts)
    ).delete()[0]
    for pk in open_conflicts:
        note(conflicts[pk], "conflicts", pk)
    deleted_reads = [pk for pk in created_reads if pk in now_reads]
    BookRead.objects.filter(pk__in=deleted_reads, book__user=user).delete()
    for pk in deleted_reads:
        note(reads.owner[pk], "reads", _undone(pk, now_reads[pk], None))
    restored_reads = [pk for pk in reads.changed() if pk in now_reads]
    for pk in restored_reads:
        before = reads.first[pk]["before"]
        BookRead.objects.filter(pk=pk).update(**snapshots.decode(BookRead, before))
        note(reads.owner[pk], "reads", _undone(pk, now_reads[pk], before))
    restored_mappings = [pk for pk in mappings.changed() if pk in now_mappings]
    for pk in restored_mappings:
        before = mappings.first[pk]["before"]
        AudibleBookMapping.objects.filter(pk=pk).update(
            **snapshots.decode(AudibleBookMapping, before)
        )
        note(mappings.owner[pk], "mapping", _undone(pk, now_mappings[pk], before))
    deleted_mappings = [pk for pk in mappings.created() if pk in now_mappings]
    AudibleBookMapping.objects.filter(pk__in=deleted_mappings, user=user).delete()
    for pk in deleted_mappings:
        note(mappings.owner[pk], "mapping", _undone(pk, now_mappings[pk], None))
    restored_books = [pk for pk in books.changed() if pk in now_books]
    for pk in restored_books:
        before = books.first[pk]["before"]
        Book.objects.filter(pk=pk).update(**snapshots.decode(Book, before))
        note(books.owner[pk], "book", _undone(pk, now_books[pk], before))
    Book.objects.filter(pk__in=created_books, user=user).delete()
    for pk in created_books:
        note(books.owner[pk], "book", _undone(pk, now_books[pk], None))
    for pk, after in _keep_consistent(restored_books).items():
        note(books.owner[pk], "book", {**outcome_parts[books.owner[pk].pk]["book"], "after": after})

    summary = f"{label}: undone." if kind == ChangeKind.UNDO_RUN else f"{label}: reverted."
    change_set = ChangeSet.objects.create(
        user=user,
        kind=kind,
        sync_log=sync_log,
        by=by,
        asin=asin,
        reverts=reverts,
        summary=summary[:500],
    )
    by_pk = {r.pk: r for r in records}
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                change_set=change_set,
                asin=by_pk[pk].asin,
                title=by_pk[pk].title,
                book_pk=by_pk[pk].book_pk,
                mapping_pk=by_pk[pk].mapping_pk,
                data=data,
            )
            for pk, data in outcome_parts.items()
        ]
    )
    ChangeRecord.objects.filter(pk__in=[r.pk for r in records]).update(reverted_by=change_set)
    return RevertOutcome(
        change_set=change_set,
        books_restored=restored_books,
        books_deleted=created_books,
        reads_restored=len(restored_reads),
        reads_deleted=len(deleted_reads),
        history_deleted=history_deleted,
        mappings_restored=len(restored_mappings),
        mappings_deleted=len(deleted_mappings),
        conflicts_deleted=conflicts_deleted,
        records_reverted=len(records),
    )


def _undone(pk: int, found: dict[str, Any], restored: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": pk,
        "op": "delete" if restored is None else "restore",
        "before": found,
        "after": restored,
    }


def _refuse_if_newer(
    user: Any, records: list[ChangeRecord], book_ids: set[int], mapping_ids: set[int], label: str
) -> None:
    """A later sync run or link (not undone) that touched the same books or titles."""
    touched = Q(book_pk__in=book_ids)
    if mapping_ids:
        touched |= Q(mapping_pk__in=mapping_ids)
    newer = (
        ChangeRecord.objects.filter(
            touched,
            change_set__user=user,
            id__gt=min(r.pk for r in records),
            reverted_by__isnull=True,
        )
        .exclude(pk__in=[r.pk for r in records])
        .exclude(change_set__kind__in=REVERT_KINDS)
        .select_related("change_set")
        .order_by("id")
        .first()
    )
    if newer is not None:
        what = newer.title or newer.asin or "a book"
        raise UndoBlocked(
            f'{label} cannot be undone: {newer.change_set.describe()} changed "{what}" after '
            "it. Undo that first."
        )


def _check(
    model: Any, rows: _Rows, names: tuple[str, ...], label: str, user: Any
) -> dict[int, dict[str, Any]]:
    """The rows as they are now; raises when one is not as the records left it. A row that
    is gone (a person deleted a book, retention thinned history) has nothing to put back."""
    found = snapshots.current(model, list(rows.first), set(names))
    for pk, part in rows.last.items():
        now = found.get(pk)
        if now is None:
            if part["op"] != "create" and model is not Book:
                what = rows.owner[pk].title or rows.owner[pk].asin
                raise UndoBlocked(
                    f'{label} cannot be undone: a row it wrote for "{what}" was deleted since '
                    f"({TOUCHED})."
                )
            continue
        if any(now.get(name) != value for name, value in part["after"].items()):
            what = rows.owner[pk].title or rows.owner[pk].asin
            raise UndoBlocked(
                f'{label} cannot be undone: "{what}" was changed after it ({TOUCHED}).'
            )
    return found


def _keep_consistent(book_ids: list[int]) -> dict[int, dict[str, Any]]:
    """A book whose reads changed since in a way the undo did not (an import added an older
    read) shows what its reads say, not the restored values. Returns those books' rows as
    they are now, for the revert's own record."""
    refreshed = {}
    for book in Book.objects.filter(pk__in=book_ids):
        if reading.refresh_book(book):
            refreshed[book.pk] = snapshots.snapshot(book, snapshots.BOOK)
    return refreshed
