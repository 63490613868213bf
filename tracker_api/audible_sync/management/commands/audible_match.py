"""``manage.py audible_match --user U --library FILE``: a dry run of matching, writes nothing.

Prints one JSON line per Audible item: ``{"asin", "title", "decision", "confidence", "book",
"candidates"}`` where ``book`` and each candidate carry ``id``, ``title``, ``authors``,
``distance``, ``reasons`` and ``goodreads_id``. Unreadable rows go to stderr as JSON lines
``{"error": {...}}`` and the run goes on. See docs/matching.md.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from tracker_api.audible_sync.catalog import build_user_index
from tracker_api.audible_sync.library_files import LibraryFileError
from tracker_api.audible_sync.library_files import read_library_file
from tracker_api.matching import MatchConfig
from tracker_api.matching import decide
from tracker_api.matching import propose


class Command(BaseCommand):
    help = "Match an Audible library file against a user's books and print the decisions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Username whose catalogue is matched.")
        parser.add_argument(
            "--library",
            required=True,
            help="Audible items JSON, a /1.0/library reply, or an audible-cli export.",
        )
        parser.add_argument(
            "--config", default=None, help="Match settings as JSON, e.g. '{\"top_n\": 3}'."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["user"]})
        except user_model.DoesNotExist:
            raise CommandError(f"No user named '{options['user']}'.") from None
        try:
            config = MatchConfig.from_dict(json.loads(options["config"] or "{}"))
        except (ValueError, TypeError) as exc:
            raise CommandError(f"Invalid --config: {exc}") from exc
        try:
            items, errors = read_library_file(options["library"])
        except OSError as exc:
            raise CommandError(f"Cannot read {options['library']}: {exc.strerror}.") from exc
        except LibraryFileError as exc:
            raise CommandError(f"Cannot read {options['library']}: {exc}.") from exc
        for error in errors:
            payload = {"code": "unreadable_item", "message": error["reason"], **error}
            payload.pop("reason")
            self.stderr.write(json.dumps({"error": payload}))
        index = build_user_index(user)
        for item in items:
            decision = decide(propose(item, index, config), config).to_dict()
            line = {
                "asin": item["asin"],
                "title": item["title"],
                "decision": decision["decision"],
                "confidence": decision["confidence"],
                "book": decision["book"],
                "candidates": decision["candidates"],
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
