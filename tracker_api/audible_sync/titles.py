"""Every Audible title of a person and where it went: its book, or none and why.

A title is known to the tracker in one of three ways, and each says where it stands:

* a **mapping** (``AudibleBookMapping``): ``linked`` to a book; ``ignored`` ("not mine");
  ``not_in_library`` (Audible no longer lists it; the book, if any, stays); ``unlinked`` (its
  book was deleted);
* an **open conflict** without a mapping: ``conflict_open`` (the matcher wants a decision);
* a **skip** in the person's latest finished sync: ``not_imported`` (the import policy, or a
  podcast while podcasts are not imported) or ``not_in_library`` (revoked before it was ever
  imported). A skipped title has no row of its own, so it is read from that run's log, which
  keeps the first ``MAX_LOGGED_CHANGES`` changes.

Plain functions over querysets: the API lists them and a dashboard may reuse them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.fields.json import KeyTransform

from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import ConflictStatus
from tracker_api.audible_sync.models import SyncStatus
from tracker_api.books.reading import in_order

STATES = ("linked", "ignored", "conflict_open", "not_imported", "not_in_library", "unlinked")
WHY = {
    "linked": "Linked to a book of yours.",
    "ignored": 'Marked "not mine": the sync leaves it alone.',
    "conflict_open": "Waiting for your decision: the matcher would not choose a book alone.",
    "not_in_library": "Audible no longer lists this title (returned or expired).",
    "unlinked": "Its book was deleted; link it again or ignore it.",
}
# The sync log's skip reasons (tracker_api.audible_sync.sync.apply) and what they mean here.
_SKIP_STATES = {
    "left out by the import policy": "not_imported",
    "a podcast (podcasts are not imported unless the config says so)": "not_imported",
    "no longer in the Audible library (returned or expired)": "not_in_library",
}
_MAPPING_FIELDS = (
    "id", "asin", "book_id", "match_method", "confidence", "ignored", "in_library",
    "last_percent", "last_position_ms", "last_is_finished", "last_finished_at", "last_seen_at",
    "updated_at",
)  # fmt: skip


def _empty(asin: str) -> dict[str, Any]:
    return {
        "asin": asin,
        "title": "",
        "authors": [],
        "state": "",
        "why": "",
        "book": None,
        "match_method": None,
        "confidence": None,
        "in_library": True,
        "last_percent": None,
        "last_position_ms": None,
        "last_is_finished": False,
        "last_finished_at": None,
        "last_seen_at": None,
        "conflict_id": None,
        "updated_at": None,
    }


def _authors(value: Any) -> list[str]:
    return [str(a) for a in value] if isinstance(value, list) else []


def mapping_state(ignored: bool, in_library: bool, book_id: int | None) -> str:
    if ignored:
        return "ignored"
    if not in_library:
        return "not_in_library"
    return "linked" if book_id else "unlinked"


def _from_mappings(mappings: QuerySet[AudibleBookMapping]) -> list[dict[str, Any]]:
    rows = mappings.values(
        *_MAPPING_FIELDS,
        "book__title",
        "book__status",
        "book__progress_percent",
        item_title=KeyTextTransform("title", "item"),
        item_authors=KeyTransform("authors", "item"),
    )
    titles = []
    for row in rows.iterator(chunk_size=2000):
        title = _empty(row["asin"])
        title.update({name: row[name] for name in _MAPPING_FIELDS if name in title})
        title["title"] = row["item_title"] or ""
        title["authors"] = _authors(row["item_authors"])
        if row["book_id"]:
            title["book"] = {
                "id": row["book_id"],
                "title": row["book__title"],
                "status": row["book__status"],
                "progress_percent": row["book__progress_percent"],
            }
        title["state"] = mapping_state(row["ignored"], row["in_library"], row["book_id"])
        title["why"] = WHY[title["state"]]
        titles.append(title)
    return titles


def _progress(item: dict[str, Any]) -> dict[str, Any]:
    found = item.get("progress")
    progress: dict[str, Any] = found if isinstance(found, dict) else {}
    percent = progress.get("percent")
    position = progress.get("position_ms")
    return {
        "last_percent": float(percent) if isinstance(percent, int | float) else None,
        "last_position_ms": position if isinstance(position, int) else None,
        "last_is_finished": bool(progress.get("is_finished")),
    }


def _from_conflicts(conflicts: QuerySet[AudibleConflict]) -> list[dict[str, Any]]:
    titles = []
    for conflict in conflicts.only("id", "asin", "item", "updated_at"):
        item = conflict.item if isinstance(conflict.item, dict) else {}
        title = _empty(conflict.asin)
        title.update(_progress(item))
        title["title"] = str(item.get("title") or "")
        title["authors"] = _authors(item.get("authors"))
        title["state"] = "conflict_open"
        title["why"] = WHY["conflict_open"]
        title["conflict_id"] = conflict.pk
        title["updated_at"] = conflict.updated_at
        titles.append(title)
    return titles


def latest_finished_run(user: Any) -> AudibleSyncLog | None:
    """The newest run that applied a library (not a dry run, not skipped or failed)."""
    return (
        AudibleSyncLog.objects.filter(
            user=user, dry_run=False, status__in=(SyncStatus.OK, SyncStatus.PARTIAL)
        )
        .order_by("-started_at", "-id")
        .first()
    )


def _from_skips(run: AudibleSyncLog | None) -> list[dict[str, Any]]:
    if run is None or not isinstance(run.changes, list):
        return []
    titles = []
    for entry in run.changes:
        if not isinstance(entry, dict) or entry.get("change") != "skipped":
            continue
        state = _SKIP_STATES.get(str(entry.get("reason") or ""))
        asin = entry.get("asin")
        if state is None or not isinstance(asin, str):
            continue
        title = _empty(asin)
        title["title"] = str(entry.get("title") or "")
        title["state"] = state
        reason = f"Not imported: {entry['reason']}."
        title["why"] = reason if state == "not_imported" else WHY[state]
        title["in_library"] = state != "not_in_library"
        title["last_seen_at"] = run.started_at
        title["updated_at"] = run.started_at
        titles.append(title)
    return titles


def person_titles(
    user: Any,
    *,
    state: str | None = None,
    asin: str | None = None,
    book_id: int | None = None,
    since: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every title of ``user`` (one entry per ASIN), ordered by title then ASIN, filtered.

    ``since``: titles whose record changed at or after it (a sync saw it, a link moved it).
    """
    mappings = AudibleBookMapping.objects.filter(user=user)
    conflicts = AudibleConflict.objects.filter(user=user, status=ConflictStatus.OPEN)
    if asin is not None:
        mappings, conflicts = mappings.filter(asin=asin), conflicts.filter(asin=asin)
    if book_id is not None:
        mappings = mappings.filter(book_id=book_id)
    titles = {t["asin"]: t for t in _from_mappings(mappings)}
    if book_id is None:
        for title in _from_conflicts(conflicts):
            titles.setdefault(title["asin"], title)
        for title in _from_skips(latest_finished_run(user)):
            if asin is None or title["asin"] == asin:
                titles.setdefault(title["asin"], title)
    found = [
        t
        for t in titles.values()
        if (state is None or t["state"] == state)
        and (since is None or (t["updated_at"] is not None and t["updated_at"] >= since))
    ]
    return sorted(found, key=lambda t: (t["title"].casefold(), t["asin"]))


