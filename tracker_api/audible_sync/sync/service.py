"""The sync workflow, one function every entry point calls: REST, cron endpoint, command.

``run_sync(user, trigger=...)``:

1. takes the user's lock (``lock.acquire``) or refuses with :class:`SyncAlreadyRunning`;
   closes the log rows of runs that died;
2. refuses with :class:`SyncRateLimited` while Audible's own back-off holds
   (``rate_limited_until``: forced, manual and dry runs too; Audible is not asked), then checks
   our rate limit (unless ``force``); every refusal is logged as ``skipped``;
3. logs the run as ``running`` (committed at once, outside the apply transaction), fetches the
   library (gateway or file) and stores a refreshed blob;
4. applies it in one transaction (``apply.apply_library``), or rolls it back for a dry run;
5. finishes the log (ok / partial / failed) with counts and the per-book changes, in the
   apply transaction when it worked, and sends ``signals.sync_finished`` in that same
   transaction (the notification outbox is written there); releases the lock in ``finally``.

A failed sync is not an exception for the caller: the outcome says ``failed`` and the log
holds the sentence. Only the refusals raise.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from tracker_api.audible_sync import listening
from tracker_api.audible_sync import ratelimit
from tracker_api.audible_sync import signals
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import SyncStatus
from tracker_api.audible_sync.sync import lock
from tracker_api.audible_sync.sync.apply import MAX_LOGGED_CHANGES
from tracker_api.audible_sync.sync.apply import ApplyResult
from tracker_api.audible_sync.sync.fetch import FetchFailed
from tracker_api.audible_sync.sync.fetch import Library
from tracker_api.audible_sync.sync.fetch import from_file
from tracker_api.audible_sync.sync.fetch import from_gateway
from tracker_api.core.service_errors import ServiceError
from tracker_api.households import sync as household_sync
from tracker_api.households.membership import connection_for
from tracker_api.households.membership import with_seat

log = logging.getLogger("tracker_api.audible_sync.sync")

REASON_AUDIBLE_BACKOFF = "audible_backoff"
ALREADY_RUNNING = "A sync of this Audible account is already running; try again when it ends."


class SyncRefused(ServiceError):
    """The sync did not start; the JSON error names the ``skipped`` log row when there is one."""

    code = "sync_refused"
    status = 409

    def __init__(self, message: str, *, log_row: AudibleSyncLog | None = None) -> None:
        super().__init__(message)
        self.log = log_row

    def extra(self) -> dict[str, Any]:
        return {"sync_log_id": self.log.pk} if self.log is not None else {}


class SyncAlreadyRunning(SyncRefused):
    code = "sync_already_running"
    status = 409


class SyncRateLimited(SyncRefused):
    code = "sync_rate_limited"
    status = 429

    def __init__(
        self,
        message: str,
        *,
        retry_at: datetime | None,
        retry_after: int | None,
        log_row: AudibleSyncLog | None = None,
    ) -> None:
        super().__init__(message, log_row=log_row)
        self.retry_at = retry_at
        self.retry_after = retry_after

    def extra(self) -> dict[str, Any]:
        return {
            "retry_after": self.retry_after,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
            **super().extra(),
        }


class NotConnected(SyncRefused):
    code = "audible_not_connected"
    status = 409


@dataclass
class SyncOutcome:
    """What a run did: its log row (counts, changes, error) and the failure code if it failed."""

    log: AudibleSyncLog
    error_code: str = ""
    retry_after: float | None = None
    # The HTTP status the failure means (``FetchFailed.status``; an apply failure is 502).
    error_status: int = 502
    result: ApplyResult | None = None

    @property
    def status(self) -> str:
        return self.log.status

    @property
    def failed(self) -> bool:
        return self.log.status == SyncStatus.FAILED

    def summary(self) -> dict[str, Any]:
        """The run as the REST API, the cron answer and the command show it (JSON-ready)."""
        from tracker_api.audible_sync.api.run_serializers import SyncRunSerializer

        return dict(SyncRunSerializer(self.log).data)


class SyncFailed(ServiceError):
    """A run that started and failed, as an answer: its code and sentence, with the run."""

    code = "sync_failed"
    status = 502

    def __init__(self, outcome: SyncOutcome) -> None:
        super().__init__(
            outcome.log.error or "The sync failed.",
            code=outcome.error_code or None,
            status=outcome.error_status,
        )
        self.outcome = outcome

    def extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"sync": self.outcome.summary()}
        if self.outcome.retry_after:
            extra["retry_after"] = int(self.outcome.retry_after + 0.999)
        return extra


def _skip_log(user_id: int, trigger: str, message: str, *, dry_run: bool) -> AudibleSyncLog:
    now = timezone.now()
    return AudibleSyncLog.objects.create(
        user_id=user_id,
        trigger=trigger,
        status=SyncStatus.SKIPPED,
        started_at=now,
        finished_at=now,
        duration_ms=0,
        error=message,
        dry_run=dry_run,
    )


def _rate_limit_message(decision: ratelimit.RateLimitDecision) -> str:
    when = timezone.localtime(decision.retry_at).strftime("%Y-%m-%d %H:%M %Z")
    if decision.reason == ratelimit.REASON_DAILY_CAP:
        return f"The daily number of syncs is used up; the next sync is allowed at {when}."
    return f"The last sync was too recent; the next sync is allowed at {when}."


def _backoff_message(until: datetime) -> str:
    when = timezone.localtime(until).strftime("%Y-%m-%d %H:%M %Z")
    return f"Audible asked us to wait; the next sync is allowed at {when}."


def get_config(user: Any, *, create: bool = False) -> AudibleConfig:
    """The user's config; ``create`` makes a default one (a file sync needs no connection)."""
    if create:
        config = AudibleConfig.objects.get_or_create(user=user)[0]
    else:
        found = with_seat(AudibleConfig.objects.filter(user=user)).first()
        if found is None:
            raise NotConnected("No Audible account is connected; connect one before syncing.")
        config = found
    # A household member syncs the household's connection (its lock, limits, schedule).
    return connection_for(config) or config


