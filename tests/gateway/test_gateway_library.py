"""The library endpoint against the sandbox: every page, the item shape, progress, rotation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library

from .conftest import KEY
from .conftest import Connected

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "audible_samples"
ITEM_KEYS = {
    "asin", "title", "subtitle", "authors", "narrators", "series", "categories", "isbn",
    "language",
    "release_date", "purchase_date", "runtime_min", "content_type", "content_delivery_type",
    "format_type", "is_podcast", "origin_type", "status", "progress",
}  # fmt: skip


@pytest.fixture(scope="module")
def big_library():
    return generate_library(2500, seed=7)


@pytest.fixture(scope="module")
def sandbox(big_library):
    with SandboxServer(big_library) as server:
        yield server


@pytest.fixture(scope="module")
def gw(sandbox):
    return Connected(sandbox)


@pytest.fixture(scope="module")
def answer(gw):
    gw.sandbox.state.clear_faults()
    gw.sandbox.state.reset_calls()
    response = gw.library()
    assert response.status_code == 200, response.json
    calls = {
        p: gw.sandbox.state.calls_to(p) for p in ("/1.0/library", "/1.0/annotations/lastpositions")
    }
    return {**response.json, "calls": calls}


def test_it_returns_all_2500_titles_over_three_concurrent_pages(answer, big_library, gw):
    assert answer["total"] == 2500
    assert answer["complete"] is True
    assert answer["errors"] == []
    assert sorted(i["asin"] for i in answer["items"]) == sorted(i["asin"] for i in big_library)
    assert answer["calls"]["/1.0/library"] == 3
    assert answer["fetched_at"].endswith("+00:00")


def test_items_have_exactly_the_documented_shape(answer):
    assert set(answer) == {
        "items", "auth", "total", "complete", "errors", "fetched_at", "audible_requests", "calls",
    }  # fmt: skip
    for item in answer["items"]:
        assert set(item) == ITEM_KEYS
        assert item["status"] in ("Active", "Revoked")
        assert 0 <= item["progress"]["percent"] <= 100


def test_it_does_not_hand_back_an_unchanged_blob(answer):
    assert answer["auth"] is None


def test_revoked_titles_are_reported_with_their_status(answer, big_library):
    revoked = {i["asin"] for i in big_library if i.get("status") == "Revoked"}
    assert revoked, "the generated library should contain returned titles"
    assert {i["asin"] for i in answer["items"] if i["status"] == "Revoked"} == revoked


def test_revoked_titles_can_be_left_out(gw, big_library):
    body = gw.library(include_revoked=False).json
    assert body["items"]
    assert all(item["status"] == "Active" for item in body["items"])


def test_titles_in_progress_carry_their_last_position(answer, gw):
    in_progress = [
        i
        for i in answer["items"]
        if 0 < i["progress"]["percent"] < 100
        and not i["progress"]["is_finished"]
        and i["status"] == "Active"
    ]
    assert in_progress
    returned = [
        i
        for i in answer["items"]
        if i["status"] == "Revoked" and 0 < i["progress"]["percent"] < 100
    ]
    assert returned, "the generated library has returned titles in progress"
    assert all(i["progress"]["position_ms"] is None for i in returned)  # not asked for
    for item in in_progress:
        heard = gw.sandbox.state.last_position(item["asin"])["last_position_heard"]
        if heard.get("status") == "Exists":
            assert item["progress"]["position_ms"] == heard["position_ms"]
            assert item["progress"]["position_updated_at"]
    # asked in batches of at most 50 titles, not one call per title
    # one lookup per 50 titles in progress of each page (3 pages), asked while paging
    calls = answer["calls"]["/1.0/annotations/lastpositions"]
    assert -(-len(in_progress) // 50) <= calls <= -(-len(in_progress) // 50) + 3


def test_finished_titles_are_finished(answer, big_library):
    finished = {
        i["asin"]
        for i in big_library
        if (i.get("listening_status") or {}).get("is_finished") and i.get("status") != "Revoked"
    }
    got = {i["asin"]: i["progress"] for i in answer["items"]}
    for asin in finished:
        assert got[asin]["is_finished"] is True
        assert got[asin]["percent"] == 100.0


def test_a_blob_sealed_with_an_old_key_comes_back_sealed_with_the_newest(gw):
    new_key = Fernet.generate_key().decode()
    rotated = Connected.__new__(Connected)
    rotated.sandbox = gw.sandbox
    from audible_gateway import create_app

    from .conftest import gateway_config

    rotated.app = create_app(
        gateway_config(AUDIBLE_SANDBOX_URL=gw.sandbox.url, ENCRYPTION_KEY=f"{new_key},{KEY}")
    )
    rotated.client = rotated.app.test_client()
    body = rotated.library(gw.blob, include_revoked=False).json
    assert body["auth"] is not None
    from audible_gateway.sealing import Sealer

    reopened = Sealer((new_key.encode(),)).open(body["auth"], "audible_auth")
    assert reopened.stale is False
    assert reopened.data == gw.open_blob(gw.blob)
    assert rotated.library(body["auth"], include_revoked=False).json["auth"] is None


def test_a_malformed_item_is_reported_not_a_crash(sandbox, big_library):
    asin = big_library[10]["asin"]
    other = big_library[11]["asin"]
    sandbox.state.update_item(asin, {"authors": 42})
    sandbox.state.update_item(other, {"title": None})
    try:
        body = Connected(sandbox).library().json
    finally:
        sandbox.state.update_item(asin, {"authors": big_library[10]["authors"]})
        sandbox.state.update_item(other, {"title": big_library[11]["title"]})
    assert {e["asin"] for e in body["errors"]} == {asin, other}
    assert all(e["message"] for e in body["errors"])
    assert len(body["items"]) == 2498
    assert body["total"] == 2500


def _sample_items(name: str) -> list[dict]:
    return json.loads((SAMPLES / name).read_text())["items"]


def test_real_samples_normalise_and_listening_status_wins():
    """The real a2a sample says percent_complete 0.0 at the top and 10.0 in listening_status
    with 80,622 of 89,580 s left: exactly 10 % heard, so listening_status wins."""
    raw = _sample_items("library_page_3_items.a2a.json")
    assert raw[0]["percent_complete"] == 0.0
    assert raw[0]["listening_status"]["percent_complete"] == 10.0
    with SandboxServer(raw) as server:
        body = Connected(server).library().json
    assert body["errors"] == []
    items = {i["asin"]: i for i in body["items"]}
    healer = items["B0BLZNZ47B"]
    assert healer["title"] == "Azarinth Healer: Book One"
    assert healer["authors"] == ["Rhaegar"]
    assert healer["series"][0] == {"title": "Azarinth Healer", "sequence": "1"}
    assert healer["progress"]["percent"] == 10.0
    assert healer["progress"]["time_remaining_s"] == 80622
    assert healer["progress"]["is_finished"] is False


def test_isbn_comes_through_when_audible_has_it():
    raw = _sample_items("library_item_full.a2a.json")
    extra = _sample_items("library_product_attrs_product_details.a2a.json")
    with_isbn = next(i for i in extra if i.get("isbn"))
    template = dict(raw[0])
    template.update({k: v for k, v in with_isbn.items() if v is not None})
    with SandboxServer([template]) as server:
        body = Connected(server).library().json
    assert body["items"][0]["isbn"] == with_isbn["isbn"]


def test_a_missing_total_count_is_survived(gw, big_library):
    gw.sandbox.state.arm_fault(path="/1.0/library", omit_headers=["Total-Count"], count=None)
    try:
        body = gw.library().json
    finally:
        gw.sandbox.state.clear_faults()
    assert len(body["items"]) == 2500
    assert body["complete"] is True


def test_the_10k_paging_refusal_is_reported_clearly(gw):
    gw.sandbox.state.config.page_cap = 2000
    try:
        body = gw.library().json
    finally:
        gw.sandbox.state.config.page_cap = 10_000
    assert body["complete"] is False
    assert len(body["items"]) == 2000
    assert body["total"] == 2500
    note = body["errors"][0]
    assert note["code"] == "audible_library_too_large"
    assert "Implied library size is unsupported" in note["message"]
