"""``POST /api/deregister``: the device behind a blob stops working at Amazon, and only it."""

from __future__ import annotations

import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library

from .conftest import Connected


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(generate_library(5, seed=11)) as server:
        yield server


@pytest.fixture
def gw(sandbox):
    sandbox.state.clear_faults()
    sandbox.state.expire_access_tokens()
    return Connected(sandbox)


def _active(sandbox) -> int:
    return sum(1 for device in sandbox.state.snapshot()["devices"] if device["active"])


def test_deregister_drops_this_device_and_no_other(gw, sandbox):
    other = gw.connect()  # a second device of the same account (another person's tracker)
    before = _active(sandbox)
    answer = gw.post("/api/deregister", {"auth": gw.blob})
    assert answer.status_code == 200, answer.json
    assert answer.json == {"status": "deregistered"}
    assert _active(sandbox) == before - 1
    assert sandbox.state.calls_to("/auth/deregister", "POST") >= 1
    assert gw.library(gw.blob).json["error"]["code"] == "audible_reauth_required"
    assert gw.library(other).status_code == 200


def test_an_expired_access_token_is_refreshed_first(gw, sandbox):
    sandbox.state.expire_access_tokens()
    before = _active(sandbox)
    assert gw.post("/api/deregister", {"auth": gw.blob}).status_code == 200
    assert _active(sandbox) == before - 1


def test_a_device_already_gone_asks_to_connect_again(gw, sandbox):
    assert gw.post("/api/deregister", {"auth": gw.blob}).status_code == 200
    sandbox.state.expire_access_tokens()  # the refresh token died with the device
    again = gw.post("/api/deregister", {"auth": gw.blob})
    assert again.status_code == 403
    assert again.json["error"]["code"] == "audible_reauth_required"


@pytest.mark.parametrize("body", [{}, {"auth": "not-a-blob"}, {"auth": 7}])
def test_an_unusable_blob_is_a_400(gw, body):
    answer = gw.post("/api/deregister", body)
    assert answer.status_code == 400
    assert answer.json["error"]["code"] in ("validation_error", "invalid_auth_blob")


def test_it_needs_the_secret(gw):
    answer = gw.client.post("/api/deregister", json={"auth": gw.blob})
    assert answer.status_code == 401
