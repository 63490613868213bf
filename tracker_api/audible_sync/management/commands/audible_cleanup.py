"""``manage.py audible_cleanup [--logs-days N] [--history-days N]``: cron-friendly retention."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from tracker_api.audible_sync import retention


class Command(BaseCommand):
    help = (
        "Delete Audible sync logs older than --logs-days and thin progress history older than "
        "--history-days (status changes and one snapshot per title per day are kept). "
        "Safe to run repeatedly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--logs-days", type=int, default=None, help="Default: 90 (env).")
        parser.add_argument("--history-days", type=int, default=None, help="Default: 30 (env).")

    def handle(self, *args: Any, **options: Any) -> None:
        log_days = options["logs_days"]
        history_days = options["history_days"]
        log_days = retention.default_log_days() if log_days is None else log_days
        history_days = retention.default_history_days() if history_days is None else history_days
        if log_days < 1 or history_days < 1:
            raise CommandError("--logs-days and --history-days must be at least 1.")
        result = retention.cleanup(log_days, history_days)
        self.stdout.write(
            f"Removed {result.logs_removed} sync logs older than {log_days} days and "
            f"{result.history_removed} progress snapshots older than {history_days} days."
        )
