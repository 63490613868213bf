"""The tracker's gateway client against the real gateway app and the sandbox, over HTTP."""

from __future__ import annotations

import logging
import time

import pytest

from tests.support.stack import SECRET
from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.gateway import GatewayCallError

pytestmark = pytest.mark.usefixtures("gateway_settings", "fresh_library")


def test_it_fetches_the_library_in_the_item_shape(sealed):
    result = gateway.fetch_library(sealed)
    assert result.total == len(result.items)
    assert all(set(i) >= {"asin", "title", "progress", "status"} for i in result.items)


def test_it_retries_a_transient_failure_and_succeeds(stack, sealed):
    # The gateway itself retries twice; three 503s from Audible exhaust it once, then the
    # tracker's own retry gets a clean answer.
    stack.state.arm_fault(path="/1.0/library", status=503, count=2)
    result = gateway.fetch_library(sealed)
    assert result.items


def test_it_honours_retry_after_beyond_its_budget_by_giving_up_at_once(stack, sealed):
    stack.state.arm_fault(path="/1.0/library", status=429, retry_after=600, count=None)
    started = time.monotonic()
    with pytest.raises(GatewayCallError) as caught:
        gateway.fetch_library(sealed)
    assert time.monotonic() - started < 5
    assert caught.value.code == "audible_rate_limited"
    assert caught.value.retry_after == 600
    assert not caught.value.permanent


def test_it_reports_reauth_as_permanent(stack, sealed):
    stack.state.reset_calls()
    stack.state.arm_fault(path="/1.0/library", status=403, count=None)
    with pytest.raises(GatewayCallError) as caught:
        gateway.fetch_library(sealed)
    assert caught.value.code == "audible_reauth_required"
    assert caught.value.permanent
    assert caught.value.needs_relogin
    assert stack.state.calls_to("/1.0/library") == 1  # no retry of a permanent failure


def test_it_names_an_unreachable_gateway_without_the_secret(settings, sealed, caplog, closed_port):
    settings.AUDIBLE_SERVICE_URL = f"http://127.0.0.1:{closed_port}"
    with caplog.at_level(logging.DEBUG), pytest.raises(GatewayCallError) as caught:
        gateway.fetch_library(sealed)
    assert caught.value.code == "gateway_unreachable"
    assert SECRET not in str(caught.value)
    assert SECRET not in caplog.text
    assert sealed not in caplog.text


def test_it_times_out_with_the_configured_read_timeout(stack, settings, sealed):
    settings.AUDIBLE_GATEWAY_READ_TIMEOUT_S = 0.3
    settings.AUDIBLE_GATEWAY_RETRY_ATTEMPTS = 1
    stack.state.arm_fault(path="/1.0/library", delay_s=1.0, count=1)
    with pytest.raises(GatewayCallError) as caught:
        gateway.fetch_library(sealed)
    assert caught.value.code == "gateway_timeout"


def test_it_refuses_a_wrong_secret_as_permanent(settings, sealed):
    settings.AUDIBLE_API_SECRET = "not-the-secret-000000000000"
    with pytest.raises(GatewayCallError) as caught:
        gateway.fetch_library(sealed)
    assert (caught.value.code, caught.value.status, caught.value.permanent) == (
        "invalid_secret",
        401,
        True,
    )


def test_refresh_and_progress_pass_through(sealed):
    blob = gateway.refresh(sealed)
    assert blob
    assert blob != sealed
    asin = gateway.fetch_library(blob).items[0]["asin"]
    answer = gateway.progress(blob, asin)
    assert "percent" in answer or "progress" in answer
