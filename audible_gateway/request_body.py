"""Reading a request body as one JSON object, strictly, with a clear error for each flaw.

Every endpoint takes a JSON object. Anything else gets a stable error, never a 500:

* a Content-Type other than JSON            -> 415 ``unsupported_media_type``
* bytes that are not UTF-8                  -> 400 ``validation_error`` (fields.body)
* text that is not JSON (NaN/Infinity too)  -> 400 ``validation_error``
* JSON nested deeper than ``MAX_DEPTH``     -> 400 ``validation_error``
* JSON that is not an object                -> 400 ``validation_error``

The size limit (413 ``payload_too_large``) is Flask's ``MAX_CONTENT_LENGTH``; a chunked body
(no Content-Length) that reaches it is refused here too. Nesting is limited because Python's
parser recurses: a body of a hundred thousand ``[`` would otherwise end in a RecursionError,
and no real request nests deeper than a handful of levels.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from audible_contract.json_depth import MAX_DEPTH
from audible_contract.json_depth import nesting_depth
from audible_gateway import errors


def _not_json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _body_error(reason: str, message: str) -> errors.GatewayError:
    return errors.validation_error({"body": reason}, message)


def is_json_media_type(mimetype: str) -> bool:
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def json_object(request: Request) -> dict[str, Any]:
    """The body as a dict, or a GatewayError saying exactly what is wrong with it."""
    if not is_json_media_type(request.mimetype):
        raise errors.GatewayError(
            "unsupported_media_type",
            "The request body must be JSON, sent with Content-Type: application/json.",
            415,
        )
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A chunked body is cut at the limit without an error (werkzeug's LimitedStream
        # stops reading there); a body that filled the limit was at least that large.
        raise RequestEntityTooLarge()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _body_error("is not UTF-8", "The request body is not valid UTF-8.") from None
    if not text.strip():
        raise _body_error("must be a JSON object", "The request body is empty.")
    try:
        body = json.loads(text, parse_constant=_not_json_constant)
    except RecursionError:
        body = None
        depth = MAX_DEPTH + 1
    except ValueError:
        raise _body_error("is not valid JSON", "The request body is not valid JSON.") from None
    else:
        depth = nesting_depth(body)
    if depth > MAX_DEPTH:
        raise _body_error(
            f"nests deeper than {MAX_DEPTH} levels",
            f"The request body nests deeper than {MAX_DEPTH} levels.",
        )
    if not isinstance(body, dict):
        raise _body_error("must be a JSON object", "The request body must be a JSON object.")
    return body
