"""Listening time kept from Audible's own aggregates, fetched during a sync.

After a sync that applied a library from the gateway, :func:`refresh_after_sync` asks the
gateway for the last 30 days and 12 months of listening (two Audible requests) and stores them
(``AudibleListening``), so ``/api/stats`` and charts never ask Audible. To spare Audible it
asks only when something may have changed: the sync changed a book, or the stored figures are
older than ``AUDIBLE_STATS_MAX_AGE_HOURS`` (24 by default), or there are none. An unchanged
re-sync within the day costs nothing extra.

Best effort: a failure is logged (its code only) and never fails the sync; the figures stay as
they were and the next sync tries again.
"""

from __future__ import annotations

import logging
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleListening
from tracker_api.audible_sync.models import ListeningPeriod

log = logging.getLogger("tracker_api.audible_sync.listening")
DEFAULT_MAX_AGE_HOURS = 24


def max_age() -> timedelta:
    hours = float(getattr(settings, "AUDIBLE_STATS_MAX_AGE_HOURS", DEFAULT_MAX_AGE_HOURS))
    return timedelta(hours=max(0.0, hours))


def last_fetched(user_id: int) -> datetime | None:
    row = AudibleListening.objects.filter(user_id=user_id).order_by("-fetched_at").first()
    return row.fetched_at if row else None


def is_due(user_id: int, *, changed: bool, now: datetime | None = None) -> bool:
    """Whether a sync should fetch the figures (see the module docstring)."""
    if changed:
        return True
    fetched = last_fetched(user_id)
    return fetched is None or fetched <= (now or timezone.now()) - max_age()


def store(user_id: int, result: gateway.ListeningResult, *, now: datetime | None = None) -> int:
    """Upsert every period of ``result``; returns how many rows were written."""
    now = now or timezone.now()
    rows = [
        AudibleListening(
            user_id=user_id,
            period=ListeningPeriod.DAY,
            starts_on=date.fromisoformat(day),
            listened_ms=ms,
            fetched_at=now,
        )
        for day, ms in result.days
    ] + [
        AudibleListening(
            user_id=user_id,
            period=ListeningPeriod.MONTH,
            starts_on=date.fromisoformat(f"{month}-01"),
            listened_ms=ms,
            fetched_at=now,
        )
        for month, ms in result.months
    ]
    with transaction.atomic():
        AudibleListening.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["user", "period", "starts_on"],
            update_fields=["listened_ms", "fetched_at"],
        )
    return len(rows)


def refresh(config: AudibleConfig) -> int | None:
    """Fetch and store the figures now; the Audible requests it cost, or None when it failed."""
    try:
        result = gateway.listening_stats(config.sealed_auth)
        store(config.user_id, result)
    except (gateway.GatewayCallError, ValueError) as exc:
        log.warning(
            "listening stats of user %s not fetched (%s)",
            config.user_id,
            getattr(exc, "code", type(exc).__name__),
        )
        return None
    if result.new_auth and result.new_auth != config.sealed_auth:
        AudibleConfig.objects.filter(pk=config.pk).update(sealed_auth=result.new_auth)
        config.sealed_auth = result.new_auth
    return result.audible_requests or 0


def refresh_after_sync(config: AudibleConfig, counts: dict[str, Any]) -> int:
    """After a sync from the gateway: fetch when due; the Audible requests it cost (0: none)."""
    changed = any(int(counts.get(name) or 0) for name in ("updated", "created", "linked"))
    if not config.sealed_auth or not is_due(config.user_id, changed=changed):
        return 0
    return refresh(config) or 0