def run_sync(
    user: Any,
    *,
    trigger: str,
    force: bool = False,
    dry_run: bool = False,
    library_file: str | Path | None = None,
    lock_token: str | None = None,
    on_item: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    on_start: Callable[[AudibleSyncLog], None] | None = None,
) -> SyncOutcome:
    """Sync one user's Audible library into their tracker (see the module docstring).

    ``lock_token``: the caller already holds the user's lock (a cron claim); it is released
    here all the same. ``library_file`` syncs from a file instead of the gateway (no rate
    limit then: Audible is not asked). ``on_start`` receives the running log row once it is
    committed, ``on_total`` the number of titles fetched, ``on_item`` the number handled so
    far (progress for a terminal or a page). Raises :class:`SyncRefused` subclasses only.
    """
    config = get_config(user, create=library_file is not None)
    token = lock_token or lock.acquire(config.pk)
    if token is None:
        row = _skip_log(config.user_id, trigger, ALREADY_RUNNING, dry_run=dry_run)
        raise SyncAlreadyRunning(ALREADY_RUNNING, log_row=row)
    try:
        lock.close_interrupted_runs(config.user_id)
        config.refresh_from_db()
        refuse_if_limited(
            config, trigger=trigger, force=force, dry_run=dry_run, library_file=library_file
        )
        return _run_locked(
            config,
            trigger=trigger,
            dry_run=dry_run,
            library_file=library_file,
            on_item=on_item,
            on_total=on_total,
            on_start=on_start,
        )
    finally:
        lock.release(config.pk, token)


def refuse_if_limited(
    config: AudibleConfig,
    *,
    trigger: str,
    force: bool = False,
    dry_run: bool = False,
    library_file: str | Path | None = None,
) -> None:
    """Raise :class:`SyncRateLimited` (logged as skipped) when a sync may not start now.

    Audible's own back-off holds for every sync that would ask Audible, forced or not; our
    rate limit holds unless ``force``. A file sync asks nobody. Called by :func:`run_sync`
    under the lock, and by the admin's "Sync now" before it starts the run in the background,
    so the refusal is answered at once.
    """
    backoff = ratelimit.audible_backoff_until(config) if library_file is None else None
    if backoff is not None:
        message = _backoff_message(backoff)
        row = _skip_log(config.user_id, trigger, message, dry_run=dry_run)
        decision = ratelimit.RateLimitDecision(False, backoff, REASON_AUDIBLE_BACKOFF)
        raise SyncRateLimited(
            message,
            retry_at=backoff,
            retry_after=decision.retry_after_seconds(),
            log_row=row,
        )
    if not force and library_file is None:
        decision = ratelimit.check_rate_limit(config)
        if not decision.allowed:
            message = _rate_limit_message(decision)
            row = _skip_log(config.user_id, trigger, message, dry_run=dry_run)
            raise SyncRateLimited(
                message,
                retry_at=decision.retry_at,
                retry_after=decision.retry_after_seconds(),
                log_row=row,
            )


