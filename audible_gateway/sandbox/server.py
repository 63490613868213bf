"""Serving a sandbox over real HTTP in a background thread (tests, benchmarks, demos)."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

from audible_gateway.sandbox.app import create_app
from audible_gateway.sandbox.app import state_of
from audible_gateway.sandbox.state import SandboxState


class _QuietHandler(WSGIRequestHandler):
    """werkzeug logs full request lines itself; the app logs its own redacted line instead."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# How often the serving thread looks for a stop request: ``stop()`` waits up to this long.
# The suite starts and stops a server hundreds of times (werkzeug's default is 0.5 s).
POLL_S = 0.05


class SandboxServer:
    """``with SandboxServer(library) as sandbox: sandbox.url, sandbox.state``.

    ``app_or_library`` is a sandbox Flask app, a list of raw items, or None (sample library).
    """

    def __init__(
        self,
        app_or_library: Flask | list[dict[str, Any]] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if isinstance(app_or_library, Flask):
            self.app = app_or_library
        else:
            self.app = create_app(app_or_library)
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> SandboxState:
        return state_of(self.app)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox server is not running")
        return f"http://{self.host}:{self._server.server_port}"

    def start(self) -> SandboxServer:
        if self._server is None:
            self._server = make_server(
                self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler
            )
            self._server.daemon_threads = True  # type: ignore[attr-defined]
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": POLL_S},
                name="audible-sandbox",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
