"""Audible titles and progress history through the REST API, from real syncs against the
sandbox through the real gateway: every title with its book or why none, a title's detail
with its history, conflicts and reads, the history lists and their filters, disconnecting."""

from __future__ import annotations

import pytest

from tests.audible_sync.conftest import active_devices
from tests.core.test_schema import assert_conforms
from tests.support.factories import UserFactory
from tests.support.people import token_client
from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.sync import run_sync

pytestmark = pytest.mark.django_db
IN_PROGRESS = "B0PZHZFWVU"  # The Name of the Wind, 23.9 %
NEVER_STARTED = "B0SMJ8J2YQ"  # Thinking, Fast and Slow: left out by the policy "started"
REVOKED = "B0DGL6UHP8"  # The Girl on the Train


def _synced(listener, policy="started"):
    AudibleConfig.objects.filter(user=listener).update(import_policy=policy)
    outcome = run_sync(listener, trigger="manual", force=True)
    assert outcome.status == "ok", outcome.log.error
    return outcome.log


def test_every_title_says_where_it_went(listener, schema):
    _synced(listener)
    client = token_client(listener)
    listed = client.get("/api/audible/titles?page_size=500")
    assert listed.status_code == 200
    assert_conforms(schema, "/api/audible/titles", "get", listed)
    by_asin = {t["asin"]: t for t in listed.json()["results"]}
    mapped = set(AudibleBookMapping.objects.filter(user=listener).values_list("asin", flat=True))
    conflicted = set(AudibleConflict.objects.filter(user=listener).values_list("asin", flat=True))
    assert mapped | conflicted <= set(by_asin)

    linked = by_asin[IN_PROGRESS]
    book = AudibleBookMapping.objects.get(user=listener, asin=IN_PROGRESS).book
    assert linked["state"] == "linked"
    assert linked["book"] == {
        "id": book.pk,
        "title": book.title,
        "status": "reading",
        "progress_percent": 23.9,
    }
    assert (linked["last_percent"], linked["match_method"]) == (23.9, "created")
    assert by_asin[NEVER_STARTED]["state"] == "not_imported"
    assert "import policy" in by_asin[NEVER_STARTED]["why"]
    assert by_asin[NEVER_STARTED]["book"] is None
    assert by_asin[REVOKED]["state"] == "not_in_library"
    for asin in conflicted:
        assert by_asin[asin]["state"] == "conflict_open"
        assert by_asin[asin]["conflict_id"] is not None

    # Ignoring one moves it; the filters pick states, an ASIN, a book, a moment.
    client.post("/api/audible/link", {"asin": IN_PROGRESS, "ignore": True}, format="json")
    ignored = client.get("/api/audible/titles?status=ignored").json()["results"]
    assert [t["asin"] for t in ignored] == [IN_PROGRESS]
    assert ignored[0]["book"] is None
    assert client.get(f"/api/audible/titles?asin={NEVER_STARTED.lower()}").json()["count"] == 1
    other = AudibleBookMapping.objects.filter(user=listener, book__isnull=False).first()
    assert [
        t["asin"] for t in client.get(f"/api/audible/titles?book={other.book_id}").json()["results"]
    ] == [other.asin]
    assert client.get("/api/audible/titles?since=2999-01-01").json()["count"] == 0
    for bad in ("?status=lost", "?asin=not-an-asin!", "?book=x", "?since=soon"):
        refused = client.get(f"/api/audible/titles{bad}")
        assert refused.status_code == 400, bad
        assert_conforms(schema, "/api/audible/titles", "get", refused)


