"""Token refresh (including Amazon's actor_access_token answer) and one title's progress."""

from __future__ import annotations

import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library

from .conftest import Connected


@pytest.fixture(scope="module")
def library():
    return generate_library(30, seed=5)


@pytest.fixture(scope="module")
def sandbox(library):
    with SandboxServer(library) as server:
        yield server


@pytest.fixture
def gw(sandbox):
    sandbox.state.clear_faults()
    sandbox.state.set_refresh_mode("normal")
    yield Connected(sandbox)
    sandbox.state.set_refresh_mode("normal")


def test_refresh_returns_a_new_blob_with_a_new_access_token(gw):
    before = gw.open_blob(gw.blob)
    response = gw.post("/api/refresh-token", {"auth": gw.blob})
    assert response.status_code == 200, response.json
    after = gw.open_blob(response.json["auth"])
    assert after["access_token"] != before["access_token"]
    assert after["access_token"].startswith("Atna|")
    assert after["adp_token"] == before["adp_token"]
    assert response.json["expires_at"]
    assert gw.sandbox.state.calls_to("/auth/token", "POST") >= 1


def test_an_actor_access_token_answer_is_accepted(gw):
    gw.sandbox.state.set_refresh_mode("actor_access_token")
    response = gw.post("/api/refresh-token", {"auth": gw.blob})
    assert response.status_code == 200, response.json
    assert gw.open_blob(response.json["auth"])["access_token"].startswith("Atna|")


def test_a_rejected_refresh_token_asks_to_connect_again(gw):
    gw.sandbox.state.set_refresh_mode("invalid_grant")
    response = gw.post("/api/refresh-token", {"auth": gw.blob})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "audible_reauth_required"


def test_refresh_is_retried_after_a_5xx(gw):
    gw.sandbox.state.arm_fault(path="/auth/token", status=500, count=1)
    assert gw.post("/api/refresh-token", {"auth": gw.blob}).status_code == 200


def test_a_bearer_only_blob_is_refreshed_through_the_sandbox_and_handed_back(gw):
    """GIVEN an auth file without signing keys whose token expired, WHEN the library is read,
    THEN the gateway refreshes it itself (the package would bypass the configured transport)
    and returns the new blob."""
    data = gw.open_blob(gw.blob)
    data.update(adp_token=None, device_private_key=None, expires=0.0)
    sealer = gw.app.extensions["audible_gateway"].sealer
    bearer_blob = sealer.seal("audible_auth", data)
    tokens_before = gw.sandbox.state.calls_to("/auth/token", "POST")
    body = gw.library(bearer_blob).json
    assert len(body["items"]) == 30
    assert body["auth"] is not None
    assert gw.open_blob(body["auth"])["expires"] > 0
    assert gw.sandbox.state.calls_to("/auth/token", "POST") == tokens_before + 1


def test_progress_of_one_title(gw, library):
    item = next(
        i for i in library if 0 < (i.get("listening_status") or {}).get("percent_complete", 0) < 100
    )
    response = gw.post(f"/api/progress/{item['asin']}", {"auth": gw.blob})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["asin"] == item["asin"]
    assert body["progress"]["percent"] == pytest.approx(
        item["listening_status"]["percent_complete"]
    )
    heard = gw.sandbox.state.last_position(item["asin"])["last_position_heard"]
    assert body["progress"]["position_ms"] == heard.get("position_ms")
    assert body["auth"] is None


def test_progress_follows_a_change_in_audible(gw, library):
    asin = library[0]["asin"]
    gw.sandbox.state.update_progress(asin, percent=100.0, is_finished=True)
    body = gw.post(f"/api/progress/{asin}", {"auth": gw.blob}).json
    assert body["progress"]["is_finished"] is True
    assert body["progress"]["percent"] == 100.0


def test_progress_of_a_title_not_owned_is_404(gw):
    response = gw.post("/api/progress/B000000000", {"auth": gw.blob})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "title_not_found"
