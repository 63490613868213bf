"""The sandbox's ``/1.0/collections`` routes: thin wrappers over ``state.collections``."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask import Response
from flask import request

from audible_gateway.sandbox.state import SandboxError
from audible_gateway.sandbox.state import SandboxState


def _json(body: Any, headers: dict[str, str] | None = None, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def register_collection_routes(app: Flask, state: SandboxState) -> None:
    store = state.collections

    @app.get("/1.0/collections")
    def collections_list() -> Response:
        body, headers = store.listing(request.args.to_dict())
        return _json(body, headers)

    @app.post("/1.0/collections")
    def collections_create() -> Response:
        return _json(store.create(request.get_json(silent=True)), status=201)

    @app.get("/1.0/collections/<collection_id>")
    def collection_detail(collection_id: str) -> Response:
        return _json(store.detail(collection_id))

    @app.put("/1.0/collections/<collection_id>")
    def collection_update(collection_id: str) -> Response:
        return _json(store.update(collection_id, request.get_json(silent=True)))

    @app.get("/1.0/collections/<collection_id>/items")
    def collection_items(collection_id: str) -> Response:
        body, headers = store.items(collection_id, request.args.to_dict())
        return _json(body, headers)

    @app.post("/1.0/collections/<collection_id>/items")
    def collection_add(collection_id: str) -> Response:
        return _json(store.add_items(collection_id, request.get_json(silent=True)))

    @app.delete("/1.0/collections/<collection_id>/items")
    def collection_remove(collection_id: str) -> Response:
        return _json(store.remove_items(collection_id, request.args.to_dict()))

    # Not Audible: for demos and tests, which have no signed client at hand.
    @app.get("/__sandbox/collections")
    def control_collections() -> Response:
        return _json({"collections": store.snapshot()})

    @app.post("/__sandbox/collections")
    def control_create_collection() -> Response:
        try:
            return _json(store.create(request.get_json(silent=True)), status=201)
        except SandboxError as exc:
            message = exc.body.get("message", "") if isinstance(exc.body, dict) else ""
            return _json({"error": {"code": "invalid_collection", "message": message}}, status=400)