def test_a_titles_detail_has_its_history_conflicts_and_reads(listener, stack, schema):
    _synced(listener)
    stack.state.update_progress(IN_PROGRESS, percent=61.0)
    _synced(listener)
    client = token_client(listener)
    detail = client.get(f"/api/audible/titles/{IN_PROGRESS}")
    assert detail.status_code == 200
    assert_conforms(schema, "/api/audible/titles/{asin}", "get", detail)
    body = detail.json()
    assert body["item"]["asin"] == IN_PROGRESS
    assert [h["percent"] for h in body["history"]][:2] == [61.0, 23.9]
    assert body["history"][0]["previous_percent"] == 23.9
    assert [(r["status"], r["percent"]) for r in body["reads"]] == [("reading", 61.0)]
    conflict = AudibleConflict.objects.filter(user=listener).first()
    shown = client.get(f"/api/audible/titles/{conflict.asin}").json()
    assert [c["id"] for c in shown["conflicts"]] == [conflict.pk]
    assert shown["book"] is None
    assert shown["reads"] == []
    missing = client.get("/api/audible/titles/B0NOSUCH00")
    assert missing.status_code == 404
    assert_conforms(schema, "/api/audible/titles/{asin}", "get", missing)
    # Another person has no such title.
    outsider = token_client(UserFactory(username="outsider"))
    assert outsider.get(f"/api/audible/titles/{IN_PROGRESS}").status_code == 404
    assert outsider.get("/api/audible/titles").json()["count"] == 0


def test_progress_history_overall_and_per_book_filtered_by_time(listener, stack, schema):
    first = _synced(listener)
    stack.state.update_progress(IN_PROGRESS, percent=70.0)
    second = _synced(listener)
    client = token_client(listener)
    overall = client.get("/api/history?page_size=500")
    assert_conforms(schema, "/api/history", "get", overall)
    rows = overall.json()["results"]
    assert rows[0]["asin"] == IN_PROGRESS
    assert rows[0]["percent"] == 70.0
    assert rows[0]["sync_run_id"] == second.pk
    assert {r["sync_run_id"] for r in rows[1:]} == {first.pk}
    later = client.get("/api/history", {"since": second.started_at.isoformat()}).json()
    assert [r["percent"] for r in later["results"]] == [70.0]
    earlier = client.get("/api/history", {"until": second.started_at.isoformat()}).json()
    assert earlier["count"] == len(rows) - 1
    assert client.get(f"/api/history?asin={IN_PROGRESS}").json()["count"] == 2

    book = AudibleBookMapping.objects.get(user=listener, asin=IN_PROGRESS).book
    per_book = client.get(f"/api/books/{book.pk}/history")
    assert_conforms(schema, "/api/books/{id}/history", "get", per_book)
    assert [r["percent"] for r in per_book.json()["results"]] == [70.0, 23.9]
    assert all(r["book_title"] == book.title for r in per_book.json()["results"])
    assert client.get(f"/api/history?book={book.pk}").json()["count"] == 2
    refused = client.get("/api/history?since=2025-13-01")
    assert refused.status_code == 400
    assert_conforms(schema, "/api/history", "get", refused)

    outsider = token_client(UserFactory(username="outsider"))
    assert outsider.get(f"/api/books/{book.pk}/history").status_code == 404
    assert outsider.get("/api/history").json()["count"] == 0


def test_delete_auth_deregisters_and_forgets_the_blob(listener, stack, schema):
    client = token_client(listener)
    sealed = AudibleConfig.objects.get(user=listener).sealed_auth
    before = active_devices(stack.sandbox)
    answer = client.delete("/api/audible/auth")
    assert answer.status_code == 200, answer.content
    assert_conforms(schema, "/api/audible/auth", "delete", answer)
    assert answer.json() == {"status": "disconnected", "was_connected": True, "deregistered": True}
    assert active_devices(stack.sandbox) == before - 1
    config = AudibleConfig.objects.get(user=listener)
    assert (config.sealed_auth, config.account) == ("", {})
    assert client.get("/api/audible/status").json()["connection"]["state"] == "not_connected"
    with pytest.raises(gateway.GatewayCallError):
        gateway.fetch_library(sealed)
    again = client.delete("/api/audible/auth")
    assert again.json()["was_connected"] is False


def test_delete_auth_keeps_the_blob_when_the_gateway_is_down(listener, settings, schema):
    settings.AUDIBLE_SERVICE_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.AUDIBLE_GATEWAY_RETRY_ATTEMPTS = 1
    answer = token_client(listener).delete("/api/audible/auth")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "gateway_unreachable"
    assert_conforms(schema, "/api/audible/auth", "delete", answer)
    assert AudibleConfig.objects.get(user=listener).sealed_auth != ""
