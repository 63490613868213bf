"""Fixtures for the audible_sync tests: people, and the real gateway served over HTTP."""

from __future__ import annotations

import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library
from tests.audible_sync.api.test_audible_api_auth import SECRET
from tests.audible_sync.api.test_audible_api_auth import ServedGateway
from tests.audible_sync.test_sync_stack import fresh_library  # noqa: F401 - fixture
from tests.audible_sync.test_sync_stack import gateway_settings  # noqa: F401 - fixture
from tests.audible_sync.test_sync_stack import listener  # noqa: F401 - fixture
from tests.audible_sync.test_sync_stack import sealed  # noqa: F401 - fixture
from tests.audible_sync.test_sync_stack import stack  # noqa: F401 - fixture
from tests.core.test_schema import schema  # noqa: F401 - fixture
from tests.support.factories import UserFactory
from tests.support.gateway_settings import use_live_gateway
from tests.support.people import anon  # noqa: F401 - fixture
from tests.support.people import bob_api  # noqa: F401 - fixture
from tests.support.people import token_client


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def api(alice):
    return token_client(alice)


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(generate_library(8, seed=21)) as server:
        yield server


@pytest.fixture(scope="module")
def served_gateway(sandbox):
    with ServedGateway(sandbox.url) as served:
        yield served


@pytest.fixture
def wired(settings, served_gateway, sandbox):
    """The tracker pointed at the served gateway (and so the sandbox), with quick retries."""
    sandbox.state.clear_faults()
    use_live_gateway(settings, served_gateway.url, SECRET, attempts=2, budget_s=1)
    return served_gateway


def active_devices(sandbox) -> int:
    return sum(1 for device in sandbox.state.snapshot()["devices"] if device["active"])
