"""What the sync tells the rest of the tracker, without knowing who listens.

* ``sync_finished(config, log_row, error_code, result, dry_run)``: sent inside the sync's
  transaction, as the log row is finished, so what a receiver writes (the notification outbox)
  commits with the sync or not at all. Sent with ``send_robust``: a receiver that raises is
  logged by Django and never fails the sync.
* ``scheduled_run_started(source)`` / ``scheduled_run_finished(source, results)``: around
  ``audible_sync --all`` (``source="command"``) and ``GET /api/cron/audible-sync``
  (``source="cron_view"``); ``results`` are the run's ``claim.UserResult`` rows. Receivers run
  after the syncs, so a slow receiver delays nobody's sync.
"""

from __future__ import annotations

from django.dispatch import Signal

sync_finished = Signal()
scheduled_run_started = Signal()
scheduled_run_finished = Signal()

SOURCE_COMMAND = "command"
SOURCE_CRON_VIEW = "cron_view"
