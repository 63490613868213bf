"""The sandbox control API (``/__sandbox/...``): not Audible, for tests, demos and benchmarks.

Each route is a thin wrapper over a ``SandboxState`` method of the same purpose, so in-process
tests can call the methods directly. Errors use the project's one error shape.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask import Response
from flask import request

from audible_gateway.sandbox.faults import FaultSpecError
from audible_gateway.sandbox.state import SandboxState
from audible_gateway.sandbox.state import UnknownItem

PROGRESS_FIELDS = ("percent", "is_finished", "finished_at", "position_ms")


def _ok(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _error(code: str, message: str, status: int = 400) -> Response:
    return _ok({"error": {"code": code, "message": message}}, status)


def _items_from(body: Any) -> list[dict[str, Any]] | None:
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return body["items"]
    if isinstance(body, dict) and "asin" in body:
        return [body]
    return None


def register_control_routes(app: Flask, state: SandboxState) -> None:
    @app.get("/__sandbox/state")
    def get_state() -> Response:
        return _ok(state.snapshot())

    @app.post("/__sandbox/faults")
    def arm_fault() -> Response:
        body = request.get_json(silent=True)
        specs = body if isinstance(body, list) else [body]
        try:
            faults = [state.arm_fault(spec) for spec in specs]
        except (FaultSpecError, TypeError, ValueError) as exc:
            return _error("invalid_fault", str(exc))
        return _ok({"armed": [f.describe() for f in faults]}, 201)

    @app.delete("/__sandbox/faults")
    def clear_faults() -> Response:
        state.clear_faults()
        return _ok({"armed": []})

    @app.put("/__sandbox/library")
    def replace_library() -> Response:
        items = _items_from(request.get_json(silent=True))
        if items is None:
            return _error("invalid_library", 'Send a JSON list of items or {"items": [...]}.')
        try:
            state.set_library(items)
        except ValueError as exc:
            return _error("invalid_library", str(exc))
        return _ok(state.snapshot()["library"])

    @app.post("/__sandbox/library")
    def add_items() -> Response:
        items = _items_from(request.get_json(silent=True))
        if items is None:
            return _error("invalid_library", 'Send an item, a list of items or {"items": [...]}.')
        try:
            added = state.add_items(items)
        except ValueError as exc:
            return _error("invalid_library", str(exc))
        return _ok({"added": added}, 201)

    @app.get("/__sandbox/library/<asin>")
    def get_item(asin: str) -> Response:
        try:
            return _ok(state.get_item(asin))
        except UnknownItem:
            return _error("unknown_asin", f"No title {asin} in the sandbox library.", 404)

    @app.patch("/__sandbox/library/<asin>")
    def patch_item(asin: str) -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _error("invalid_patch", "Send a JSON object.")
        progress = {k: body[k] for k in PROGRESS_FIELDS if k in body}
        fields = body.get("fields") or {}
        if "status" in body:
            fields = {**fields, "status": body["status"]}
        if not isinstance(fields, dict):
            return _error("invalid_patch", "fields must be an object of item keys.")
        try:
            if fields:
                state.update_item(asin, fields)
            item = state.update_progress(asin, **progress) if progress else state.get_item(asin)
        except UnknownItem:
            return _error("unknown_asin", f"No title {asin} in the sandbox library.", 404)
        except (TypeError, ValueError) as exc:
            return _error("invalid_patch", str(exc))
        return _ok(
            {
                "asin": asin,
                "status": item.get("status"),
                "listening_status": item.get("listening_status"),
                "percent_complete": item.get("percent_complete"),
                "is_finished": item.get("is_finished"),
                "last_position": state.last_position(asin)["last_position_heard"],
            }
        )

    @app.delete("/__sandbox/library/<asin>")
    def remove_item(asin: str) -> Response:
        try:
            state.remove_item(asin)
        except UnknownItem:
            return _error("unknown_asin", f"No title {asin} in the sandbox library.", 404)
        return _ok({"removed": asin})

    @app.post("/__sandbox/refresh-mode")
    def refresh_mode() -> Response:
        body = request.get_json(silent=True) or {}
        try:
            state.set_refresh_mode(str(body.get("mode")))
        except ValueError as exc:
            return _error("invalid_mode", str(exc))
        return _ok({"mode": state.config.refresh_mode})

    @app.post("/__sandbox/config")
    def set_config() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _error("invalid_config", "Send a JSON object.")
        allowed = {"page_cap", "max_page_size", "latency_s", "token_lifetime_s", "max_clock_skew_s"}
        unknown = set(body) - allowed
        if unknown:
            return _error("invalid_config", f"Unknown settings: {', '.join(sorted(unknown))}.")
        with state.lock:
            for key, value in body.items():
                setattr(state.config, key, value)
        return _ok(state.snapshot()["config"])

    @app.post("/__sandbox/tokens/expire")
    def expire_tokens() -> Response:
        state.expire_access_tokens()
        return _ok({"expired": True})

    @app.post("/__sandbox/devices/revoke")
    def revoke_devices() -> Response:
        body = request.get_json(silent=True) or {}
        state.revoke_device(body.get("device_id") if isinstance(body, dict) else None)
        return _ok({"devices": [d.describe() for d in state.devices.values()]})

    @app.post("/__sandbox/calls/reset")
    def reset_calls() -> Response:
        state.reset_calls()
        return _ok({"calls": {}})
