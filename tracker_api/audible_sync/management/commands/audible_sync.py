"""``manage.py audible_sync``: sync one person (``--user``) or every due person (``--all``).

Thin: argument checks, then ``sync.run_sync`` / ``sync.claim.sync_due_users``. A progress bar
(tqdm) on a terminal, one plain line per user otherwise (cron logs). Exits non-zero when a
sync failed, so cron and Railway see it. Several ``--all`` runs at once share the work.
"""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from tracker_api.audible_sync import signals
from tracker_api.audible_sync.models import SyncStatus
from tracker_api.audible_sync.models import SyncTrigger
from tracker_api.audible_sync.sync import SyncRefused
from tracker_api.audible_sync.sync import run_sync
from tracker_api.audible_sync.sync.claim import sync_due_users
from tracker_api.audible_sync.sync.service import SyncOutcome
from tracker_api.core import fast_exit


class Command(BaseCommand):
    help = "Sync Audible libraries into the tracker: one user (--user) or every due user (--all)."
    # The system checks run where a release is made (`migrate`, the pre-deploy step, runs
    # them all, and `manage.py check --deploy`); this command runs every 15 minutes on the
    # same code, where they would import the URL conf, DRF's and the schema's views for
    # nothing (~0.15 s of every run). `manage.py check` stays the way to run them by hand.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", metavar="NAME", help="Sync this user (username).")
        who.add_argument("--all", action="store_true", help="Sync every user who is due.")
        parser.add_argument(
            "--force", action="store_true", help="Ignore the rate limit (--user only)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Decide and print; write nothing."
        )
        parser.add_argument(
            "--from-file",
            metavar="FILE",
            help="Sync from a library file (API JSON or an audible-cli export), not the gateway.",
        )
        parser.add_argument(
            "--limit", type=int, default=None, help="With --all: at most this many users."
        )

    def handle(self, *args: Any, **options: Any) -> str | None:
        # Start-up is over (Django set up, this module loaded): tracker_api/core/fast_exit.py.
        fast_exit.start_up_done()
        if options["all"] and (options["force"] or options["from_file"]):
            raise CommandError("--force and --from-file go with --user, not --all.")
        self.tty = sys.stdout.isatty() and options.get("verbosity", 1) >= 1
        if options["all"]:
            return self._all(options)
        return self._one(options)

    # ----------------------------------------------------------------- one user
    def _one(self, options: dict[str, Any]) -> str:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"There is no user named {options['user']!r}.")
        bar = _Bar(self.tty, desc=f"sync {user.get_username()}")
        try:
            outcome = run_sync(
                user,
                trigger=SyncTrigger.COMMAND,
                force=options["force"],
                dry_run=options["dry_run"],
                library_file=options["from_file"],
                on_total=bar.total,
                on_item=bar.update,
            )
        except SyncRefused as exc:
            bar.close()
            self.stdout.write(f"[-] {user.get_username()}: skipped: {exc.message}")
            return ""
        finally:
            bar.close()
        self._report(user.get_username(), outcome, dry_run=options["dry_run"])
        if outcome.failed:
            raise CommandError(f"The sync of {user.get_username()} failed.")
        return ""

    # ----------------------------------------------------------------- all due users
    def _all(self, options: dict[str, Any]) -> str:
        failed = handled = 0
        results = []
        signals.scheduled_run_started.send_robust(sender=Command, source=signals.SOURCE_COMMAND)
        try:
            for result in sync_due_users(
                limit=options["limit"], trigger=SyncTrigger.CRON, dry_run=options["dry_run"]
            ):
                if result.status == "not_due":
                    continue
                handled += 1
                results.append(result)
                if result.outcome is not None:
                    self._report(result.username, result.outcome, dry_run=options["dry_run"])
                    failed += result.outcome.failed
                else:
                    self.stdout.write(f"[-] {result.username}: {result.status}: {result.message}")
        finally:
            # Heartbeat, operator events and delivering notifications: after every sync.
            signals.scheduled_run_finished.send_robust(
                sender=Command, source=signals.SOURCE_COMMAND, results=results
            )
        self.stdout.write(f"{handled} user(s) synced, {failed} failed.")
        if failed:
            raise CommandError(f"{failed} sync(s) failed.")
        return ""

    def _report(self, username: str, outcome: SyncOutcome, *, dry_run: bool) -> None:
        row = outcome.log
        marks: dict[str, str] = {SyncStatus.OK: "+", SyncStatus.PARTIAL: "~"}
        mark = marks.get(row.status, "!")
        counts = (
            f"{row.items_seen} seen, {row.linked} linked, {row.created} created, "
            f"{row.updated} updated, {row.conflicts_opened} conflicts, {row.skipped} skipped, "
            f"{row.errors} errors"
        )
        prefix = "(dry run) " if dry_run else ""
        self.stdout.write(
            f"[{mark}] {prefix}{username}: {row.status} in {row.duration_ms or 0} ms: {counts}"
        )
        if row.error:
            self.stdout.write(f"    {row.error}")
        if dry_run and outcome.result is not None:
            for change in outcome.result.changes:
                self.stdout.write("    " + _describe(change))


def _describe(change: dict[str, Any]) -> str:
    title = change.get("title") or change.get("asin")
    kind = change.get("change")
    rest = {k: v for k, v in change.items() if k not in ("title", "asin", "change", "book_id")}
    detail = ", ".join(f"{k}={v}" for k, v in rest.items())
    return f"{kind}: {title} ({change.get('asin')}){': ' + detail if detail else ''}"


class _Bar:
    """tqdm on a terminal; nothing otherwise (cron logs get one line per user instead)."""

    def __init__(self, enabled: bool, desc: str) -> None:
        self.enabled = enabled
        self.desc = desc
        self.bar: Any = None

    def total(self, n: int) -> None:
        if self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=n, desc=self.desc, unit="title", leave=False)

    def update(self, done: int) -> None:
        if self.bar is not None:
            self.bar.n = done
            if done % 200 == 0 or done == self.bar.total:
                self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
