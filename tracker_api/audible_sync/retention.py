"""Retention: old sync logs go, old progress history is thinned.

History older than the cut-off keeps every snapshot that moved the book's status and, besides
those, the last snapshot of each title per day (UTC); everything else is deleted. Both functions
are idempotent: a second run with the same arguments removes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.config.env import env_int

DELETE_BATCH = 1000


def default_log_days() -> int:
    return env_int("AUDIBLE_LOG_RETENTION_DAYS", 90, minimum=1)


def default_history_days() -> int:
    return env_int("AUDIBLE_HISTORY_RETENTION_DAYS", 30, minimum=1)


@dataclass(frozen=True)
class CleanupResult:
    logs_removed: int
    history_removed: int


def drop_old_sync_logs(days: int, now: datetime | None = None) -> int:
    """Delete sync logs started more than ``days`` days ago; returns how many.

    A log still marked running that old is a leftover of a crashed process and goes like the
    rest. History rows that
    pointed at a deleted log keep their data (their ``sync_log`` becomes empty).
    """
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = AudibleSyncLog.objects.filter(started_at__lt=cutoff)
    removed = 0
    while True:
        ids = list(old.values_list("id", flat=True)[:DELETE_BATCH])
        if not ids:
            return removed
        removed += (
            AudibleSyncLog.objects.filter(id__in=ids).delete()[1].get(AudibleSyncLog._meta.label, 0)
        )


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def thin_progress_history(days: int, now: datetime | None = None) -> int:
    """Thin history older than ``days`` days to status changes + one snapshot per title per day.

    Streams the old rows in (mapping, time) order so memory stays bounded; returns how many
    snapshots were deleted.
    """
    cutoff = (now or timezone.now()) - timedelta(days=days)
    rows = (
        AudibleProgressHistory.objects.filter(recorded_at__lt=cutoff)
        .order_by("mapping_id", "recorded_at", "id")
        .values_list("id", "mapping_id", "recorded_at", "status_before", "status_after")
    )
    doomed: list[int] = []
    removed = 0
    kept_key: tuple[int, date] | None = None
    kept_id: int | None = None
    with transaction.atomic():
        for row_id, mapping_id, recorded_at, before, after in rows.iterator(chunk_size=2000):
            if before != after:
                continue  # a status change: always kept, and not the day's ordinary snapshot
            key = (mapping_id, _day(recorded_at))
            if key == kept_key and kept_id is not None:
                doomed.append(kept_id)  # a later snapshot of the same day replaces it
            kept_key, kept_id = key, row_id
            if len(doomed) >= DELETE_BATCH:
                removed += _delete_history(doomed)
                doomed = []
        removed += _delete_history(doomed)
    return removed


def _delete_history(ids: list[int]) -> int:
    if not ids:
        return 0
    return AudibleProgressHistory.objects.filter(id__in=ids).delete()[0]


def cleanup(log_days: int, history_days: int, now: datetime | None = None) -> CleanupResult:
    """Both retention steps, as ``manage.py audible_cleanup`` runs them."""
    now = now or timezone.now()
    return CleanupResult(
        logs_removed=drop_old_sync_logs(log_days, now),
        history_removed=thin_progress_history(history_days, now),
    )
