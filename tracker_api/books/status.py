"""What a status change implies for progress and dates, applied wherever a person edits a book."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from tracker_api.books.models import BookStatus


def implied_by_status(
    status: str | None,
    changes: dict[str, Any],
    current: dict[str, Any],
    now: datetime | None = None,
) -> dict[str, Any]:
    """Fields to add to ``changes`` so a status change is consistent.

    Marking a book read finishes it (100 %, ``finished_at`` now) and starting to read sets
    ``started_at``, unless the caller set those fields explicitly or they are already set.
    """
    if status is None:
        return {}
    now = now or timezone.now()
    implied: dict[str, Any] = {}
    if status == BookStatus.READ:
        if "progress_percent" not in changes:
            implied["progress_percent"] = 100.0
        if "finished_at" not in changes and current.get("finished_at") is None:
            implied["finished_at"] = now
    if (
        status == BookStatus.READING
        and "started_at" not in changes
        and current.get("started_at") is None
    ):
        implied["started_at"] = now
    return implied
