"""Audible answering with odd or broken items: each is normalised or reported per item, the
rest of the library still arrives, and the answer stays within the documented schema."""

from __future__ import annotations

import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library

from .conftest import in_progress
from .support import Stack
from .support import assert_documented

# field changes that must be normalised (the title stays, with a sane value)
NORMALISED = {
    "negative runtime": ({"runtime_length_min": -30}, lambda i: i["runtime_min"] is None),
    "absurd runtime": ({"runtime_length_min": 10**12}, lambda i: i["runtime_min"] == 10**12),
    "percent 250": (
        {"listening_status": {"percent_complete": 250, "is_finished": False}},
        lambda i: i["progress"]["percent"] == 100.0,
    ),
    "negative percent": (
        {"listening_status": {"percent_complete": -40}, "percent_complete": -40},
        lambda i: i["progress"]["percent"] == 0.0,
    ),
    "unknown content type": (
        {"content_type": "Hologram", "content_delivery_type": "Teleport"},
        lambda i: i["content_type"] == "Hologram" and i["is_podcast"] is False,
    ),
    "authors as one string": (
        {"authors": "Ann Author, Bo Writer"},
        lambda i: i["authors"] == ["Ann Author", "Bo Writer"],
    ),
    "author entries without names": (
        {"authors": [{"asin": "X"}, None, {"name": "  "}, {"name": "Real Name"}]},
        lambda i: i["authors"] == ["Real Name"],
    ),
    "listening status not an object": (
        {"listening_status": ["odd"], "percent_complete": 12.5},
        lambda i: i["progress"]["percent"] == 12.5,
    ),
    "numeric title": ({"title": 1984}, lambda i: i["title"] == "1984"),
    "empty series entries": ({"series": [{"title": ""}]}, lambda i: i["series"] == []),
    "no subtitle, no language": (
        {"subtitle": None, "language": None},
        lambda i: i["subtitle"] is None and i["language"] is None,
    ),
    "huge remaining time": (
        {"listening_status": {"percent_complete": 5, "time_remaining_seconds": -9}},
        lambda i: i["progress"]["time_remaining_s"] is None,
    ),
}

# field changes that make an item unreadable: reported in errors, never a crash
REPORTED = {
    "authors as an object": {"authors": {"name": "Someone"}},
    "authors as a number": {"authors": 42},
    "narrators as a bool": {"narrators": True},
    "series as text": {"series": "Discworld"},
    "series entry as text": {"series": ["Discworld"]},
    "no title": {"title": None},
    "title as an object": {"title": {"text": "x"}},
    "release date not a date": {"release_date": "the year of the dragon"},
    "purchase date far out of range": {"purchase_date": 10**30},
    "percent not a number": {"listening_status": {"percent_complete": "lots"}},
    "runtime not a number": {"runtime_length_min": "long"},
}


@pytest.fixture(scope="module")
def odd_library():
    """Clean items, and which ASIN gets which odd change once the sandbox has loaded them
    (the sandbox itself reads progress fields while loading, so they go in afterwards)."""
    items = generate_library(len(NORMALISED) + len(REPORTED) + 10, seed=31)
    for item in items:
        item["status"] = "Active"
    changes = [*((n, c) for n, (c, _) in NORMALISED.items()), *REPORTED.items()]
    cases = {
        name: (item["asin"], change) for item, (name, change) in zip(items, changes, strict=False)
    }
    return items, cases


@pytest.fixture(scope="module")
def answer(odd_library):
    items, cases = odd_library
    with SandboxServer(items) as server:
        for asin, change in cases.values():
            server.state.update_item(asin, change)
        response = Stack(server).library()
    assert response.status_code == 200, response.json
    assert_documented("POST", "/api/library", 200, response.json)
    return response.json


def test_the_library_arrives_despite_broken_items(answer, odd_library):
    items, _ = odd_library
    assert answer["total"] == len(items)
    assert len(answer["items"]) == len(items) - len(REPORTED)


@pytest.mark.parametrize("name", list(NORMALISED))
def test_odd_fields_are_normalised(answer, odd_library, name):
    _, cases = odd_library
    item = next(i for i in answer["items"] if i["asin"] == cases[name][0])
    assert NORMALISED[name][1](item), item


@pytest.mark.parametrize("name", list(REPORTED))
def test_unreadable_items_are_reported_by_asin(answer, odd_library, name):
    _, cases = odd_library
    asin = cases[name][0]
    assert asin not in {i["asin"] for i in answer["items"]}
    reported = [e for e in answer["errors"] if e["asin"] == asin]
    assert len(reported) == 1
    assert asin in reported[0]["message"]


def test_an_unreadable_last_position_is_reported_and_the_title_kept(sandbox, library, stack):
    started = in_progress(library)
    asin = started["asin"]
    progress = sandbox.state.positions[asin]
    before = (progress.position_ms, progress.last_updated)
    progress.position_ms, progress.last_updated = 1000, "the day before yesterday"
    try:
        response = stack.library()
    finally:
        progress.position_ms, progress.last_updated = before
    assert response.status_code == 200
    assert_documented("POST", "/api/library", 200, response.json)
    item = next(i for i in response.json["items"] if i["asin"] == asin)
    assert item["progress"]["percent"] == pytest.approx(
        started["listening_status"]["percent_complete"]
    )
    assert item["progress"]["position_ms"] is None
    assert any(e["asin"] == asin for e in response.json["errors"])


def test_one_titles_progress_with_an_unreadable_item_is_a_clear_502(sandbox, library, stack):
    asin = library[3]["asin"]
    original = dict(sandbox.state.get_item(asin))
    sandbox.state.update_item(asin, {"authors": {"not": "a list"}})
    try:
        response = stack.post(f"/api/progress/{asin}", {"auth": stack.blob})
    finally:
        sandbox.state.update_item(asin, {"authors": original["authors"]})
    assert response.status_code == 502
    assert response.json["error"]["code"] == "audible_bad_response"
    assert_documented("POST", f"/api/progress/{asin}", 502, response.json)


def test_a_library_past_audibles_10k_paging_ceiling_is_marked_incomplete():
    """10,001 titles: Audible (the sandbox, default cap) refuses page 11, so the answer holds
    the 10,000 it could read, says it is incomplete and why."""
    with SandboxServer(generate_library(10_001, seed=41)) as server:
        # Ten 1,000-title pages take the sandbox seconds each on a busy machine: the fault
        # tests' 5 s upstream timeout and retry budget would turn a slow page into a 503.
        stack = Stack(server, GATEWAY_UPSTREAM_TIMEOUT_S="120", GATEWAY_RETRY_BUDGET_S="240")
        response = stack.library()
        refused = server.state.calls_to("/1.0/library")
    assert response.status_code == 200
    body = response.json
    assert_documented("POST", "/api/library", 200, body)
    assert body["total"] == 10_001
    assert len(body["items"]) == 10_000
    assert body["complete"] is False
    assert [e["code"] for e in body["errors"] if "code" in e] == ["audible_library_too_large"]
    assert refused == 11  # ten pages read, the eleventh refused and not retried
