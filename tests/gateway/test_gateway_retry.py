"""Retry policy: which failures are retried, how long it waits, and when it gives up."""

from __future__ import annotations

import time

import httpx
import pytest
from audible import exceptions as ax

from audible_gateway.retry import RetryPolicy
from audible_gateway.retry import is_transient
from audible_gateway.retry import retry_after_of
from audible_gateway.retry import translate


def _status_error(cls, status, headers=None, body=None):
    request = httpx.Request("GET", "https://api.audible.com/1.0/library")
    response = httpx.Response(status, headers=headers or {}, json=body or {}, request=request)
    return cls(response, body or {})


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (_status_error(ax.RatelimitError, 429), True),
        (_status_error(ax.ServerError, 503), True),
        (_status_error(ax.UnexpectedError, 500), True),
        (_status_error(ax.UnexpectedError, 502), True),
        (ax.NotResponding(), True),
        (ax.NetworkError(), True),
        (_status_error(ax.BadRequest, 400), False),
        (_status_error(ax.Unauthorized, 403), False),
        (_status_error(ax.NotFoundError, 404), False),
        (_status_error(ax.UnexpectedError, 418), False),
    ],
)
def test_only_429_5xx_and_transport_failures_are_retried(exc, transient):
    assert is_transient(exc) is transient


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_of(_status_error(ax.RatelimitError, 429, {"Retry-After": "3"})) == 3
    date = "Wed, 21 Oct 2015 07:28:00 GMT"  # long past
    assert retry_after_of(_status_error(ax.RatelimitError, 429, {"Retry-After": date})) == 0
    assert retry_after_of(_status_error(ax.RatelimitError, 429)) is None


def test_it_retries_until_success():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise _status_error(ax.ServerError, 503)
        return "ok"

    assert RetryPolicy(attempts=4, base_s=0.001).call(flaky) == "ok"
    assert len(calls) == 3


def test_it_gives_up_after_its_attempts_with_the_last_error():
    calls = []

    def down():
        calls.append(1)
        raise _status_error(ax.UnexpectedError, 500)

    with pytest.raises(ax.UnexpectedError):
        RetryPolicy(attempts=3, base_s=0.001).call(down)
    assert len(calls) == 3


def test_it_honours_retry_after_and_stops_when_the_wait_overruns_the_budget():
    calls = []

    def limited():
        calls.append(time.monotonic())
        raise _status_error(ax.RatelimitError, 429, {"Retry-After": "0.2"})

    with pytest.raises(ax.RatelimitError):
        RetryPolicy(attempts=5, base_s=0.001, budget_s=0.5).call(limited)
    assert len(calls) == 3  # 0, 0.2, 0.4; a third wait would end past 0.5 s
    assert calls[1] - calls[0] >= 0.19


def test_it_does_not_retry_a_permanent_failure():
    calls = []

    def denied():
        calls.append(1)
        raise _status_error(
            ax.Unauthorized, 403, body={"message": "Request could not be authenticated"}
        )

    with pytest.raises(ax.Unauthorized):
        RetryPolicy().call(denied)
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("exc", "code", "status"),
    [
        (
            _status_error(
                ax.Unauthorized, 403, body={"message": "Request could not be authenticated"}
            ),
            "audible_reauth_required",
            403,
        ),
        (_status_error(ax.RatelimitError, 429, {"Retry-After": "7"}), "audible_rate_limited", 429),
        (_status_error(ax.ServerError, 503), "audible_unavailable", 503),
        (ax.NotResponding(), "audible_unavailable", 503),
        (_status_error(ax.BadRequest, 400), "audible_bad_response", 502),
    ],
)
def test_failures_translate_to_stable_codes(exc, code, status):
    error = translate(exc)
    assert (error.code, error.status) == (code, status)
    if code == "audible_rate_limited":
        assert error.to_dict()["error"]["retry_after"] == 7
    if code == "audible_reauth_required":
        assert "Request could not be authenticated" in error.message
