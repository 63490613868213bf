"""A sync run as a person reads it: its counts, and its per-book changes in one flat shape.

The sync log row stores what the applier noted (``AudibleSyncLog.changes``), one entry per
title in a few kinds of shape (a progress change carries ``[before, after]`` pairs, a created
book the values it got, a skip its reason). :func:`run_changes` turns every entry into rows of
one documented shape, so a client never parses the applier's notes:

``{"asin", "title", "book_id", "change", "field", "before", "after", "why"}``

* ``change`` is what happened to the title: ``started``, ``progress``, ``finished``,
  ``relisten``, ``backwards``, ``first_seen``, ``linked``, ``created``, ``conflict_opened``,
  ``skipped``, ``not_in_library``, ``error``, or ``more`` (the log kept the first
  ``MAX_LOGGED_CHANGES`` and counts the rest in ``after``);
* ``field`` is the book field that changed (``status``, ``progress_percent``,
  ``started_at``, ``finished_at``), ``percent`` for Audible's own percent, or null for a row
  that changes no field (a skip, a conflict, an error);
* ``why`` is a sentence for people: the skip's reason, the match method, the error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

COUNT_FIELDS = (
    "items_seen",
    "linked",
    "created",
    "updated",
    "conflicts_opened",
    "skipped",
    "errors",
)
CHANGE_KINDS = (
    "first_seen",
    "started",
    "progress",
    "finished",
    "relisten",
    "backwards",
    "linked",
    "created",
    "conflict_opened",
    "skipped",
    "not_in_library",
    "error",
    "more",
)
BOOK_FIELDS = ("status", "progress_percent", "started_at", "finished_at")
_WHY = {
    "first_seen": "First time this title's progress was seen.",
    "started": "Audible shows the title started.",
    "progress": "Audible shows more of the title listened to.",
    "finished": "Audible shows the title finished.",
    "relisten": "Audible shows the finished title started again (a re-listen).",
    "backwards": "Audible shows less of the title listened to than before.",
    "not_in_library": "Audible no longer lists this title (returned or expired).",
}


def _row(entry: dict[str, Any], kind: str, field: str | None, before: Any, after: Any,
         why: str) -> dict[str, Any]:  # fmt: skip
    title = entry.get("title")
    return {
        "asin": entry.get("asin") if isinstance(entry.get("asin"), str) else None,
        "title": title if isinstance(title, str) else None,
        "book_id": entry.get("book_id") if isinstance(entry.get("book_id"), int) else None,
        "change": kind,
        "field": field,
        "before": before,
        "after": after,
        "why": why,
    }


def _field_rows(entry: dict[str, Any], kind: str, why: str) -> Iterator[dict[str, Any]]:
    """A row per changed field: ``[before, after]`` pairs, or a new value (before is null)."""
    if "percent" in entry:
        yield _row(entry, kind, "percent", entry.get("previous_percent"), entry["percent"], why)
    for name in BOOK_FIELDS:
        if name not in entry:
            continue
        value = entry[name]
        if isinstance(value, list) and len(value) == 2:
            yield _row(entry, kind, name, value[0], value[1], why)
        else:
            yield _row(entry, kind, name, None, value, why)


def entry_rows(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of one log entry (at least one, so every noted title shows)."""
    kind = str(entry.get("change") or "")
    if kind == "skipped":
        return [_row(entry, kind, None, None, None, str(entry.get("reason") or ""))]
    if kind == "conflict_opened":
        n = len(entry.get("candidates") or [])
        why = f"The matcher would not decide alone: {n} candidate book(s) to choose from."
        return [_row(entry, kind, None, None, None, why)]
    if kind == "error":
        return [_row(entry, kind, None, None, None, str(entry.get("message") or ""))]
    if kind == "more":
        why = "More changes than the log keeps; after is how many were left out."
        return [_row(entry, kind, None, None, entry.get("count"), why)]
    if kind == "linked":
        why = f"Matched by {entry.get('method', 'the matcher')}"
        if isinstance(entry.get("confidence"), int | float):
            why += f" (confidence {entry['confidence'] * 100:.0f} %)"
        why += "."
    elif kind == "created":
        why = "No book of yours matched, so a book was created from the Audible title."
    else:
        kind = kind if kind in CHANGE_KINDS else "progress"
        why = _WHY.get(kind, "")
    rows = list(_field_rows(entry, kind, why))
    return rows or [_row(entry, kind, None, None, None, why)]


def run_changes(changes: Any) -> list[dict[str, Any]]:
    """Every row of a sync log's ``changes``, in the order the sync noted them."""
    if not isinstance(changes, list):
        return []
    return [row for entry in changes if isinstance(entry, dict) for row in entry_rows(entry)]