def title_detail(user: Any, asin: str) -> dict[str, Any] | None:
    """One title with its last Audible snapshot, progress history, conflicts and its book's
    reads; None when the person has no such title."""
    from tracker_api.audible_sync.models import AudibleProgressHistory
    from tracker_api.books.models import BookRead

    found = person_titles(user, asin=asin)
    if not found:
        return None
    title = found[0]
    mapping = AudibleBookMapping.objects.filter(user=user, asin=asin).only("item").first()
    conflict = (
        AudibleConflict.objects.filter(user=user, asin=asin).order_by("-created_at", "-id").first()
    )
    item = (mapping.item if mapping else None) or (conflict.item if conflict else None) or {}
    title["item"] = item if isinstance(item, dict) and item.get("asin") else {"asin": asin}
    title["history"] = list(
        AudibleProgressHistory.objects.filter(user=user, asin=asin)
        .select_related("book")
        .order_by("-recorded_at", "-id")[:HISTORY_LIMIT]
    )
    title["conflicts"] = list(
        AudibleConflict.objects.filter(user=user, asin=asin)
        .select_related("resolved_by")
        .order_by("-created_at", "-id")
    )
    book = title["book"]
    reads = list(BookRead.objects.filter(book_id=book["id"]).select_related("book")) if book else []
    title["reads"] = list(reversed(in_order(reads)))  # the open read first, then newest first
    return title


HISTORY_LIMIT = 100
