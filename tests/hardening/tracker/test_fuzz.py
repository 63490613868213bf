"""Property-based fuzzing of every operation in the tracker's OpenAPI schema.

Bounded for CI; ``bench/tracker_fuzz.py`` runs the same harness far longer and prints counts.
The Audible operations reach the real gateway and sandbox (threads, real HTTP), so a sync or a
connect in the fuzz does what it does in production.
"""

from __future__ import annotations

from django.conf import settings

from .fuzzing import fuzz_tracker
from .fuzzing import load_schema

EVERY_OPERATION = {
    "POST /api/audible/auth",
    "DELETE /api/audible/auth",
    "GET /api/audible/titles",
    "GET /api/audible/titles/{asin}",
    "GET /api/history",
    "GET /api/books/{id}/history",
    "GET /api/books/{id}/reads",
    "POST /api/books/{id}/reads",
    "GET /api/books/{id}/reads/{read_id}",
    "PATCH /api/books/{id}/reads/{read_id}",
    "DELETE /api/books/{id}/reads/{read_id}",
    "GET /api/reads",
    "GET /api/stats",
    "GET /api/audible/config",
    "PUT /api/audible/config",
    "PATCH /api/audible/config",
    "GET /api/audible/conflicts",
    "GET /api/audible/conflicts/{id}",
    "POST /api/audible/conflicts/{id}/resolve",
    "POST /api/audible/link",
    "GET /api/audible/status",
    "GET /api/audible/runs",
    "GET /api/audible/runs/{id}",
    "POST /api/audible/runs/{id}/undo",
    "POST /api/audible/sync",
    "GET /api/books",
    "POST /api/books",
    "GET /api/books/{id}",
    "PUT /api/books/{id}",
    "PATCH /api/books/{id}",
    "DELETE /api/books/{id}",
    "POST /api/books/import",
    "GET /api/cron/audible-sync",
    "GET /api/notifications",
    "GET /api/notifications/channels",
    "POST /api/notifications/channels",
    "GET /api/notifications/channels/{id}",
    "PUT /api/notifications/channels/{id}",
    "PATCH /api/notifications/channels/{id}",
    "DELETE /api/notifications/channels/{id}",
    "POST /api/notifications/channels/{id}/test",
    "GET /api/notifications/settings",
    "PATCH /api/notifications/settings",
    "GET /api/household",
    "POST /api/household",
    "PATCH /api/household",
    "GET /api/household/invitations",
    "POST /api/household/invitations",
    "POST /api/household/invitations/{id}/accept",
    "POST /api/household/invitations/{id}/decline",
    "POST /api/household/leave",
    "GET /api/household/assignments",
    "POST /api/household/assignments",
    "GET /api/household/collections",
    "POST /api/household/collections",
    "GET /api/household/rules",
    "POST /api/household/rules",
    "GET /api/household/routes",
    "GET /api/household/moves",
    "POST /api/household/moves",
    "GET /api/household/questions",
    "POST /api/household/questions/{id}/answer",
}


def secrets_of(world) -> list[str]:
    return [
        world.blob,
        world.outsider_token,
        settings.SECRET_KEY,
        settings.AUDIBLE_API_SECRET,
        settings.CRON_SECRET,
    ]


def real_values(world) -> dict:
    ids = [
        *world.book_ids,
        *world.conflict_ids,
        *world.run_ids,
        world.outsider_book_id,
        world.outsider_conflict_id,
    ]
    return {
        "id": ids,
        "book_id": [*world.book_ids, world.outsider_book_id],
        "read_id": world.read_ids,
        "asin": world.asins,
        "method": ["external"],
        "locale": ["us", "de"],
        "action": ["link", "create", "ignore"],
    }


def test_the_schema_lists_every_operation_the_fuzzer_drives(wired, wsgi_app):
    labels = {r.ok().label for r in load_schema(wsgi_app).get_all_operations()}
    assert labels == EVERY_OPERATION


def test_every_operation_survives_fuzzing_as_owner_wrong_token_and_anonymous(world, wsgi_app):
    report = fuzz_tracker(
        wsgi_app,
        identities={
            "owner": f"Token {world.owner_token}",
            "wrong-token": f"Token {world.owner_token[:-1]}x",
            "anonymous": None,
        },
        real_values=real_values(world),
        forbidden=secrets_of(world),
        max_examples=12,
        other_examples=3,
    )
    assert report.clean, report.summary() + "\n" + report.problems()
    assert report.operations == EVERY_OPERATION
    assert report.examples >= 300, report.summary()
    assert report.substituted > 0
    # The owner got real answers; the others were turned away (cron has its own bearer).
    assert report.statuses[200] > 0, report.summary()
    assert report.statuses[401] > 0, report.summary()
    assert report.per_identity["wrong-token"] > 0
    assert report.per_identity["anonymous"] > 0
