"""The live stack of the tracker's tests: the sandbox and the real gateway, over HTTP in threads.

The gateway is the real Flask app (``audible_gateway.create_app``) pointed at the sandbox; the
tracker reaches it through its one client, ``tracker_api.audible_sync.gateway``, exactly as in
production. One place starts them (:class:`ServedGateway`, :class:`Stack`) and points the
tracker at them with short retries (:meth:`ServedGateway.point`), for the in-process suites,
the browser tests and the hardening suite alike.

The fixtures (``stack``, ``sealed``, ``gateway_settings``, ``fresh_library``, ``listener``) are
a pytest plugin of ``tests/conftest.py``, so every test may take them. The sync's own logic is
tested without HTTP against ``tests/support/library.py``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask

from audible_gateway import create_app as create_gateway
from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.testing import connect_through_gateway
from tests.support.factories import ConfigFactory
from tests.support.factories import UserFactory
from tests.support.gateway_settings import use_live_gateway

SAMPLE = Path(__file__).resolve().parents[2] / "audible_gateway/sandbox/data/sample_library.json"
SECRET = "sync-tests-gateway-secret-0123456789"
# The gateway's own retries, short: a fault armed in the sandbox fails fast.
FAST = {
    "GATEWAY_RETRY_ATTEMPTS": "2",
    "GATEWAY_RETRY_BASE_S": "0.01",
    "GATEWAY_RETRY_MAX_WAIT_S": "0.05",
    "GATEWAY_RETRY_BUDGET_S": "2",
    "GATEWAY_UPSTREAM_TIMEOUT_S": "2",
}


def sample_items() -> list[dict[str, Any]]:
    """The sandbox's sample library (raw Audible items), a fresh copy each call."""
    data = json.loads(SAMPLE.read_text())
    return copy.deepcopy(data["items"] if isinstance(data, dict) else data)


class ServedGateway:
    """The real gateway app on a loopback port, pointed at ``sandbox_url``."""

    def __init__(self, sandbox_url: str, secret: str = SECRET, **gateway_env: str) -> None:
        self.secret = secret
        self.app: Flask = create_gateway(
            {
                "API_SECRET": secret,
                "ENCRYPTION_KEY": Fernet.generate_key().decode(),
                "AUDIBLE_SANDBOX_URL": sandbox_url,
                **FAST,
                **gateway_env,
            }
        )
        self.server = SandboxServer(self.app)  # serves any Flask app on a loopback port

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> ServedGateway:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> ServedGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def open_blob(self, blob: str) -> dict:
        return self.app.extensions["audible_gateway"].sealer.open(blob, "audible_auth").data

    def point(self, settings: Any, *, attempts: int = 2, budget_s: float = 2, **knobs: Any) -> None:
        """Point the tracker (pytest-django's ``settings``) here with short retries:
        ``max_wait_s`` 0.05 and ``read_timeout_s`` 10 unless given (None: the project's own)."""
        knobs = {"max_wait_s": 0.05, "read_timeout_s": 10, **knobs}
        use_live_gateway(
            settings, self.url, self.secret, attempts=attempts, budget_s=budget_s, **knobs
        )


class Stack:
    """Sandbox + gateway on loopback; ``connect()`` makes a sealed blob the person's way."""

    def __init__(self, library: list[dict[str, Any]] | None = None, **gateway_env: str) -> None:
        self.sandbox = SandboxServer(library if library is not None else sample_items()).start()
        self.served = ServedGateway(self.sandbox.url, **gateway_env).start()
        self.gateway_app = self.served.app
        self.gateway = self.served.server

    @property
    def state(self):
        return self.sandbox.state

    def connect(self) -> str:
        return connect_through_gateway(self.gateway.url, SECRET)

    def point(self, settings: Any, **knobs: Any) -> None:
        """Point the tracker at this stack's gateway (see :meth:`ServedGateway.point`)."""
        self.served.point(settings, **knobs)

    def stop(self) -> None:
        self.served.stop()
        self.sandbox.stop()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    live = Stack()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def sealed(stack) -> str:
    return stack.connect()


@pytest.fixture
def gateway_settings(settings, stack):
    stack.point(settings, attempts=3, budget_s=3)
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
