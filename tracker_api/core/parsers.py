"""Strict request-body parsers for the API: a size limit, UTF-8 only, no NaN, bounded nesting.

DRF's own parsers read a JSON body of any size into memory, pass undecodable bytes and
``NaN`` through to a generic message, and let a body of a hundred thousand ``[`` end in a
RecursionError (a 500). These answer each flaw in the one error shape instead:

* a body larger than ``TRACKER_MAX_BODY_BYTES`` (JSON, forms) or ``TRACKER_IMPORT_MAX_BYTES``
  (multipart uploads)                      -> 413 ``payload_too_large``
* bytes that are not UTF-8                  -> 400 ``parse_error`` (``fields.body``)
* text that is not JSON (NaN/Infinity too)  -> 400 ``parse_error``
* JSON nested deeper than ``MAX_DEPTH``     -> 400 ``parse_error``

The size is checked against ``Content-Length`` before anything is read; Django reads no
more than ``Content-Length`` bytes, so a body without one is empty to it.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import SuspiciousOperation
from rest_framework import parsers

from audible_contract.json_depth import MAX_DEPTH
from audible_contract.json_depth import nesting_depth

MiB = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 1 * MiB
DEFAULT_IMPORT_MAX_BYTES = 64 * MiB


def max_body_bytes() -> int:
    return int(getattr(settings, "TRACKER_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


def max_import_bytes() -> int:
    return int(getattr(settings, "TRACKER_IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES))


def _api_error(*args: Any, **kwargs: Any) -> Exception:
    # Imported here: tracker_api.core.errors imports DRF's views, which load this module
    # through the DEFAULT_PARSER_CLASSES setting.
    from tracker_api.core.errors import ApiError

    return ApiError(*args, **kwargs)


def payload_too_large(limit: int, what: str = "request body") -> Exception:
    return _api_error(
        "payload_too_large",
        f"The {what} is larger than this server accepts ({limit} bytes).",
        status_code=413,
        limit_bytes=limit,
    )


def check_length(parser_context: dict[str, Any] | None, limit: int, what: str) -> None:
    """413 when the request says it carries more than ``limit`` bytes."""
    request = (parser_context or {}).get("request")
    meta = getattr(getattr(request, "_request", request), "META", {}) or {}
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        length = 0
    if length > limit:
        raise payload_too_large(limit, what)


def _body_error(reason: str, message: str) -> Exception:
    return _api_error("parse_error", message, fields={"body": [reason]})


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_bytes(raw: bytes) -> Any:
    """Strict JSON from bytes, or an ApiError that says what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _body_error("is not UTF-8", "The request body is not UTF-8 text.") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise _body_error(
            f"nests deeper than {MAX_DEPTH} levels",
            f"The request body nests deeper than {MAX_DEPTH} levels.",
        ) from None
    except ValueError as exc:
        raise _body_error(
            "is not valid JSON", f"The request body is not valid JSON ({exc})."
        ) from None
    if nesting_depth(data) > MAX_DEPTH:
        raise _body_error(
            f"nests deeper than {MAX_DEPTH} levels",
            f"The request body nests deeper than {MAX_DEPTH} levels.",
        )
    return data


class StrictJSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = max_body_bytes()
        check_length(parser_context, limit, "request body")
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise payload_too_large(limit)
        return parse_json_bytes(raw)


def _suspicious(exc: SuspiciousOperation, limit: int) -> Exception:
    """Django's own form limits (field sizes, field counts) in the one error shape."""
    if isinstance(exc, RequestDataTooBig):
        return payload_too_large(limit)
    return _api_error("parse_error", f"The request body was refused: {exc}")


class LimitedFormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = max_body_bytes()
        check_length(parser_context, limit, "request body")
        try:
            return super().parse(stream, media_type, parser_context)
        except SuspiciousOperation as exc:
            raise _suspicious(exc, limit) from None


class LimitedMultiPartParser(parsers.MultiPartParser):
    """Multipart on ordinary endpoints: the same cap as JSON bodies."""

    def limit(self) -> int:
        return max_body_bytes()

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = self.limit()
        check_length(
            parser_context, limit, "upload" if limit != max_body_bytes() else "request body"
        )
        try:
            return super().parse(stream, media_type, parser_context)
        except SuspiciousOperation as exc:
            raise _suspicious(exc, limit) from None


class ImportMultiPartParser(LimitedMultiPartParser):
    """Multipart for the CSV import: the import cap (the file streams to disk, not memory)."""

    def limit(self) -> int:
        return max_import_bytes()
