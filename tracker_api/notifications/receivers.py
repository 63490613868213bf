"""The notifications app's side of the sync's signals (connected in ``apps.ready``).

After a scheduled run: record its heartbeat, queue the operators' gateway message and today's
digests, then deliver what is due, within a time budget. Every step is guarded: a channel, a
mail server or a bug here never changes the run's outcome or exit status.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from tracker_api.audible_sync import signals
from tracker_api.notifications import delivery
from tracker_api.notifications import digest
from tracker_api.notifications import events
from tracker_api.notifications import health

log = logging.getLogger("tracker_api.notifications")

# Seconds a scheduled run spends delivering (the cron URL must answer well within a minute).
BUDGET_S = {signals.SOURCE_COMMAND: 60.0, signals.SOURCE_CRON_VIEW: 15.0}


def _guarded(what: str, step: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return step(*args, **kwargs)
    except Exception:
        log.exception("notifications: %s failed", what)
        return None


def run_started(sender: Any, source: str, **_: Any) -> None:
    _guarded("recording the heartbeat", health.record_started, source)


def run_finished(sender: Any, source: str, results: list[Any], **_: Any) -> None:
    failed = sum(1 for r in results if r.outcome is not None and r.outcome.failed)
    synced = sum(1 for r in results if r.outcome is not None)
    _guarded(
        "recording the heartbeat", health.record_finished, source, synced=synced, failed=failed
    )
    _guarded("the gateway event", events.on_scheduled_results, results)
    _guarded("the weekly digests", digest.queue_due_digests)
    batch = int(getattr(settings, "NOTIFY_BATCH", 100))
    _guarded(
        "delivering notifications",
        delivery.send_due,
        limit=batch,
        budget_s=BUDGET_S.get(source, 15.0),
    )


def sync_finished(sender: Any, **kwargs: Any) -> None:
    events.on_sync_finished(**kwargs)


def connect() -> None:
    signals.sync_finished.connect(sync_finished, dispatch_uid="notifications.sync_finished")
    signals.scheduled_run_started.connect(run_started, dispatch_uid="notifications.run_started")
    signals.scheduled_run_finished.connect(run_finished, dispatch_uid="notifications.run_finished")