def _run_locked(
    config: AudibleConfig,
    *,
    trigger: str,
    dry_run: bool,
    library_file: str | Path | None,
    on_item: Callable[[int], None] | None,
    on_total: Callable[[int], None] | None,
    on_start: Callable[[AudibleSyncLog], None] | None = None,
) -> SyncOutcome:
    clock = time.monotonic()
    row = AudibleSyncLog.objects.create(
        user_id=config.user_id, trigger=trigger, status=SyncStatus.RUNNING, dry_run=dry_run
    )
    if on_start is not None:
        on_start(row)
    try:
        library = (
            from_file(library_file)
            if library_file is not None
            else from_gateway(config, persist_auth=not dry_run)
        )
    except FetchFailed as exc:
        with transaction.atomic():
            _finish(row, clock, SyncStatus.FAILED, error=exc.message)
            _after_failure(config, dry_run=dry_run)
            _announce(config, row, error_code=exc.code, dry_run=dry_run)
        log.warning("sync %s of user %s failed: %s", row.pk, config.user_id, exc.code)
        return SyncOutcome(
            row, error_code=exc.code, retry_after=exc.retry_after, error_status=exc.status
        )
    prepared = household_sync.prepare(config, library, persist_auth=not dry_run)
    row.audible_requests = library.audible_requests
    if prepared is not None and prepared.audible_requests:
        row.audible_requests = (row.audible_requests or 0) + prepared.audible_requests
    if on_total is not None:
        on_total(len(library.items))
    now = timezone.now()
    try:
        with transaction.atomic():
            result = household_sync.apply(
                config,
                library,
                prepared,
                sync_log=row,
                now=now,
                on_item=on_item,
                finish=_finish,
                announce=_announce,
                dry_run=dry_run,
            )
            status = (
                SyncStatus.PARTIAL if result.errors or not _complete(library) else SyncStatus.OK
            )
            error = _problems_sentence(result, library)
            if dry_run:
                transaction.set_rollback(True)
            else:
                # The log row, the account's state and the events the sync caused (the
                # notification outbox) commit with the applied library, or not at all.
                _finish(row, clock, status, result=result, error=error)
                _after_success(config, row)
                _announce(config, row, result=result)
    except Exception:
        log.exception("sync %s of user %s failed while applying", row.pk, config.user_id)
        with transaction.atomic():
            _finish(
                row,
                clock,
                SyncStatus.FAILED,
                error="The library was fetched but applying it failed; nothing was changed. "
                "The next sync will try again.",
            )
            _after_failure(config, dry_run=dry_run)
            _announce(config, row, error_code="sync_apply_failed", dry_run=dry_run)
        return SyncOutcome(row, error_code="sync_apply_failed")
    if not dry_run and library.source == "gateway":
        # Listening statistics are fetched after the commit (a network call holds no
        # transaction open); what they cost Audible is added to the finished log row.
        spent = listening.refresh_after_sync(config, result.counts())
        if spent:
            row.audible_requests = (row.audible_requests or 0) + spent
            AudibleSyncLog.objects.filter(pk=row.pk).update(audible_requests=row.audible_requests)
    if dry_run:
        _finish(row, clock, status, result=result, error=error)
    return SyncOutcome(row, result=result)


def _announce(
    config: AudibleConfig,
    row: AudibleSyncLog,
    *,
    error_code: str = "",
    result: ApplyResult | None = None,
    dry_run: bool = False,
) -> None:
    """Tell the receivers of ``signals.sync_finished`` (inside the caller's transaction)."""
    if dry_run:
        return
    signals.sync_finished.send_robust(
        sender=AudibleConfig,
        config=config,
        log_row=row,
        error_code=error_code,
        result=result,
        dry_run=dry_run,
    )


def _complete(library: Library) -> bool:
    return library.complete or library.source == "file"


def _problems_sentence(result: ApplyResult, library: Library) -> str:
    parts = []
    if result.errors:
        shown = "; ".join(d["message"] for d in result.error_details[:5])
        more = f" (and {result.errors - 5} more)" if result.errors > 5 else ""
        parts.append(f"{result.errors} title(s) could not be applied: {shown}{more}.")
    if not _complete(library):
        parts.append("Audible's answer did not include the whole library.")
    return " ".join(parts)


def _finish(
    row: AudibleSyncLog,
    clock: float,
    status: str,
    *,
    result: ApplyResult | None = None,
    error: str = "",
) -> None:
    row.status = status
    row.finished_at = timezone.now()
    row.duration_ms = int((time.monotonic() - clock) * 1000)
    row.error = error
    fields = ["status", "finished_at", "duration_ms", "error", "audible_requests"]
    if result is not None:
        for name, value in result.counts().items():
            setattr(row, name, value)
        changes = result.changes[:MAX_LOGGED_CHANGES]
        if len(result.changes) > MAX_LOGGED_CHANGES:
            changes.append({"change": "more", "count": len(result.changes) - MAX_LOGGED_CHANGES})
        if result.error_details:
            changes.extend({"change": "error", **d} for d in result.error_details[:100])
        row.changes = changes
        fields += [*result.counts(), "changes"]
    AudibleSyncLog.objects.filter(pk=row.pk).update(**{name: getattr(row, name) for name in fields})


def _after_success(config: AudibleConfig, row: AudibleSyncLog) -> None:
    next_at = row.started_at + timedelta(minutes=config.sync_interval_minutes)
    AudibleConfig.objects.filter(pk=config.pk).update(
        last_sync_at=row.finished_at,
        next_sync_at=next_at,
        needs_relogin=False,
        consecutive_failures=0,
    )


def _after_failure(config: AudibleConfig, *, dry_run: bool) -> None:
    if dry_run:
        return
    config.refresh_from_db(fields=["sync_interval_minutes", "consecutive_failures"])
    AudibleConfig.objects.filter(pk=config.pk).update(
        consecutive_failures=config.consecutive_failures + 1,
        next_sync_at=timezone.now() + timedelta(minutes=config.sync_interval_minutes),
    )
