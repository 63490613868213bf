"""Examples of the Audible endpoints' requests and answers for the OpenAPI schema (the same
ones docs/api.md shows), kept apart so the views stay short."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

ACCOUNT = {
    "locale": "us",
    "domain": "com",
    "marketplace_id": "AF2M0KC94RCEA",
    "customer_name": "Alice",
    "device_name": "Alice's Audible for iPhone",
}
CONFIG = {
    "enabled": True,
    "auto_sync": True,
    "sync_interval_minutes": 120,
    "daily_sync_cap": 24,
    "import_policy": "started",
    "import_podcasts": False,
    "connected": True,
    "needs_relogin": False,
    "account": ACCOUNT,
    "connected_at": "2026-01-02T10:00:00Z",
    "last_sync_at": "2026-11-25T17:27:34Z",
    "next_sync_at": "2026-11-25T19:27:31Z",
}
COUNTS = {
    "items_seen": 40,
    "linked": 1,
    "created": 0,
    "updated": 3,
    "conflicts_opened": 1,
    "skipped": 0,
    "errors": 0,
}
RUN = {
    "id": 12,
    "status": "ok",
    "trigger": "api",
    "dry_run": False,
    "started_at": "2026-11-25T17:27:31Z",
    "finished_at": "2026-11-25T17:27:34Z",
    "duration_ms": 2400,
    "counts": COUNTS,
    "error": "",
}
STATUS = {
    "connection": {
        "state": "connected",
        "connected": True,
        "needs_relogin": False,
        "enabled": True,
        "auto_sync": True,
        "account": ACCOUNT,
        "connected_at": "2026-01-02T10:00:00Z",
    },
    "rate_limit": {
        "allowed": False,
        "reason": "interval",
        "next_allowed_at": "2026-11-25T17:42:31Z",
        "next_scheduled_at": "2026-11-25T19:27:31Z",
        "audible_backoff_until": None,
        "min_interval_minutes": 15,
        "daily_sync_cap": 24,
        "syncs_last_24h": 1,
    },
    "last_sync": RUN,
    "sync_running": False,
    "stats": {
        "mapped": 38,
        "ignored": 1,
        "not_in_library": 0,
        "open_conflicts": 1,
        "reading": 2,
        "finished": 30,
    },
}
ITEM = {
    "asin": "B0FELLOW01",
    "title": "The Fellowship of the Ring",
    "subtitle": "The Lord of the Rings, Book 1",
    "authors": ["J. R. R. Tolkien"],
    "narrators": ["Andy Serkis"],
    "series": [{"title": "The Lord of the Rings", "sequence": "1"}],
    "isbn": "9780261102354",
    "language": "english",
    "release_date": "2021-09-23",
    "runtime_min": 1337,
    "is_podcast": False,
    "status": "Active",
    "progress": {
        "percent": 40.0,
        "is_finished": False,
        "finished_at": None,
        "position_ms": 1000,
        "position_updated_at": "2024-04-30T10:00:00+00:00",
        "time_remaining_s": 100,
    },
}
CANDIDATE = {
    "book_id": 7,
    "title": "The Fellowship of the Ring",
    "authors": ["J.R.R. Tolkien"],
    "series": "The Lord of the Rings",
    "series_position": "1",
    "year": 1954,
    "similarity": 0.85,
    "distance": 0.15,
    "tier": "medium",
    "reasons": ["title is similar (90%)"],
    "penalties": {"title": 0.1},
    "differs": ["title"],
}
CONFLICT = {
    "id": 1,
    "asin": "B0FELLOW01",
    "status": "open",
    "recommendation": "medium",
    "item": ITEM,
    "candidates": [CANDIDATE],
    "resolution": "",
    "resolved_book_id": None,
    "resolved_by": None,
    "resolved_at": None,
    "created_at": "2026-11-25T17:27:31Z",
}
BOOK = {
    "id": 7,
    "title": "The Fellowship of the Ring",
    "subtitle": "",
    "authors": ["J. R. R. Tolkien"],
    "isbn10": "",
    "isbn13": "9780261102354",
    "asin": "B0FELLOW01",
    "goodreads_id": "",
    "series": "The Lord of the Rings",
    "series_position": "1",
    "language": "english",
    "year": 1954,
    "pages": None,
    "status": "reading",
    "progress_percent": 40.0,
    "started_at": "2024-04-28T19:00:00Z",
    "finished_at": None,
    "source": "manual",
    "created_at": "2026-01-02T10:00:00Z",
    "updated_at": "2026-11-25T17:30:00Z",
}
MAPPING = {
    "id": 1,
    "asin": "B0FELLOW01",
    "book_id": 7,
    "match_method": "manual",
    "confidence": 0.85,
    "ignored": False,
    "in_library": True,
    "last_percent": 40.0,
    "last_is_finished": False,
    "last_position_ms": 1000,
    "last_finished_at": None,
    "last_seen_at": "2026-11-25T17:27:32Z",
}
LINK_RESULT = {
    "asin": "B0FELLOW01",
    "mapping": MAPPING,
    "book": BOOK,
    "resolved_conflict": {
        **CONFLICT,
        "status": "resolved",
        "resolution": "linked",
        "resolved_book_id": 7,
        "resolved_by": "alice",
        "resolved_at": "2026-11-25T18:00:00Z",
    },
    "created_book": False,
    "progress_applied": True,
}


def response(name: str, value: object) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True)


def request(name: str, value: object) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


CONFIG_EXAMPLES = [
    request(
        "Change the interval and the policy",
        {"sync_interval_minutes": 120, "import_policy": "started"},
    ),
    response("My preferences", CONFIG),
]
STATUS_EXAMPLES = [response("Connected, waiting for the interval", STATUS)]
CONFLICT_EXAMPLES = [response("An open conflict", CONFLICT)]
LINK_EXAMPLES = [
    request("Link to a book of mine", {"asin": "B0FELLOW01", "book_id": 7}),
    request("Create a book from the title", {"asin": "B0FELLOW01", "create": True}),
    request('Mark it "not mine"', {"asin": "B0FELLOW01", "ignore": True}),
    response("Linked", LINK_RESULT),
]
RESOLVE_EXAMPLES = [
    request("Link a candidate", {"action": "link", "book_id": 7}),
    request("Create a book", {"action": "create"}),
    request("Ignore it", {"action": "ignore"}),
    response("Resolved", LINK_RESULT),
]
SYNC_EXAMPLES = [
    request("Sync now", {}),
    request("Decide but write nothing", {"dry_run": True}),
    response("The run", RUN),
]
CRON_EXAMPLES = [
    response(
        "One person synced",
        {"count": 1, "failed": 0, "results": [{**RUN, "trigger": "cron", "user": "alice"}]},
    )
]
