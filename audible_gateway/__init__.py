"""The Audible gateway: the only process that ever holds Audible credentials.

Start it with ``gunicorn 'audible_gateway:create_app()'``. This package's ``__init__`` loads
nothing: importing ``audible_gateway.sandbox`` (or any one module) must not pull in Flask,
httpx, cryptography and ``audible`` as a side effect, so the factory is imported on first
call from ``audible_gateway.app``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the gateway. ``test_config`` replaces the environment (tests stay hermetic)."""
    # ``import httpx`` also imports httpx's command-line client whenever rich, pygments and
    # click happen to be installed (a development environment has them): ~70 modules, 3 MB
    # of every worker and 0.1 s of its start. The gateway never runs that client, and httpx
    # falls back to a stub when it cannot be imported. (No effect once httpx is loaded.)
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    from audible_gateway.app import create_app as build

    return build(test_config)
