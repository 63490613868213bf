"""``manage.py import_books --user NAME FILE``: the API's CSV import, from a shell or cron."""

from __future__ import annotations

import json
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from tracker_api.books.importers import ImportFormatError
from tracker_api.books.importers import import_books


class Command(BaseCommand):
    help = (
        "Import a Goodreads or StoryGraph CSV export into one user's books: adds books and "
        "reads, fills empty fields, never moves anything back (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Username whose catalogue receives it.")
        parser.add_argument("file", help="Path of the CSV export.")
        parser.add_argument("--json", action="store_true", help="Print the full result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["user"]})
        except user_model.DoesNotExist:
            raise CommandError(f"No user named '{options['user']}'.") from None
        started = time.perf_counter()
        try:
            with open(options["file"], "rb") as handle:
                result = import_books(user, handle)
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}.") from exc
        except ImportFormatError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        for row in result.skipped:
            self.stdout.write(f"line {row['line']}: skipped: {row['reason']}")
        for note in result.notes:
            self.stdout.write(f"line {note['line']}: {note['field']}: {note['reason']}")
        for row in result.kept:
            self.stdout.write(f"line {row['line']}: kept: {row['title']}: {row['reason']}")
        self.stdout.write(
            f"{result.format} import for {options['user']}: {result.created} created, "
            f"{result.updated} updated, {result.unchanged} unchanged, "
            f"{len(result.skipped)} skipped, {len(result.kept)} kept (the tracker is newer) "
            f"in {elapsed:.2f}s"
        )
