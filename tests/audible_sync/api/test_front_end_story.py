"""A front-end's story, as one test through the live stack: the tracker served over HTTP
(``live_server``), the real gateway and the sandbox behind it, every step a plain HTTP call a
front-end would make with a person's token, every answer checked against the OpenAPI schema.

Connect (external login), sync, list the titles, open one, see its history and reads, resolve
a conflict, listen more and sync again an hour later, see that run's changes, undo it,
disconnect.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import httpx
import pytest
from rest_framework.authtoken.models import Token

from tests.audible_sync.api.test_audible_api_auth import browser_landing
from tests.audible_sync.conftest import active_devices
from tests.core.test_schema import assert_conforms
from tests.support.factories import UserFactory
from tracker_api.audible_sync.models import AudibleSyncLog

pytestmark = pytest.mark.django_db(transaction=True)
IN_PROGRESS = "B0PZHZFWVU"  # The Name of the Wind, 23.9 % in the sample library


class FrontEnd:
    """What a front-end does: JSON over HTTP with a token, each answer schema-checked."""

    def __init__(self, base: str, token: str, schema: dict) -> None:
        self.http = httpx.Client(
            base_url=base, headers={"Authorization": f"Token {token}"}, timeout=60
        )
        self.schema = schema

    def call(self, method: str, path: str, template: str | None = None, **kwargs):
        answer = self.http.request(method, path, **kwargs)
        checked = SimpleNamespace(status_code=answer.status_code, json=answer.json)
        assert_conforms(self.schema, template or path, method.lower(), checked)
        return answer


def test_a_front_end_connects_syncs_browses_resolves_undoes_and_disconnects(
    live_server, listener, stack, schema
):
    person = UserFactory(username="reader")
    app = FrontEnd(live_server.url, Token.objects.create(user=person).key, schema)
    devices = active_devices(stack.sandbox)

    # Connect: the external login, the way a person pastes where their browser landed.
    start = app.call("POST", "/api/audible/auth", json={"method": "external", "locale": "us"})
    assert start.json()["status"] == "login_required"
    done = app.call(
        "POST",
        "/api/audible/auth",
        json={
            "method": "external",
            "state": start.json()["state"],
            "redirect_url": browser_landing(start.json()["login_url"]),
        },
    )
    assert done.json()["status"] == "connected"
    assert "auth" not in done.json()
    assert active_devices(stack.sandbox) == devices + 1

    # Sync, then list the titles and where each went.
    first = app.call("POST", "/api/audible/sync", json={})
    assert first.status_code == 200, first.text
    assert first.json()["counts"]["items_seen"] > 0
    titles = app.call("GET", "/api/audible/titles", params={"page_size": 500}).json()
    states = {t["asin"]: t["state"] for t in titles["results"]}
    assert states[IN_PROGRESS] == "linked"
    assert "conflict_open" in states.values()

    # Open one: its history and its reads.
    title = app.call(
        "GET", f"/api/audible/titles/{IN_PROGRESS}", "/api/audible/titles/{asin}"
    ).json()
    book_id = title["book"]["id"]
    assert [h["percent"] for h in title["history"]] == [23.9]
    assert [(r["status"], r["source"]) for r in title["reads"]] == [("reading", "audible")]
    reads = app.call("GET", f"/api/books/{book_id}/reads", "/api/books/{id}/reads").json()
    assert reads["results"][0]["percent"] == 23.9
    history = app.call("GET", f"/api/books/{book_id}/history", "/api/books/{id}/history").json()
    assert history["count"] == 1

    # Resolve a conflict: create a book for it.
    conflicts = app.call("GET", "/api/audible/conflicts").json()["results"]
    conflict = conflicts[0]
    assert {"series", "series_position", "year"} <= set(conflict["candidates"][0])
    resolved = app.call(
        "POST",
        f"/api/audible/conflicts/{conflict['id']}/resolve",
        "/api/audible/conflicts/{id}/resolve",
        json={"action": "create"},
    ).json()
    assert resolved["created_book"] is True
    now = app.call("GET", f"/api/audible/titles/{conflict['asin']}", "/api/audible/titles/{asin}")
    assert now.json()["state"] == "linked"

    # An hour later, after listening: a second sync, and that run's changes.
    stack.state.update_progress(IN_PROGRESS, percent=61.0)
    AudibleSyncLog.objects.filter(user=person).update(
        started_at=first_started(person) - timedelta(hours=1)
    )
    second = app.call("POST", "/api/audible/sync", json={}).json()
    run = app.call("GET", f"/api/audible/runs/{second['id']}", "/api/audible/runs/{id}").json()
    moved = {c["field"]: c for c in run["changes"] if c["asin"] == IN_PROGRESS}
    assert (moved["progress_percent"]["before"], moved["progress_percent"]["after"]) == (
        23.9,
        61.0,
    )
    assert moved["progress_percent"]["book_id"] == book_id
    assert moved["progress_percent"]["why"]

    # Undo it: the book is back where it was.
    undone = app.call(
        "POST", f"/api/audible/runs/{second['id']}/undo", "/api/audible/runs/{id}/undo", json={}
    )
    assert undone.status_code == 200, undone.text
    book = app.call("GET", f"/api/books/{book_id}", "/api/books/{id}").json()
    assert book["progress_percent"] == 23.9

    # Disconnect: the device is deregistered and the credentials forgotten.
    gone = app.call("DELETE", "/api/audible/auth").json()
    assert gone == {"status": "disconnected", "was_connected": True, "deregistered": True}
    assert active_devices(stack.sandbox) == devices
    status = app.call("GET", "/api/audible/status").json()
    assert status["connection"]["state"] == "not_connected"


def first_started(person):
    return AudibleSyncLog.objects.filter(user=person).order_by("started_at").first().started_at
