"""HTTP endpoints. Thin: check the shared secret, parse JSON, call an operation."""

from __future__ import annotations

import hmac
import itertools
import json
from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from audible_contract import wire
from audible_contract.wire import SECRET_HEADER
from audible_gateway import errors
from audible_gateway import operations
from audible_gateway.context import gateway
from audible_gateway.openapi import openapi_document
from audible_gateway.request_body import json_object

api = Blueprint("api", __name__, url_prefix="/api")
health = Blueprint("health", __name__)


@api.before_request
def require_secret() -> None:
    """Every /api call needs the shared secret; compared in constant time, no hints."""
    given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
    config = gateway().config
    accepted = (config.api_secret, *config.previous_api_secrets)
    # Every accepted secret is compared, so the time taken says nothing about which matched.
    matches = [hmac.compare_digest(given, secret.encode("utf-8")) for secret in accepted]
    if not any(matches):
        raise errors.GatewayError(wire.INVALID_SECRET, "Missing or wrong API secret.", 401)


def _body() -> dict[str, Any]:
    return json_object(request)


def _answer(payload: dict[str, Any]) -> Response:
    response = jsonify(payload)
    response.headers["Cache-Control"] = "no-store"
    return response


@api.post("/auth")
def connect_account() -> Response:
    return _answer(operations.connect(gateway(), _body()))


@api.post("/library")
def library() -> Response:
    """The items are already compact JSON (see library.EncodedItems); they are written out
    in blocks between the head and the rest of the answer, never joined into one body."""
    answer = operations.library(gateway(), _body())
    items = answer.pop("items")
    rest = json.dumps(answer, separators=(",", ":")).encode()
    head, tail = b'{"items":', (b"," + rest[1:] if len(rest) > 2 else b"}")
    length = len(head) + items.json_length() + len(tail)
    response = Response(
        itertools.chain((head,), items.json_blocks(), (tail,)), mimetype="application/json"
    )
    response.headers["Content-Length"] = str(length)
    response.headers["Cache-Control"] = "no-store"
    return response


@api.post("/collections")
def collections() -> Response:
    return _answer(operations.collections(gateway(), _body()))


@api.post("/progress/<asin>")
def progress(asin: str) -> Response:
    return _answer(operations.progress(gateway(), asin, _body()))


@api.post("/refresh-token")
def refresh_token() -> Response:
    return _answer(operations.refresh(gateway(), _body()))


@api.post("/deregister")
def deregister() -> Response:
    return _answer(operations.deregister(gateway(), _body()))


@api.post("/stats")
def listening_stats() -> Response:
    return _answer(operations.stats(gateway(), _body()))


@health.get("/health")
def liveness() -> tuple[Response, int]:
    """Liveness plus whether the encryption keys load. Needs no secret and shows none."""
    gw = gateway()
    keys_ok = gw.sealer.self_test()
    body = {
        "status": "ok" if keys_ok else "degraded",
        "encryption_keys": {"loaded": keys_ok, "count": gw.sealer.key_count},
        "mode": "development" if gw.config.throwaway_secrets else "production",
        "upstream": "sandbox" if gw.config.sandbox_url else "audible",
    }
    return jsonify(body), 200 if keys_ok else 503


@health.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of every route. Needs no secret and holds none."""
    return jsonify(openapi_document())
