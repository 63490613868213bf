"""Sync runs through the REST API: the list (paged, filtered, counts in the one shape) and a
run's per-book changes, from real syncs against the sandbox through the real gateway."""

from __future__ import annotations

import pytest

from tests.core.test_schema import assert_conforms
from tests.support.factories import SyncLogFactory
from tests.support.people import token_client
from tracker_api.audible_sync.runs import COUNT_FIELDS
from tracker_api.audible_sync.runs import run_changes
from tracker_api.audible_sync.sync import run_sync

pytestmark = pytest.mark.django_db
IN_PROGRESS = "B0PZHZFWVU"  # The Name of the Wind, 23.9 %
UNPLAYED = "B0SMJ8J2YQ"  # Thinking, Fast and Slow


def test_the_sync_answer_the_status_and_the_list_share_one_run_shape(listener, schema):
    client = token_client(listener)
    posted = client.post("/api/audible/sync", {})
    assert posted.status_code == 200, posted.content
    assert_conforms(schema, "/api/audible/sync", "post", posted)
    run = posted.json()
    assert set(run["counts"]) == set(COUNT_FIELDS)
    status = client.get("/api/audible/status").json()["last_sync"]
    listed = client.get("/api/audible/runs")
    assert_conforms(schema, "/api/audible/runs", "get", listed)
    assert listed.json()["count"] == 1
    assert status == run == listed.json()["results"][0]


def test_a_runs_detail_lists_each_change_in_the_documented_shape(listener, stack, schema):
    client = token_client(listener)
    first = client.post("/api/audible/sync", {}).json()
    stack.state.update_progress(UNPLAYED, percent=20.0)
    stack.state.update_progress(IN_PROGRESS, is_finished=True, finished_at="2025-11-01T20:00:00Z")
    second = run_sync(listener, trigger="manual", force=True).log

    detail = client.get(f"/api/audible/runs/{second.pk}")
    assert detail.status_code == 200
    assert_conforms(schema, "/api/audible/runs/{id}", "get", detail)
    changes = detail.json()["changes"]
    assert {c["change"] for c in changes} - {"skipped"} == {"started", "finished"}
    finished = {c["field"]: c for c in changes if c["asin"] == IN_PROGRESS}
    assert finished["status"]["before"] == "reading"
    assert finished["status"]["after"] == "read"
    assert finished["percent"]["before"] == 23.9
    assert finished["percent"]["after"] == 100.0
    assert finished["finished_at"]["after"].startswith("2025-11-01T20:00:00")
    assert finished["status"]["title"] == "The Name of the Wind"
    assert finished["status"]["book_id"] is not None
    assert finished["status"]["why"] == "Audible shows the title finished."

    created = client.get(f"/api/audible/runs/{first['id']}").json()["changes"]
    kinds = {c["change"] for c in created}
    assert {"created", "skipped"} <= kinds
    skip = next(c for c in created if c["change"] == "skipped")
    assert skip["field"] is None
    assert skip["why"]


def test_the_list_filters_and_pages(api, alice, schema):
    SyncLogFactory(user=alice, status="ok", started_at="2025-01-02T10:00:00Z")
    SyncLogFactory(user=alice, status="failed", started_at="2025-03-02T10:00:00Z", error="x")
    SyncLogFactory(user=alice, status="ok", trigger="api", dry_run=True,
                   started_at="2025-05-02T10:00:00Z")  # fmt: skip

    def ids(query):
        response = api.get(f"/api/audible/runs?{query}")
        assert response.status_code == 200, response.content
        assert_conforms(schema, "/api/audible/runs", "get", response)
        return [r["started_at"][:7] for r in response.json()["results"]]

    assert ids("") == ["2025-05", "2025-03", "2025-01"]
    assert ids("status=ok") == ["2025-05", "2025-01"]
    assert ids("since=2025-02-01") == ["2025-05", "2025-03"]
    assert ids("since=2025-02-01&until=2025-04-01T00:00:00Z") == ["2025-03"]
    assert ids("trigger=api") == ["2025-05"]
    assert ids("dry_run=false") == ["2025-03", "2025-01"]
    assert ids("page_size=1&page=2") == ["2025-03"]
    for bad in ("status=nope", "since=yesterday", "dry_run=maybe", "since=" + "9" * 100):
        response = api.get(f"/api/audible/runs?{bad}")
        assert response.status_code == 400, bad
        assert response.json()["error"]["fields"].keys() == {bad.split("=")[0]}
        assert_conforms(schema, "/api/audible/runs", "get", response)


def test_another_persons_run_is_a_404_and_never_listed(api, bob, schema):
    theirs = SyncLogFactory(user=bob, error="bob's")
    response = api.get(f"/api/audible/runs/{theirs.pk}")
    assert response.status_code == 404
    assert_conforms(schema, "/api/audible/runs/{id}", "get", response)
    assert api.get("/api/audible/runs").json()["count"] == 0


def test_every_kind_of_log_entry_becomes_rows_of_one_shape():
    entries = [
        {"asin": "A1", "book_id": 1, "title": "T", "change": "progress", "percent": 50.0,
         "previous_percent": 40.0, "progress_percent": [40.0, 50.0]},
        {"asin": "A2", "title": "N", "change": "created", "percent": 0.0,
         "status": "want_to_read"},
        {"asin": "A3", "title": "L", "book_id": 3, "change": "linked", "method": "isbn",
         "confidence": 1.0, "percent": 10.0},
        {"asin": "A4", "title": "C", "change": "conflict_opened", "candidates": [1, 2]},
        {"asin": "A5", "title": "S", "change": "skipped", "reason": "left out by the policy"},
        {"asin": "A6", "book_id": 6, "title": "G", "change": "not_in_library"},
        {"change": "more", "count": 12},
        {"change": "error", "asin": None, "message": "Progress of X unusable"},
        "not a dict",
    ]  # fmt: skip
    rows = run_changes(entries)
    keys = {"asin", "title", "book_id", "change", "field", "before", "after", "why"}
    assert all(set(row) == keys for row in rows)
    by = {(r["asin"], r["field"]): r for r in rows}
    assert (by["A1", "percent"]["before"], by["A1", "percent"]["after"]) == (40.0, 50.0)
    assert by["A1", "progress_percent"]["after"] == 50.0
    assert by["A2", "status"]["before"] is None
    assert by["A2", "status"]["after"] == "want_to_read"
    assert "isbn" in by["A3", "percent"]["why"]
    assert "2 candidate" in by["A4", None]["why"]
    assert by["A5", None]["why"] == "left out by the policy"
    assert by["A6", None]["change"] == "not_in_library"
    assert by[None, None]["change"] in {"more", "error"}
    assert [r["after"] for r in rows if r["change"] == "more"] == [12]
    assert run_changes({"not": "a list"}) == []
