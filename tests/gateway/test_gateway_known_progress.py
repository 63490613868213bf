"""Positions only for what changed: the caller's ``known_progress`` spares unchanged titles.

A re-sync of an unchanged library must cost Audible only the library pages; a title whose
listening state moved is still looked up, and the answer is the same as a full fetch.
"""

from __future__ import annotations

import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library

from .conftest import Connected

PAGES = "/1.0/library"
POSITIONS = "/1.0/annotations/lastpositions"


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(generate_library(1200, seed=11)) as server:
        yield server


@pytest.fixture(scope="module")
def gw(sandbox):
    return Connected(sandbox)


def _fetch(gw, **extra):
    gw.sandbox.state.reset_calls()
    response = gw.library(**extra)
    assert response.status_code == 200, response.json
    calls = {p: gw.sandbox.state.calls_to(p) for p in (PAGES, POSITIONS)}
    return response.json, calls


def known_from(items):
    """What the tracker sends: state and position of each title in progress it holds."""
    return {
        i["asin"]: [
            p["percent"],
            p["time_remaining_s"],
            p["position_ms"],
            p["position_updated_at"],
        ]
        for i in items
        if 0 < (p := i["progress"])["percent"] < 100
        and not p["is_finished"]
        and p["position_ms"] is not None
    }


def in_progress(items):
    return [i for i in items if 0 < i["progress"]["percent"] < 100]


def test_a_first_fetch_asks_every_position_and_counts_its_requests(gw):
    body, calls = _fetch(gw)
    assert len(in_progress(body["items"])) > 100
    assert calls[POSITIONS] >= len(in_progress(body["items"])) // 50
    assert body["audible_requests"] == calls[PAGES] + calls[POSITIONS]


def test_an_unchanged_library_costs_only_its_pages_and_answers_the_same(gw):
    full, _ = _fetch(gw)
    again, calls = _fetch(gw, known_progress=known_from(full["items"]))
    assert calls == {PAGES: 2, POSITIONS: 0}
    assert again["audible_requests"] == 2
    assert again["items"] == full["items"]


def test_only_titles_whose_state_moved_are_looked_up(gw, sandbox):
    full, _ = _fetch(gw)
    known = known_from(full["items"])
    moved = sorted(known)[:3]
    try:
        for asin in moved:
            sandbox.state.update_progress(asin, percent=42.5)
        body, calls = _fetch(gw, known_progress=known)
        heard = {a: sandbox.state.last_position(a)["last_position_heard"] for a in moved}
    finally:
        for asin in moved:
            was = next(i for i in full["items"] if i["asin"] == asin)["progress"]
            sandbox.state.update_progress(asin, position_ms=was["position_ms"])
    assert calls[POSITIONS] in (1, 2, 3)  # the moved titles, batched per page
    by_asin = {i["asin"]: i["progress"] for i in body["items"]}
    for asin in moved:
        assert by_asin[asin]["percent"] == 42.5
        assert by_asin[asin]["position_ms"] == heard[asin]["position_ms"]
    untouched = {a: p for a, p in by_asin.items() if a in known and a not in moved}
    assert all(p["position_ms"] == known[a][2] for a, p in untouched.items())


def test_a_title_the_caller_does_not_list_is_looked_up(gw):
    full, _ = _fetch(gw)
    known = known_from(full["items"])
    known.pop(sorted(known)[0])
    body, calls = _fetch(gw, known_progress=known)
    assert calls[POSITIONS] == 1
    assert body["items"] == full["items"]


@pytest.mark.parametrize(
    "known",
    [
        [],
        "B0",
        {"B0X": [50, 10, 5]},
        {"B0X": [150, 10, 5, None]},
        {"B0X": [50, -1, 5, None]},
        {"B0X": [50, 10, None, None]},
        {"B0X": [50, 10, 5, "yesterday"]},
        {"B0X": [True, 10, 5, None]},
        {"": [50, 10, 5, None]},
        {"B" * 33: [50, 10, 5, None]},
    ],
)
def test_malformed_known_progress_is_refused(gw, known):
    response = gw.library(known_progress=known)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_error"
    assert "known_progress" in response.json["error"]["fields"]
