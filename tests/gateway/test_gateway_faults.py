"""Audible failing: retried with backoff honouring Retry-After, then clear error codes."""

from __future__ import annotations

import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library

from .conftest import Connected


@pytest.fixture(scope="module")
def sandbox():
    # 35 titles at 10 per page: four pages, so "page 3 of 4" is a real page 3.
    with SandboxServer(generate_library(35, seed=11)) as server:
        yield server


@pytest.fixture
def gw(sandbox):
    sandbox.state.clear_faults()
    connected = Connected(sandbox, GATEWAY_PAGE_SIZE="10")
    sandbox.state.reset_calls()
    yield connected
    sandbox.state.clear_faults()


def test_a_429_then_success_waits_for_retry_after(gw):
    import time

    gw.sandbox.state.arm_fault(path="/1.0/library", status=429, retry_after=0.3, count=1)
    started = time.monotonic()
    body = gw.library().json
    assert len(body["items"]) == 35
    assert time.monotonic() - started >= 0.3


def test_429s_beyond_the_budget_answer_rate_limited_with_retry_after(gw):
    gw.sandbox.state.arm_fault(path="/1.0/library", status=429, retry_after=30, count=None)
    response = gw.library()
    assert response.status_code == 429
    assert response.json["error"]["code"] == "audible_rate_limited"
    assert response.json["error"]["retry_after"] == 30
    assert gw.sandbox.state.calls_to("/1.0/library") == 1  # a 30 s wait does not fit the budget


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_exhaustion_is_audible_unavailable(gw, status):
    gw.sandbox.state.arm_fault(path="/1.0/library", status=status, count=None)
    response = gw.library()
    assert response.status_code == 503
    assert response.json["error"]["code"] == "audible_unavailable"
    assert gw.sandbox.state.calls_to("/1.0/library") == 4  # GATEWAY_RETRY_ATTEMPTS


def test_page_3_of_4_failing_once_is_retried(gw):
    gw.sandbox.state.arm_fault(path="/1.0/library", status=500, count=2, match_query={"page": "3"})
    body = gw.library().json
    assert len(body["items"]) == 35
    assert body["complete"] is True
    assert gw.sandbox.state.calls_to("/1.0/library") == 4 + 2


def test_page_3_of_4_failing_for_good_fails_the_whole_call(gw):
    gw.sandbox.state.arm_fault(
        path="/1.0/library", status=503, count=None, match_query={"page": "3"}
    )
    response = gw.library()
    assert response.status_code == 503
    assert response.json["error"]["code"] == "audible_unavailable"
    assert "items" not in response.json  # never a silently partial library


def test_a_dead_device_asks_to_connect_again(gw):
    gw.sandbox.state.arm_fault(path="/1.0/library", status=403, count=1)
    response = gw.library()
    assert response.status_code == 403
    assert response.json["error"]["code"] == "audible_reauth_required"
    assert "Request could not be authenticated" in response.json["error"]["message"]
    assert gw.sandbox.state.calls_to("/1.0/library") == 1  # not retried


def test_a_revoked_device_is_caught_by_real_signature_checks(sandbox):
    gw = Connected(sandbox)
    sandbox.state.revoke_device()
    response = gw.library()
    assert response.json["error"]["code"] == "audible_reauth_required"


def test_a_slow_audible_is_retried_then_reported(sandbox):
    gw = Connected(sandbox, GATEWAY_UPSTREAM_TIMEOUT_S="0.2", GATEWAY_RETRY_ATTEMPTS="2")
    sandbox.state.arm_fault(path="/1.0/library", delay_s=0.5, count=None)
    response = gw.library()
    assert response.json["error"]["code"] == "audible_unavailable"


def test_failed_position_lookups_are_reported_not_fatal(gw):
    gw.sandbox.state.arm_fault(path="/1.0/annotations/lastpositions", status=503, count=None)
    body = gw.library().json
    assert len(body["items"]) == 35
    assert any("last positions" in e["message"] for e in body["errors"])
