"""What ``GET /api/audible/status`` reports, computed in a handful of aggregate queries."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from django.db.models import Count
from django.db.models import Q
from django.utils import timezone

from tracker_api.audible_sync import ratelimit
from tracker_api.audible_sync import sync_bounds
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import ConflictStatus
from tracker_api.audible_sync.models import SyncStatus
from tracker_api.books.models import BookStatus
from tracker_api.households.membership import connection_for
from tracker_api.households.membership import with_seat

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A running log older than this is a crashed sync, not a running one.
STALE_RUNNING_AFTER = timedelta(hours=2)


def connection_state(config: AudibleConfig) -> str:
    if not config.is_connected:
        return "not_connected"
    return "needs_relogin" if config.needs_relogin else "connected"


def sync_status(user: User, now: datetime | None = None) -> dict[str, Any]:
    """Connection, rate limit, last sync, whether one runs, and the mapping statistics.

    A household member's syncs run on the household's connection, so its state, limits and
    lock are what they see (their own row has no blob); the account details stay the
    owner's, the last sync and the statistics are the member's own.
    """
    now = now or timezone.now()
    own = with_seat(AudibleConfig.objects.filter(user=user)).first() or AudibleConfig(user=user)
    config = (connection_for(own) if own.pk else None) or own
    last = AudibleSyncLog.objects.filter(user=user).order_by("-started_at", "-id").first()
    return {
        "connection": {
            "state": connection_state(config),
            "connected": config.is_connected,
            "needs_relogin": config.needs_relogin,
            "enabled": config.enabled,
            "auto_sync": config.auto_sync,
            "account": own.account or {},
            "connected_at": config.connected_at,
        },
        "rate_limit": _rate_limit(config, now),
        "last_sync": last,
        "sync_running": is_sync_running(config, last, now),
        "stats": mapping_stats(user),
    }


def is_sync_running(config: AudibleConfig, last: AudibleSyncLog | None, now: datetime) -> bool:
    """The sync lock is held, or the newest log is running and not stale."""
    if config.sync_lock_token:
        return True
    return (
        last is not None
        and last.status == SyncStatus.RUNNING
        and last.started_at > now - STALE_RUNNING_AFTER
    )


def _rate_limit(config: AudibleConfig, now: datetime) -> dict[str, Any]:
    decision = ratelimit.check_rate_limit(config, now)
    scheduled = None
    if config.auto_sync and config.enabled and config.is_connected and not config.needs_relogin:
        scheduled = max(ratelimit.next_scheduled_at(config) or now, decision.retry_at or now)
    backoff = config.rate_limited_until
    recent = (
        AudibleSyncLog.objects.filter(user_id=config.user_id, started_at__gt=now - ratelimit.DAY)
        .exclude(status=SyncStatus.SKIPPED)
        .count()
    )
    return {
        "allowed": decision.allowed,
        "reason": decision.reason,
        "next_allowed_at": decision.retry_at,
        "next_scheduled_at": scheduled,
        "audible_backoff_until": backoff if backoff and backoff > now else None,
        "min_interval_minutes": sync_bounds.min_sync_interval_minutes(),
        "daily_sync_cap": config.daily_sync_cap,
        "syncs_last_24h": recent,
    }


def mapping_stats(user: User) -> dict[str, int]:
    """Counts over the person's mappings (one query) and open conflicts (one query)."""
    linked = Q(book__isnull=False, ignored=False)
    counts = AudibleBookMapping.objects.filter(user=user).aggregate(
        n_mapped=Count("id", filter=linked),
        n_ignored=Count("id", filter=Q(ignored=True)),
        n_not_in_library=Count("id", filter=Q(in_library=False, ignored=False)),
        n_reading=Count("id", filter=linked & Q(book__status=BookStatus.READING)),
        n_finished=Count("id", filter=linked & Q(book__status=BookStatus.READ)),
    )
    counts = {key.removeprefix("n_"): value for key, value in counts.items()}
    counts["open_conflicts"] = AudibleConflict.objects.filter(
        user=user, status=ConflictStatus.OPEN
    ).count()
    return {key: int(value or 0) for key, value in counts.items()}
