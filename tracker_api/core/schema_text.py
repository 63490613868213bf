"""The OpenAPI document's words: its description (how to get a token) and its tags.

Plain data, imported by the settings (``SPECTACULAR_SETTINGS``) and by
:mod:`tracker_api.core.schema`, which tags each operation by its path.
"""

from __future__ import annotations

# Each operation's tag, by path (the first prefix that matches); described in ``TAGS``.
TAG_BY_PATH = (
    ("/api/audible/auth", "audible connection"),
    ("/api/audible/config", "audible connection"),
    ("/api/audible/status", "audible connection"),
    ("/api/audible/link", "conflicts"),
    ("/api/audible/conflicts", "conflicts"),
    ("/api/audible/sync", "sync runs"),
    ("/api/audible/runs", "sync runs"),
    ("/api/audible/titles", "audible titles"),
    ("/api/books/{id}/reads", "reads"),
    ("/api/reads", "reads"),
    ("/api/books/{id}/history", "progress history"),
    ("/api/history", "progress history"),
    ("/api/books", "books"),
    ("/api/stats", "statistics"),
    ("/api/notifications", "notifications"),
    ("/api/household", "household"),
    ("/api/cron", "cron"),
    ("/api/schema", "schema"),
)
TAGS = [
    {"name": "books", "description": "My catalogue: books, search, Goodreads/StoryGraph import."},
    {
        "name": "reads",
        "description": "Each reading of a book. A book's status, percent and dates follow from "
        "its reads by one rule (the sync's too).",
    },
    {
        "name": "audible connection",
        "description": "Connect and disconnect an Audible account (through the gateway), sync "
        "preferences, and the connection's status.",
    },
    {
        "name": "audible titles",
        "description": "Every Audible title of mine and where it went: its book, or none and why.",
    },
    {
        "name": "conflicts",
        "description": "Titles the matcher would not decide alone, with ranked candidates; "
        "link, create or ignore.",
    },
    {
        "name": "sync runs",
        "description": "Run a sync, list runs with their counts, a run's per-book changes, undo.",
    },
    {"name": "progress history", "description": "When a title's progress or finish changed."},
    {
        "name": "statistics",
        "description": "Time listened per day and month (Audible's aggregates, stored by the "
        "sync), books finished per month and year, the current streak.",
    },
    {
        "name": "notifications",
        "description": "Where and when I am told that Audible needs me, books need a "
        "decision or syncs fail: channels (Apprise URLs, e-mail), settings, the messages.",
    },
    {
        "name": "household",
        "description": "One Audible login shared by several people: members and invitations, "
        "and how each title is routed to one person (assignments, collections, rules, the "
        'default or a "whose is this?" question), with the reason kept.',
    },
    {"name": "cron", "description": "The scheduler's endpoint (its own bearer secret)."},
    {"name": "schema", "description": "This OpenAPI document (no token needed)."},
]
DESCRIPTION = """A personal book tracker kept current from Audible.

**Getting a token.** An operator creates a person and prints their API token (the last word):
`python manage.py create_user alice` (again for an existing person: the same token). A person
who can log in to the admin (`/admin/`) finds and replaces their own token under
*Auth Token > Tokens*. Send it as `Authorization: Token <token>`; the browser may use the
admin's session instead. Anonymous requests get `401`.

Everything is the signed-in person's own: another person's object is a `404`, exactly like
one that does not exist. Lists are paged (`?page=`, `?page_size=` up to 500). Request bodies
are JSON (`Content-Type: application/json`, else `415`) and take no key they do not declare
(`400 unknown_field` / `read_only_field`). Every failure has one shape:
`{"error": {"code", "message", "fields"?, "retry_after"?}}`. See docs/api.md.
"""
