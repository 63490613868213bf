"""The per-user sync lock: a compare-and-set on ``AudibleConfig.sync_lock_token``.

Taking the lock is one ``UPDATE ... WHERE sync_lock_token = '' OR sync_locked_at < stale``
whose row count says who won, so it works the same on PostgreSQL and SQLite and needs no
long transaction. The holder releases it in ``finally``; a process that died holding it
(killed, host lost) leaves a lock that expires after ``AUDIBLE_SYNC_LOCK_STALE_S`` seconds
(default 900), and the next sync marks the dead run's log row failed, with the code ``interrupted``.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import SyncErrorCode
from tracker_api.audible_sync.models import SyncStatus

INTERRUPTED = (
    "This sync was interrupted (the process running it stopped) before it finished; "
    "nothing of it was applied."
)


def stale_after() -> timedelta:
    """How old a lock must be before another sync may take it over (at least a second)."""
    return timedelta(seconds=max(1.0, float(settings.AUDIBLE_SYNC_LOCK_STALE_S)))


def free_or_stale(now: datetime) -> Q:
    """Rows whose lock may be taken: free, or held longer than the stale timeout."""
    return Q(sync_lock_token="") | Q(sync_locked_at__lt=now - stale_after())


def new_token() -> str:
    return secrets.token_hex(16)


def acquire(config_id: int, now: datetime | None = None, token: str | None = None) -> str | None:
    """Take the lock of config ``config_id``; the token on success, None when held."""
    now = now or timezone.now()
    token = token or new_token()
    won = AudibleConfig.objects.filter(free_or_stale(now), pk=config_id).update(
        sync_lock_token=token, sync_locked_at=now
    )
    return token if won == 1 else None


def release(config_id: int, token: str) -> bool:
    """Give the lock back, only if it is still ours (a stale takeover may have happened)."""
    return (
        AudibleConfig.objects.filter(pk=config_id, sync_lock_token=token).update(
            sync_lock_token="", sync_locked_at=None
        )
        == 1
    )


def close_interrupted_runs(user_id: int, now: datetime | None = None) -> int:
    """Mark ``running`` logs of a user failed with the ``interrupted`` code; call only while
    holding the user's lock."""
    now = now or timezone.now()
    return AudibleSyncLog.objects.filter(user_id=user_id, status=SyncStatus.RUNNING).update(
        status=SyncStatus.FAILED,
        finished_at=now,
        error=INTERRUPTED,
        error_code=SyncErrorCode.INTERRUPTED,
    )
