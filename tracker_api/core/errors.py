"""One JSON error shape for every API failure.

``{"error": {"code": "<stable_snake_code>", "message": "<sentence>", "fields": {...}}}``, with
optional extra keys inside ``error`` (e.g. ``retry_after``). DRF exceptions and the services'
own :class:`~tracker_api.core.service_errors.ServiceError` go through
:func:`api_exception_handler`; Django's 404/500 for ``/api/`` paths through :mod:`.views`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tracker_api.core.service_errors import ServiceError

_MESSAGES = {
    "not_authenticated": "Authentication is required: send 'Authorization: Token <token>'.",
    "authentication_failed": "The credentials sent are not valid.",
    "permission_denied": "You are not allowed to do this.",
    "not_found": "Not found.",
    "parse_error": "The request body could not be parsed.",
    "unsupported_media_type": (
        "This content type is not supported here: send the body as JSON with "
        "'Content-Type: application/json' (the CSV import takes multipart/form-data)."
    ),
    "not_acceptable": "This response format is not available.",
}


class ApiError(exceptions.APIException):
    """An error with a stable code, raised from views or services called by views.

    ``raise ApiError("sync_running", "A sync is already running.", status_code=409)``
    """

    # Seconds to wait; DRF's handler turns a set ``wait`` into a Retry-After header.
    wait: int | None = None

    def __init__(
        self,
        code: str,
        message: str,
        status_code: int = status.HTTP_400_BAD_REQUEST,
        fields: dict[str, list[str]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.fields = fields or {}
        self.extra = extra


def error_body(
    code: str, message: str, fields: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """The error envelope as a plain dict."""
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    error.update(extra)
    return {"error": error}


def flatten_field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """``{"a": {"b": ["x"]}}`` -> ``{"a.b": ["x"]}``; list-level errors go under the prefix."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for sub_key, messages in flatten_field_errors(value, name).items():
                out.setdefault(sub_key, []).extend(messages)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                nested = flatten_field_errors(item, f"{prefix}.{index}" if prefix else str(index))
                for sub_key, messages in nested.items():
                    out.setdefault(sub_key, []).extend(messages)
            else:
                out.setdefault(prefix or "non_field_errors", []).append(str(item))
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def _validation_body(exc: exceptions.ValidationError) -> dict[str, Any]:
    fields = flatten_field_errors(exc.detail)
    general = fields.get("non_field_errors")
    message = general[0] if general and len(fields) == 1 else "Some fields are not valid."
    return error_body("validation_error", message, fields)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, re-shaped into the one error envelope. Unknown exceptions return None
    (Django then answers through ``handler500``, also JSON for ``/api/``)."""
    if isinstance(exc, ServiceError):
        exc = ApiError(exc.code, exc.message, status_code=exc.status, **exc.extra())
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    if isinstance(exc, ApiError):
        body = error_body(exc.error_code, str(exc.detail), exc.fields, **exc.extra)
    elif isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc)
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        message = _MESSAGES.get(code) if code in _MESSAGES else str(exc.detail)
        extra: dict[str, Any] = {}
        wait = getattr(exc, "wait", None)  # Throttled sets it; the stubs do not declare it
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            extra["retry_after"] = int(wait)
        # DRF's own detail is already a sentence for the other codes (405 names the method).
        body = error_body(str(code), message or str(exc.detail), **extra)
    response.data = body
    return response
