"""A live sandbox and a live gateway, both over real HTTP in threads, for the sync tests.

The gateway is the real Flask app (``audible_gateway.create_app``) pointed at the sandbox; the
tracker reaches it through its one client, ``tracker_api.audible_sync.gateway``, exactly as in
production. Fixtures here are imported by the other ``test_sync*`` modules. This module also
checks that the stack itself works.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from audible_gateway import create_app as create_gateway
from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.testing import connect_through_gateway
from tests.support.factories import ConfigFactory
from tests.support.factories import UserFactory
from tests.support.gateway_settings import use_live_gateway

SAMPLE = Path(__file__).resolve().parents[2] / "audible_gateway/sandbox/data/sample_library.json"
SECRET = "sync-tests-gateway-secret-0123456789"
FAST = {
    "GATEWAY_RETRY_ATTEMPTS": "2",
    "GATEWAY_RETRY_BASE_S": "0.01",
    "GATEWAY_RETRY_MAX_WAIT_S": "0.05",
    "GATEWAY_RETRY_BUDGET_S": "2",
    "GATEWAY_UPSTREAM_TIMEOUT_S": "2",
}


def sample_items() -> list[dict[str, Any]]:
    data = json.loads(SAMPLE.read_text())
    return copy.deepcopy(data["items"] if isinstance(data, dict) else data)


class Stack:
    """Sandbox + gateway on loopback; ``connect()`` makes a sealed blob the person's way."""

    def __init__(self, library: list[dict[str, Any]] | None = None, **gateway_env: str) -> None:
        self.sandbox = SandboxServer(library if library is not None else sample_items()).start()
        self.gateway_app = create_gateway(
            {
                "API_SECRET": SECRET,
                "ENCRYPTION_KEY": Fernet.generate_key().decode(),
                "AUDIBLE_SANDBOX_URL": self.sandbox.url,
                **FAST,
                **gateway_env,
            }
        )
        self.gateway = SandboxServer(self.gateway_app).start()

    @property
    def state(self):
        return self.sandbox.state

    def connect(self) -> str:
        return connect_through_gateway(self.gateway.url, SECRET)

    def stop(self) -> None:
        self.gateway.stop()
        self.sandbox.stop()


@pytest.fixture(scope="module")
def stack():
    live = Stack()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def sealed(stack) -> str:
    return stack.connect()


@pytest.fixture
def gateway_settings(settings, stack):
    use_live_gateway(
        settings,
        stack.gateway.url,
        SECRET,
        attempts=3,
        budget_s=3,
        max_wait_s=0.05,
        read_timeout_s=10,
    )
    return settings


@pytest.fixture
def fresh_library(stack):
    """Every test starts from the sample library with no faults armed."""
    stack.state.clear_faults()
    stack.state.set_library(sample_items())
    yield stack.state
    stack.state.clear_faults()


@pytest.fixture
def listener(db, sealed, gateway_settings, fresh_library):
    """A person with a connected Audible account and an empty tracker."""
    user = UserFactory(username="listener")
    ConfigFactory(user=user, sealed_auth=sealed)
    return user


def test_it_serves_the_sample_library_through_the_gateway(stack, sealed, gateway_settings):
    from tracker_api.audible_sync import gateway

    result = gateway.fetch_library(sealed)
    assert len(result.items) >= 30
    assert {"asin", "title", "progress"} <= set(result.items[0])
