"""``POST /api/stats``: Audible's listening aggregates through the real ``audible`` package,
against the sandbox, with the gateway's retry and error rules."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox import clock
from audible_gateway.sandbox.library_gen import generate_library
from audible_gateway.stats import _months_back

from .conftest import Connected

AGGREGATES = "/1.0/stats/aggregates"
HOUR = 3_600_000


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(generate_library(3, seed=5)) as server:
        yield server


@pytest.fixture
def gw(sandbox):
    sandbox.state.clear_faults()
    now = datetime.now(UTC).replace(hour=12)
    with sandbox.state.lock:
        sandbox.state.listening_log[:] = [
            (clock.epoch_ms(now), 2 * HOUR),
            (clock.epoch_ms(now - timedelta(days=1)), HOUR // 2),
            (clock.epoch_ms(now - timedelta(days=40)), HOUR),
            (clock.epoch_ms(now - timedelta(days=800)), 5 * HOUR),  # outside every window
        ]
    yield Connected(sandbox)
    sandbox.state.clear_faults()


def test_days_months_and_total_come_from_audibles_aggregates(gw, sandbox):
    sandbox.state.reset_calls()
    answer = gw.post("/api/stats", {"auth": gw.blob})
    assert answer.status_code == 200, answer.json
    body = answer.json
    today = datetime.now(UTC).date()
    assert [d["date"] for d in body["days"]] == [
        (today - timedelta(days=n)).isoformat() for n in range(29, -1, -1)
    ]
    assert body["days"][-1]["listened_ms"] == 2 * HOUR
    assert body["days"][-2]["listened_ms"] == HOUR // 2
    assert sum(d["listened_ms"] for d in body["days"]) == 2 * HOUR + HOUR // 2
    assert len(body["months"]) == 12
    assert body["months"][0]["month"] == _months_back(today, 12)
    assert body["months"][-1]["month"] == today.strftime("%Y-%m")
    assert sum(m["listened_ms"] for m in body["months"]) == 3 * HOUR + HOUR // 2
    assert body["total_ms"] == 8 * HOUR + HOUR // 2
    assert body["audible_requests"] == 2
    assert sandbox.state.calls_to(AGGREGATES) == 2


def test_the_window_can_be_narrower(gw):
    body = gw.post("/api/stats", {"auth": gw.blob, "days": 2, "months": 1}).json
    assert [d["listened_ms"] for d in body["days"]] == [HOUR // 2, 2 * HOUR]
    assert len(body["months"]) == 1


@pytest.mark.parametrize("bad", [{"days": 0}, {"days": 31}, {"months": 13}, {"days": "7"}])
def test_a_window_audible_does_not_serve_is_a_400(gw, bad):
    answer = gw.post("/api/stats", {"auth": gw.blob, **bad})
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "validation_error"


def test_a_transient_audible_failure_is_retried_and_a_lasting_429_passes_on(gw, sandbox):
    sandbox.state.arm_fault(path=AGGREGATES, status=503, count=1)
    assert gw.post("/api/stats", {"auth": gw.blob}).status_code == 200
    sandbox.state.arm_fault(path=AGGREGATES, status=429, count=None)
    limited = gw.post("/api/stats", {"auth": gw.blob})
    assert limited.status_code == 429
    assert limited.json["error"]["code"] == "audible_rate_limited"


def test_a_blob_that_is_not_ours_is_refused(gw):
    answer = gw.post("/api/stats", {"auth": "not-a-blob"})
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "invalid_auth_blob"
