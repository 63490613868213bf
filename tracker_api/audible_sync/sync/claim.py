"""Share scheduled syncs between several workers (two cron hosts) without syncing anyone twice.

A worker claims due users by taking their sync locks. On PostgreSQL the candidates are read
with ``SELECT ... FOR UPDATE SKIP LOCKED``, so two workers never even look at the same rows;
on SQLite (one writer at a time anyway) the lock's compare-and-set alone decides. After the
claim each user is checked again with fresh data (``ratelimit.is_due``): a user another worker
synced a moment ago is no longer due and is released untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db import transaction
from django.db.models import Q
from django.db.models import QuerySet
from django.utils import timezone

from tracker_api.audible_sync import ratelimit
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import SyncTrigger
from tracker_api.audible_sync.sync import lock
from tracker_api.audible_sync.sync.service import SyncOutcome
from tracker_api.audible_sync.sync.service import SyncRefused
from tracker_api.audible_sync.sync.service import run_sync

log = logging.getLogger("tracker_api.audible_sync.sync")


@dataclass
class UserResult:
    """One user's line in a batch report."""

    user_id: int
    username: str
    status: str
    outcome: SyncOutcome | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"user": self.username, "status": self.status}
        if self.outcome is not None:
            body.update(self.outcome.summary())
        if self.message:
            body["message"] = self.message
        return body


def candidates(now: datetime | None = None) -> QuerySet[AudibleConfig]:
    """Configs that may be due: cheap, indexed filters; ``is_due`` has the last word."""
    now = now or timezone.now()
    return (
        AudibleConfig.objects.filter(enabled=True, auto_sync=True, needs_relogin=False)
        .exclude(sealed_auth="")
        .filter(Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now))
        .filter(Q(rate_limited_until__isnull=True) | Q(rate_limited_until__lte=now))
        .filter(lock.free_or_stale(now))
        .order_by("next_sync_at", "pk")
    )


def claim_batch(limit: int, now: datetime | None = None) -> list[tuple[int, str]]:
    """Take the locks of up to ``limit`` candidate users: ``[(config_id, token)]``."""
    now = now or timezone.now()
    claimed: list[tuple[int, str]] = []
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ids = list(
                candidates(now)
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[:limit]
            )
            for config_id in ids:
                token = lock.acquire(config_id, now)
                if token is not None:
                    claimed.append((config_id, token))
        return claimed
    for config_id in candidates(now).values_list("pk", flat=True)[: limit * 2]:
        token = lock.acquire(config_id, now)
        if token is not None:
            claimed.append((config_id, token))
            if len(claimed) >= limit:
                break
    return claimed


def sync_due_users(
    *,
    limit: int | None = None,
    trigger: str = SyncTrigger.CRON,
    dry_run: bool = False,
    batch: int = 10,
) -> Iterator[UserResult]:
    """Claim and sync due users until none is left (or ``limit`` were handled)."""
    handled = 0
    while limit is None or handled < limit:
        size = batch if limit is None else min(batch, limit - handled)
        claims = claim_batch(size)
        if not claims:
            return
        for config_id, token in claims:
            handled += 1
            yield _sync_claimed(config_id, token, trigger=trigger, dry_run=dry_run)


def _sync_claimed(config_id: int, token: str, *, trigger: str, dry_run: bool) -> UserResult:
    config = AudibleConfig.objects.select_related("user").get(pk=config_id)
    user = config.user
    if not ratelimit.is_due(config):
        lock.release(config_id, token)
        # Not due after all (synced by another worker a moment ago, or rate limited): push
        # its next look forward so the batch loop does not pick it again at once.
        nxt = ratelimit.next_scheduled_at(config)
        decision = ratelimit.check_rate_limit(config)
        later = max(d for d in (nxt, decision.retry_at, timezone.now()) if d is not None)
        AudibleConfig.objects.filter(pk=config_id).update(next_sync_at=later)
        return UserResult(user.pk, user.get_username(), "not_due")
    try:
        outcome = run_sync(user, trigger=trigger, dry_run=dry_run, lock_token=token)
    except SyncRefused as exc:
        return UserResult(user.pk, user.get_username(), "skipped", message=exc.message)
    return UserResult(user.pk, user.get_username(), outcome.status, outcome=outcome)
