"""``manage.py send_notifications``: deliver the outbox now (and check that cron runs).

What ``audible_sync --all`` does after its syncs, on its own: queue today's weekly digests,
queue the operators' ``cron_not_running`` message if no scheduled sync ran for twice
AUDIBLE_CRON_INTERVAL_MINUTES, then deliver every due message. Run it from its own cron line
(every few minutes) so messages go out even when syncs do not. Prints one line of figures.
Exit status 0 even when a channel fails: a failing channel is the person's to fix, shown in the
admin; the command itself failed only if it could not run.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tracker_api.notifications import delivery
from tracker_api.notifications import digest
from tracker_api.notifications import health


class Command(BaseCommand):
    help = "Deliver due notifications (retries included); check that scheduled syncs run."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--limit", type=int, default=500, help="Deliver at most this many messages."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        digests = digest.queue_due_digests()
        cron = health.notify_if_stale()
        counts = delivery.send_due(limit=max(1, options["limit"]))
        if cron.stale:
            self.stdout.write(f"[!] {cron.sentence}")
        self.stdout.write(
            f"{counts.delivered} delivered, {counts.failed} failed (will retry), "
            f"{counts.gave_up} given up, {counts.deferred} deferred (quiet hours); "
            f"{digests} digest(s) queued."
        )
