"""The journal an action keeps while it writes: every row it creates or changes, per title.

The sync's writer (``progress.ProgressWriter``), the applier and the linking functions tell a
:class:`Journal` about each row *before* they change it (``*_before``) or when they create it
(``*_created``). Nothing is written until :meth:`Journal.save`, called in the same
transaction right after the rows were written: it takes each row's ``after`` from the objects
just saved (their ids and ``updated_at`` are set by then) and stores one
:class:`~tracker_api.audible_sync.undo.records.ChangeRecord` per title in one ``bulk_create``.
A dry run rolls the journal back with everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from django.db import models

from tracker_api.audible_sync.undo import snapshots
from tracker_api.audible_sync.undo.records import ChangeRecord
from tracker_api.audible_sync.undo.records import ChangeSet

BATCH_SIZE = 500
CREATE = "create"
UPDATE = "update"


@dataclass
class _Row:
    obj: models.Model
    op: str
    before: dict[str, Any] | None


@dataclass
class _Title:
    """What one action wrote for one title (an ASIN, or a book without one)."""

    asin: str
    title: str = ""
    mapping: _Row | None = None
    book: _Row | None = None
    reads: list[_Row] = field(default_factory=list)
    history: list[models.Model] = field(default_factory=list)
    conflicts: list[models.Model] = field(default_factory=list)

    def read(self, obj: models.Model) -> _Row | None:
        return next((r for r in self.reads if r.obj is obj), None)


class Journal:
    """Collects one action's writes; :meth:`save` turns them into a change set."""

    def __init__(
        self,
        user_id: int,
        kind: str,
        *,
        sync_log: Any = None,
        by: Any = None,
        asin: str = "",
        summary: str = "",
    ) -> None:
        self.user_id = user_id
        self.kind = kind
        self.sync_log = sync_log
        self.by = by
        self.asin = asin
        self.summary = summary
        self.titles: dict[Any, _Title] = {}
        self.saved: ChangeSet | None = None

    # ------------------------------------------------------------------ what the writers say
    def _title(self, mapping: Any = None, book: Any = None, asin: str = "") -> _Title:
        asin = asin or (getattr(mapping, "asin", "") if mapping is not None else "")
        key: Any = asin or ("book", id(book))
        entry = self.titles.get(key)
        if entry is None:
            entry = self.titles[key] = _Title(asin=asin)
        if not entry.title:
            if book is not None and getattr(book, "title", ""):
                entry.title = str(book.title)[:500]
            elif mapping is not None:
                entry.title = str((getattr(mapping, "item", None) or {}).get("title") or "")[:500]
        return entry

    def mapping_before(self, mapping: Any) -> None:
        entry = self._title(mapping)
        if entry.mapping is None:
            if mapping.pk is None:
                entry.mapping = _Row(mapping, CREATE, None)
            else:
                before = snapshots.snapshot(mapping, snapshots.MAPPING)
                entry.mapping = _Row(mapping, UPDATE, before)

    def mapping_created(self, mapping: Any) -> None:
        self._title(mapping).mapping = _Row(mapping, CREATE, None)

    def book_before(self, book: Any, mapping: Any = None) -> None:
        entry = self._title(mapping, book)
        if entry.book is None:
            entry.book = _Row(book, UPDATE, snapshots.snapshot(book, snapshots.BOOK))

    def book_created(self, book: Any, mapping: Any = None, *, asin: str = "") -> None:
        self._title(mapping, book, asin).book = _Row(book, CREATE, None)

    def read_before(self, book: Any, mapping: Any, read: Any) -> None:
        entry = self._title(mapping, book)
        if entry.read(read) is None:
            entry.reads.append(_Row(read, UPDATE, snapshots.snapshot(read, snapshots.READ)))

    def read_created(self, book: Any, mapping: Any, read: Any) -> None:
        entry = self._title(mapping, book)
        if entry.read(read) is None:
            entry.reads.append(_Row(read, CREATE, None))

    def history_created(self, book: Any, mapping: Any, row: Any) -> None:
        self._title(mapping, book).history.append(row)

    def conflict_opened(self, conflict: Any) -> None:
        self._title(asin=conflict.asin).conflicts.append(conflict)
        entry = self.titles[conflict.asin]
        entry.title = entry.title or str((conflict.item or {}).get("title") or "")[:500]

    # ------------------------------------------------------------------ writing the record
    def records(self) -> list[ChangeRecord]:
        """The titles as unsaved records (after the rows themselves were written)."""
        out = []
        for entry in self.titles.values():
            data = _data(entry)
            if not data:
                continue
            mapping = entry.mapping.obj if entry.mapping else None
            book = entry.book.obj if entry.book else None
            book_pk = book.pk if book is not None else getattr(mapping, "book_id", None)
            if book_pk is None and entry.reads:
                book_pk = getattr(entry.reads[0].obj, "book_id", None)
            out.append(
                ChangeRecord(
                    asin=entry.asin[:20],
                    title=entry.title,
                    book_pk=book_pk,
                    mapping_pk=mapping.pk if mapping is not None else None,
                    data=data,
                )
            )
        return out

    def save(self) -> ChangeSet | None:
        """Store the change set and its records; None when the action changed nothing."""
        records = self.records()
        if not records:
            return None
        change_set = ChangeSet.objects.create(
            user_id=self.user_id,
            kind=self.kind,
            sync_log=self.sync_log,
            by=self.by,
            asin=self.asin,
            summary=self.summary[:500],
        )
        for record in records:
            record.change_set = change_set
        ChangeRecord.objects.bulk_create(records, batch_size=BATCH_SIZE)
        self.titles.clear()
        self.saved = change_set
        return change_set


def _data(entry: _Title) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if entry.mapping is not None and entry.mapping.obj.pk is not None:
        part = _part(entry.mapping, snapshots.MAPPING, compact=True)
        if part is not None:
            data["mapping"] = part
    if entry.book is not None and entry.book.obj.pk is not None:
        part = _part(entry.book, snapshots.BOOK)
        if part is not None:
            data["book"] = part
    reads = [p for p in (_part(r, snapshots.READ) for r in entry.reads if r.obj.pk) if p]
    if reads:
        data["reads"] = reads
    history = [row.pk for row in entry.history if row.pk is not None]
    if history:
        data["history"] = history
    conflicts = [row.pk for row in entry.conflicts if row.pk is not None]
    if conflicts:
        data["conflicts"] = conflicts
    return data


def _part(row: _Row, names: tuple[str, ...], *, compact: bool = False) -> dict[str, Any] | None:
    after = snapshots.snapshot(row.obj, names)
    if row.op == CREATE:
        if compact:  # a created mapping is deleted on undo: its id and owner book suffice
            after = {n: after[n] for n in ("book_id", "updated_at")}
        return {"id": row.obj.pk, "op": CREATE, "before": None, "after": after}
    before = row.before or {}
    if before == after:
        return None  # told before a change that did not happen
    if compact:
        before, after = snapshots.diff(before, after)
    return {"id": row.obj.pk, "op": UPDATE, "before": before, "after": after}
