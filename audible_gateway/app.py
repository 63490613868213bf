"""The gateway's Flask application factory (``audible_gateway.create_app`` calls it).

Configuration comes from the environment (see ``audible_gateway.config``); the app refuses
to start without its secret and keys unless ``DEBUG`` asks for throwaway development values.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from werkzeug.exceptions import HTTPException

from audible_gateway.config import load_config
from audible_gateway.context import EXTENSION
from audible_gateway.context import Gateway
from audible_gateway.errors import GatewayError

HTTP_CODES = {
    400: "bad_request",
    401: "invalid_secret",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}
log = logging.getLogger("audible_gateway")


def _quiet_loggers() -> None:
    """httpx logs every URL at INFO and httpcore every response header at DEBUG; login
    redirects carry single-use authorization codes in both, so neither logs below WARNING
    even when the root logger is turned to DEBUG."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the gateway. ``test_config`` replaces the environment (tests stay hermetic)."""
    _quiet_loggers()
    env: Mapping[str, Any] = (
        os.environ if test_config is None else {k: v for k, v in test_config.items()}
    )
    config = load_config({k: (str(v) if isinstance(v, int | float) else v) for k, v in env.items()})
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=config.max_body_bytes)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented key order
    if test_config is not None:
        app.config["TESTING"] = bool(test_config.get("TESTING", False))
    app.extensions[EXTENSION] = Gateway.build(config)

    from audible_gateway.routes import api
    from audible_gateway.routes import health

    app.register_blueprint(api)
    app.register_blueprint(health)
    _register_error_handlers(app)
    return app


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(GatewayError)
    def gateway_error(exc: GatewayError) -> tuple[Response, int]:
        return jsonify(exc.to_dict()), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        status = exc.code or 500
        code = HTTP_CODES.get(status, "http_error")
        message = {
            404: "No such endpoint.",
            405: "This endpoint does not accept that method.",
            413: f"The request body is larger than {app.config['MAX_CONTENT_LENGTH']} bytes.",
        }.get(status, exc.name + ".")
        return jsonify({"error": {"code": code, "message": message}}), status

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response, int]:
        log.error("unexpected %s in %s", type(exc).__name__, _where(exc))
        body = {"error": {"code": "internal_error", "message": "The gateway failed unexpectedly."}}
        return jsonify(body), 500


def _where(exc: BaseException) -> str:
    """File and line of the failure, without the message (it might quote data)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
