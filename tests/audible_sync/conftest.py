"""Fixtures for the audible_sync tests: the real gateway served over HTTP before a small
generated sandbox library (the people, clients and the sync stack are global fixtures:
tests/support/people.py, tests/support/stack.py)."""

from __future__ import annotations

import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library
from tests.core.test_schema import schema  # noqa: F401 - fixture
from tests.support.stack import ServedGateway


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(generate_library(8, seed=21)) as server:
        yield server


@pytest.fixture(scope="module")
def served_gateway(sandbox):
    with ServedGateway(sandbox.url, TESTING=True, GATEWAY_UPSTREAM_TIMEOUT_S="5") as served:
        yield served


@pytest.fixture
def wired(settings, served_gateway, sandbox):
    """The tracker pointed at the served gateway (and so the sandbox), with quick retries."""
    sandbox.state.clear_faults()
    served_gateway.point(settings, attempts=2, budget_s=1, max_wait_s=None, read_timeout_s=None)
    return served_gateway


def active_devices(sandbox) -> int:
    return sum(1 for device in sandbox.state.snapshot()["devices"] if device["active"])
