"""Is anything scheduling syncs? Heartbeats of the scheduled runs, and the verdict.

``audible_sync --all`` and ``GET /api/cron/audible-sync`` record a heartbeat when they start
and finish (through the ``scheduled_run_*`` signals). If no scheduled run has started for twice
``AUDIBLE_CRON_INTERVAL_MINUTES`` while accounts wait for automatic syncs, cron is taken as
not running: the dashboard says so in red and operators get one ``cron_not_running`` message
per silence (checked by ``send_notifications`` and by every dashboard view).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.db.models import Max
from django.db.models import Min
from django.utils import timezone

from tracker_api.notifications import events
from tracker_api.notifications import links
from tracker_api.notifications import outbox
from tracker_api.notifications.models import SchedulerHeartbeat


def interval() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "AUDIBLE_CRON_INTERVAL_MINUTES", 15)))


def record_started(source: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    SchedulerHeartbeat.objects.update_or_create(source=source, defaults={"last_started_at": now})


def record_finished(source: str, *, synced: int, failed: int, now: datetime | None = None) -> None:
    now = now or timezone.now()
    SchedulerHeartbeat.objects.update_or_create(
        source=source,
        defaults={"last_finished_at": now, "last_synced": synced, "last_failed": failed},
    )


@dataclass(frozen=True)
class CronHealth:
    """``stale``: nothing scheduled syncs. ``last_run_at``: the newest scheduled start."""

    stale: bool
    last_run_at: datetime | None
    waiting_since: datetime | None
    limit: timedelta

    @property
    def sentence(self) -> str:
        minutes = int(self.limit.total_seconds() // 60)
        if self.last_run_at is None:
            return (
                f"No scheduled sync has ever run (none for over {minutes} minutes): is cron set up?"
            )
        when = timezone.localtime(self.last_run_at).strftime("%Y-%m-%d %H:%M %Z")
        return f"No scheduled sync has run since {when} (over {minutes} minutes): is cron running?"


def cron_health(now: datetime | None = None) -> CronHealth:
    """Two queries: the newest heartbeat, and whether (since when) accounts wait for cron."""
    from tracker_api.audible_sync.models import AudibleConfig

    now = now or timezone.now()
    limit = 2 * interval()
    last = SchedulerHeartbeat.objects.aggregate(last=Max("last_started_at"))["last"]
    waiting = (
        AudibleConfig.objects.filter(enabled=True, auto_sync=True, needs_relogin=False)
        .exclude(sealed_auth="")
        .aggregate(since=Min("connected_at"), count=Count("id"))
    )
    if not waiting["count"]:
        return CronHealth(False, last, None, limit)
    reference = last or waiting["since"]
    stale = reference is None or now - reference > limit
    return CronHealth(stale, last, waiting["since"], limit)


def notify_if_stale(now: datetime | None = None) -> CronHealth:
    """Queue the operators' ``cron_not_running`` message once per silence."""
    health = cron_health(now)
    if health.stale:
        since = health.last_run_at.isoformat() if health.last_run_at else "never"
        outbox.enqueue_operator(
            event=events.CRON_NOT_RUNNING,
            subject="No scheduled Audible sync is running",
            body=f"{health.sentence} Syncs happen only when someone presses 'Sync now'. "
            "Check the crontab (deploy/crontab.example) or the platform's cron job.",
            link=links.admin_path("audible_sync_dashboard"),
            dedupe_key=f"operator:{events.CRON_NOT_RUNNING}:{since}",
            now=now,
        )
    return health
