"""The sandbox's WSGI app: Amazon's identity endpoints, the Audible API and a control API.

Routing is by path only; the ``Host`` header (api.audible.<tld>, api.amazon.<tld>, www.amazon.
<tld> or the sandbox's own address) is accepted as sent. Handlers are thin: the work happens in
``state`` and ``library_api``.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import quote
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import Flask
from flask import Response
from flask import g
from flask import redirect
from flask import request
from werkzeug.wrappers import Response as WerkzeugResponse

from audible_gateway.sandbox import library_api
from audible_gateway.sandbox.faults import FaultSpecError
from audible_gateway.sandbox.signing import parse_signed_headers
from audible_gateway.sandbox.signing import signature_age_s
from audible_gateway.sandbox.signing import verify_signature
from audible_gateway.sandbox.state import LOCALES
from audible_gateway.sandbox.state import SandboxError
from audible_gateway.sandbox.state import SandboxState
from audible_gateway.sandbox.state import UnknownItem

logger = logging.getLogger("audible_gateway.sandbox")

NOT_AUTHENTICATED = {"message": "Request could not be authenticated"}
STATE_KEY = "SANDBOX_STATE"


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def request_target(environ: dict[str, Any]) -> str:
    """The request target exactly as the client sent it (what the client signed).

    werkzeug's server and gunicorn keep it in RAW_URI/REQUEST_URI; WSGI adapters that do not
    (httpx.WSGITransport) give a decoded PATH_INFO and the raw QUERY_STRING.
    """
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        if "://" in raw.split("?", 1)[0]:  # absolute-form (via a proxy)
            parts = urlsplit(raw)
            raw = parts.path + (f"?{parts.query}" if parts.query else "")
        return raw
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    query = environ.get("QUERY_STRING", "")
    return quote(path, safe="/:@!$&'()*+,;=-._~") + (f"?{query}" if query else "")


def _age_ok(age: float | None, skew: float) -> bool:
    return age is not None and age <= skew


def _domain_from_login(args: dict[str, str], host: str) -> str:
    """The marketplace of an ``/ap/signin`` URL: assoc handle, marketplace id, then Host."""
    handle = args.get("openid.assoc_handle", "")
    country = handle.rsplit("_", 1)[-1] if handle.startswith("amzn_audible_ios") else ""
    if country in LOCALES:
        return LOCALES[country][0]
    marketplace = args.get("marketPlaceId")
    for domain, market_id in LOCALES.values():
        if market_id == marketplace:
            return domain
    host = host.split(":", 1)[0]
    for prefix in ("www.amazon.", "www.audible.", "api.amazon.", "api.audible."):
        if host.startswith(prefix):
            return host[len(prefix) :]
    return "com"


def create_app(
    library: list[dict[str, Any]] | None = None, *, state: SandboxState | None = None
) -> Flask:
    """A sandbox app over ``library`` (raw Audible items) or an existing ``state``.

    With neither, it serves the bundled sample library (``data/sample_library.json``).
    """
    if state is None:
        if library is None:
            from audible_gateway.sandbox.data import sample_library

            library = sample_library()
        state = SandboxState(library)
    app = Flask("audible_gateway.sandbox")
    app.config[STATE_KEY] = state
    app.config["SANDBOX_LOG_REQUESTS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.before_request
    def _start() -> Response | None:
        g.started = time.perf_counter()
        g.fault = None
        path = request.path
        if path.startswith("/__sandbox/"):
            return None
        state.count_call(request.method, path)
        if state.config.latency_s:
            time.sleep(state.config.latency_s)
        fault = state.take_fault(request.method, path, request.args.to_dict())
        if fault is None:
            return None
        g.fault = fault
        if fault.delay_s:
            time.sleep(fault.delay_s)
        if fault.status is None:
            return None
        headers = {}
        if fault.retry_after is not None:
            retry = fault.retry_after
            headers["Retry-After"] = str(int(retry)) if float(retry).is_integer() else str(retry)
        return _json(fault.error_body(), fault.status, headers)

    @app.before_request
    def _authenticate() -> Response | None:
        if not request.path.startswith("/1.0/") or (getattr(g, "fault", None) and g.fault.status):
            return None
        signed = parse_signed_headers(
            request.headers.get("x-adp-token"), request.headers.get("x-adp-signature")
        )
        if signed is not None:
            device = state.device_for_adp_token(signed.adp_token)
            skew = state.config.max_clock_skew_s
            if (
                device is not None
                and (skew is None or _age_ok(signature_age_s(signed.date), skew))
                and verify_signature(
                    device.public_key,
                    request.method,
                    request_target(request.environ),
                    request.get_data(cache=True),
                    signed,
                )
            ):
                g.device = device
                return None
            return _json(NOT_AUTHENTICATED, 403)
        device = state.device_for_access_token(request.headers.get("x-amz-access-token"))
        if device is None:
            return _json(NOT_AUTHENTICATED, 403)
        g.device = device
        return None

    @app.after_request
    def _finish(response: Response) -> Response:
        fault = getattr(g, "fault", None)
        if fault is not None and fault.status is None:
            for header in fault.omit_headers:
                response.headers.pop(header, None)
        if app.config["SANDBOX_LOG_REQUESTS"]:
            elapsed = (time.perf_counter() - getattr(g, "started", time.perf_counter())) * 1000
            shown = request.path
            if request.path.startswith("/1.0/") and request.query_string:
                shown += "?" + request.query_string.decode("latin-1")
            logger.info("%s %s %s %.1fms", request.method, shown, response.status_code, elapsed)
        return response

    @app.errorhandler(SandboxError)
    def _sandbox_error(exc: SandboxError) -> Response:
        return _json(exc.body, exc.status)

    @app.errorhandler(404)
    def _not_found(_exc: Exception) -> Response:
        return _json({"message": "Resource not found"}, 404)

    @app.errorhandler(405)
    def _not_allowed(_exc: Exception) -> Response:
        return _json({"message": "Method not allowed"}, 405)

    @app.errorhandler(500)
    def _server_error(_exc: Exception) -> Response:
        return _json({"message": "An internal server error occurred"}, 500)

    # ---------------------------------------------------------------- Amazon identity
    @app.get("/ap/signin")
    def signin() -> WerkzeugResponse:
        """A successful login: 302 to maplanding with a sandbox-issued authorization code."""
        args = request.args.to_dict()
        domain = _domain_from_login(args, request.host)
        code = state.issue_code(
            domain, args.get("openid.oa2.code_challenge"), args.get("openid.oa2.client_id")
        )
        return_to = args.get("openid.return_to") or ""
        if not return_to.startswith(("https://www.amazon.", "https://www.audible.")):
            return_to = f"https://www.amazon.{domain}/ap/maplanding"
        handle = args.get("openid.assoc_handle") or "amzn_audible_ios_us"
        landing = {
            "openid.oa2.authorization_code": code,
            "openid.return_to": return_to,
            "openid.assoc_handle": handle,
            "openid.identity": "https://www.amazon.com/ap/id/" + state.customer_id,
            "openid.claimed_id": "https://www.amazon.com/ap/id/" + state.customer_id,
            "openid.mode": "id_res",
            "openid.ns": "http://specs.openid.net/auth/2.0",
            "openid.ns.oa2": "http://www.amazon.com/ap/ext/oauth/2",
            "openid.oa2.scope": "device_auth_access",
            "openid.op_endpoint": f"https://www.amazon.{domain}/ap/signin",
        }
        return redirect(f"{return_to}?{urlencode(landing)}", code=302)

    @app.post("/auth/register")
    def register() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise SandboxError(400, {"response": {"error": {"code": "InvalidValue"}}})
        return _json(state.register_device(body))

    @app.post("/auth/token")
    def token() -> Response:
        return _json(state.refresh(request.form.to_dict()))

    @app.post("/auth/deregister")
    def deregister() -> Response:
        body = request.get_json(silent=True) or {}
        every = (
            bool(body.get("deregister_all_existing_accounts")) if isinstance(body, dict) else False
        )
        return _json(state.deregister(request.headers.get("x-amz-access-token"), every))

    @app.get("/user/profile")
    def user_profile() -> Response:
        device = state.device_for_access_token(request.headers.get("x-amz-access-token"))
        if device is None:
            return _json({"error": "invalid_token", "error_description": "Invalid token"}, 401)
        name = state.config.customer_name
        return _json(
            {
                "user_id": state.customer_id,
                "name": name,
                "email": name.split()[0].lower() + "@example.com",
            }
        )

    # ---------------------------------------------------------------- Audible API
    @app.get("/1.0/library")
    def library_page() -> Response:
        body, headers = library_api.library_page(state, request.args.to_dict())
        return Response(body, headers=headers, mimetype="application/json")

    @app.get("/1.0/library/<asin>")
    def library_item(asin: str) -> Response:
        body = library_api.library_item(state, asin, request.args.to_dict())
        return Response(body, mimetype="application/json")

    @app.get("/1.0/annotations/lastpositions")
    def lastpositions() -> Response:
        return _json(library_api.last_positions(state, request.args.to_dict()))

    @app.put("/1.0/lastpositions/<asin>")
    def put_lastposition(asin: str) -> Response:
        return _json(library_api.put_last_position(state, asin, request.get_json(silent=True)))

    @app.get("/1.0/stats/status/finished")
    def stats_finished() -> Response:
        return _json(library_api.finished_status(state, request.args.to_dict()))

    @app.get("/1.0/stats/aggregates")
    def stats_aggregates() -> Response:
        return _json(library_api.aggregates(state, request.args.to_dict()))

    from audible_gateway.sandbox.collection_routes import register_collection_routes

    register_collection_routes(app, state)

    # ---------------------------------------------------------------- sandbox control
    from audible_gateway.sandbox.control import register_control_routes

    register_control_routes(app, state)
    return app


def state_of(app: Flask) -> SandboxState:
    """The state behind a sandbox app made by ``create_app``."""
    return app.config[STATE_KEY]


__all__ = ["FaultSpecError", "UnknownItem", "create_app", "request_target", "state_of"]
