"""How the admin writes values people read: statuses, percents, confidences, run changes.

One module so every page says a thing the same way: a status as "Want to read" (never
``want_to_read``), a confidence or similarity as "94 %", a percent as "40 %", a date as
"2026-12-03 07:30". :func:`change_rows` turns a sync run's ``changes`` (through
:func:`tracker_api.audible_sync.runs.run_changes`, the API's own flattening) into table rows.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tracker_api.audible_sync.runs import run_changes
from tracker_api.books.models import BookStatus

DATETIME_FORMAT = "%Y-%m-%d %H:%M"
STATUS_WORDS = dict(BookStatus.choices)
CHANGE_WORDS = {
    "first_seen": "First seen",
    "started": "Started",
    "progress": "Progress",
    "finished": "Finished",
    "relisten": "Listening again",
    "backwards": "Went back",
    "linked": "Linked",
    "created": "Book created",
    "conflict_opened": "Conflict opened",
    "skipped": "Skipped",
    "not_in_library": "Left the library",
    "error": "Error",
    "more": "More changes",
}
FIELD_WORDS = {
    "status": "Status",
    "progress_percent": "Progress",
    "percent": "Audible progress",
    "started_at": "Started on",
    "finished_at": "Finished on",
}
NEUTRAL_CHANGES = {"skipped", "not_in_library", "more", "first_seen"}


def status_text(value: Any) -> str:
    """``want_to_read`` -> "Want to read"; empty -> "—"."""
    if not value:
        return "—"
    return str(STATUS_WORDS.get(str(value), str(value).replace("_", " ").capitalize()))


def percent_text(value: Any, digits: int = 0) -> str:
    """40 -> "40 %", 23.94 -> "24 %" (``digits=1``: "23.9 %"); unknown -> "—"."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:.{digits}f} %"


def confidence_text(value: Any) -> str:
    """A confidence or similarity between 0 and 1 as a whole percent: 0.9437 -> "94 %"."""
    if value is None or value == "":
        return "—"
    try:
        return percent_text(float(value) * 100)
    except (TypeError, ValueError):
        return str(value)


def datetime_text(value: Any) -> str:
    """An aware datetime (or its ISO text) in the site's time zone, as "2026-12-03 07:30"."""
    if isinstance(value, str):
        value = parse_datetime(value) or value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    return "—" if value in (None, "") else str(value)


def value_text(field: str | None, value: Any) -> str:
    """One side of a change, written for people."""
    if value is None or value == "":
        return "—"
    if field == "status":
        return status_text(value)
    if field in ("percent", "progress_percent"):
        return percent_text(value, 1)
    if field in ("started_at", "finished_at"):
        return datetime_text(value)
    return str(value)


def change_rows(changes: Any) -> list[dict[str, Any]]:
    """A sync run's changes as rows: title, what changed, before, after, why, book id."""
    rows = []
    for row in run_changes(changes):
        kind = row["change"]
        field = row["field"]
        what = CHANGE_WORDS.get(kind, kind.replace("_", " ").capitalize())
        if field:
            what = f"{what}: {FIELD_WORDS.get(field, field).lower()}"
        rows.append(
            {
                "title": row["title"] or row["asin"] or "—",
                "asin": row["asin"],
                "book_id": row["book_id"],
                "kind": kind,
                "what": what,
                "before": value_text(field, row["before"]) if field else "",
                "after": value_text(field, row["after"]) if field else "",
                "has_values": bool(field) or kind == "more",
                "why": row["why"],
                "tone": "neutral"
                if kind in NEUTRAL_CHANGES
                else ("bad" if kind == "error" else "ok"),
            }
        )
        if kind == "more":
            rows[-1]["after"] = str(row["after"])
    return rows
