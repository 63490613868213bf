"""Fixtures of the gateway hardening suite: a sandbox per module and a gateway wired to it."""

from __future__ import annotations

import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library

from .support import Stack


@pytest.fixture(scope="module")
def library() -> list[dict]:
    return generate_library(40, seed=21)


@pytest.fixture(scope="module")
def sandbox(library):
    with SandboxServer(library) as server:
        yield server


@pytest.fixture(scope="module")
def stack(sandbox) -> Stack:
    return Stack(sandbox)


@pytest.fixture(autouse=True)
def _calm_sandbox(request):
    """Every test starts and ends with a sandbox that has no faults armed."""
    if "sandbox" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("sandbox")
    server.state.clear_faults()
    server.state.set_refresh_mode("normal")
    yield
    server.state.clear_faults()
    server.state.set_refresh_mode("normal")


def in_progress(library: list[dict]) -> dict:
    """A title of the library that is started but not finished."""
    return next(
        i
        for i in library
        if 0 < (i.get("listening_status") or {}).get("percent_complete", 0) < 100
        and i.get("status") != "Revoked"
    )
