"""A faithful local imitation of the Audible API and Amazon's device auth endpoints.

The unmodified ``audible`` package talks to it over real HTTP (see docs/sandbox.md):
``create_app(library)`` builds the WSGI app, ``SandboxServer`` serves it in a thread,
``python -m audible_gateway.sandbox`` runs it as its own process.
"""

from __future__ import annotations

from audible_gateway.sandbox.app import create_app
from audible_gateway.sandbox.app import state_of
from audible_gateway.sandbox.loading import load_library
from audible_gateway.sandbox.server import SandboxServer
from audible_gateway.sandbox.state import Config
from audible_gateway.sandbox.state import SandboxState

__all__ = ["Config", "SandboxServer", "SandboxState", "create_app", "load_library", "state_of"]
