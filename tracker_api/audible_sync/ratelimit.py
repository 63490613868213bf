"""May this person sync now? Worked out from the sync logs alone, so nothing needs resetting.

Two limits protect Audible (and the person's account) from too many library fetches:

* **minimum interval**: a new sync may start only ``sync_bounds.min_sync_interval_minutes()`` after
  the last *started* sync that was not skipped (dry runs included: they fetch the same
  library from Audible);
* **daily cap**: at most ``config.daily_sync_cap`` non-skipped syncs (dry runs included: they
  still fetch the library) in any rolling 24 hours.

Because both are counted from ``audible_sync_logs``, a day "resets" by itself as old rows age
out of the window. ``is_due`` adds the schedule on top for cron: auto-sync on, enabled,
connected, no re-login needed, Audible's own back-off over and the user's chosen interval gone
(the schedule counts real syncs only: a dry run does not move it).

Audible's own back-off (``rate_limited_until``, set when Audible answered 429) is above both:
:func:`audible_backoff_until` says until when no sync at all, forced or not, may ask Audible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from tracker_api.audible_sync import sync_bounds
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import SyncErrorCode
from tracker_api.audible_sync.models import SyncStatus

DAY = timedelta(hours=24)

REASON_INTERVAL = "interval"
REASON_DAILY_CAP = "daily_cap"


@dataclass(frozen=True)
class RateLimitDecision:
    """``allowed``, or why not (``reason``) and the earliest moment it will be (``retry_at``)."""

    allowed: bool
    retry_at: datetime | None = None
    reason: str = ""

    def retry_after_seconds(self, now: datetime | None = None) -> int | None:
        """Whole seconds until ``retry_at`` (at least 1), for a ``Retry-After`` header."""
        if self.retry_at is None:
            return None
        now = now or timezone.now()
        return max(1, int((self.retry_at - now).total_seconds() + 0.999))


def _counted_logs(config: AudibleConfig) -> QuerySet[AudibleSyncLog]:
    return AudibleSyncLog.objects.filter(user_id=config.user_id).exclude(status=SyncStatus.SKIPPED)


def last_counted_start(config: AudibleConfig, *, dry_runs: bool = True) -> datetime | None:
    """When the last non-skipped sync started (the interval counts from it); ``dry_runs=False``
    leaves dry runs out (the person's schedule counts real syncs only).

    A run that was interrupted (its process died) does not count: the person may retry at
    once. It still counts towards the daily cap.
    """
    logs = _counted_logs(config)
    if not dry_runs:
        logs = logs.filter(dry_run=False)
    return (
        logs.exclude(status=SyncStatus.FAILED, error_code=SyncErrorCode.INTERRUPTED)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )


def check_rate_limit(config: AudibleConfig, now: datetime | None = None) -> RateLimitDecision:
    """Whether a sync may start at ``now``; two small indexed queries on the user's logs."""
    now = now or timezone.now()
    interval = timedelta(minutes=sync_bounds.min_sync_interval_minutes())
    last = last_counted_start(config)
    interval_until = last + interval if last is not None else None

    cap = max(1, config.daily_sync_cap)
    starts = list(
        _counted_logs(config)
        .filter(started_at__gt=now - DAY, started_at__lte=now)
        .order_by("started_at")
        .values_list("started_at", flat=True)
    )
    cap_until = starts[len(starts) - cap] + DAY if len(starts) >= cap else None

    blocked = [
        (until, reason)
        for until, reason in ((cap_until, REASON_DAILY_CAP), (interval_until, REASON_INTERVAL))
        if until is not None and until > now
    ]
    if not blocked:
        return RateLimitDecision(allowed=True)
    retry_at, reason = max(blocked, key=lambda pair: pair[0])
    return RateLimitDecision(allowed=False, retry_at=retry_at, reason=reason)


def next_scheduled_at(config: AudibleConfig) -> datetime | None:
    """When the user's own interval next makes a scheduled sync due (None: due now or never)."""
    last = last_counted_start(config, dry_runs=False)
    if last is None:
        return None
    return last + timedelta(minutes=config.sync_interval_minutes)


def reschedule(config: AudibleConfig) -> None:
    """Re-aim ``next_sync_at`` (the cron claim index) after the person changed the schedule or
    reconnected: the last counted start plus the interval now chosen, or due now (None) when
    never synced. ``is_due`` still has the last word when cron looks."""
    config.next_sync_at = next_scheduled_at(config)
    AudibleConfig.objects.filter(pk=config.pk).update(next_sync_at=config.next_sync_at)


def audible_backoff_until(config: AudibleConfig, now: datetime | None = None) -> datetime | None:
    """Until when Audible asked us to wait (its 429), if that is still ahead; else None."""
    now = now or timezone.now()
    until = config.rate_limited_until
    return until if until is not None and until > now else None


def is_due(config: AudibleConfig, now: datetime | None = None) -> bool:
    """Whether cron should sync this person now.

    Due means: auto-sync on, enabled, connected, not waiting for a re-login, not inside
    Audible's own back-off (``rate_limited_until``), the user's ``sync_interval_minutes``
    elapsed since the last counted sync, and the rate limit allows it.
    """
    now = now or timezone.now()
    if not (config.auto_sync and config.enabled and config.is_connected):
        return False
    if config.needs_relogin:
        return False
    if audible_backoff_until(config, now) is not None:
        return False
    scheduled = next_scheduled_at(config)
    if scheduled is not None and scheduled > now:
        return False
    return check_rate_limit(config, now).allowed
