"""The gateway's OpenAPI 3.1 document, maintained by hand next to the routes it describes.

Served at ``GET /openapi.json`` (no secret needed; it holds none). It is checked, not trusted:
``tests/hardening/gateway`` validates real answers of every route against it and fuzzes every
operation with schemathesis, so a route that answers something the document does not describe
fails the suite. Error answers list, per status, exactly the stable codes the route can give.
"""

from __future__ import annotations

from typing import Any

from audible_gateway.locales import COUNTRY_CODES

OPENAPI_VERSION = "3.1.0"
SCHEME_NAME = "ApiSecret"

NULLABLE_STRING: dict[str, Any] = {"type": ["string", "null"]}
ISO_DATETIME: dict[str, Any] = {"type": ["string", "null"], "format": "date-time"}


def _error_schema(codes: list[str]) -> dict[str, Any]:
    """The one error shape, with ``code`` limited to what this status may carry."""
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": sorted(set(codes))},
                    "message": {"type": "string", "minLength": 1},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "One sentence per offending field (`body` for the body).",
                    },
                    "retry_after": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "Seconds to wait before trying again.",
                    },
                    "fallback": {
                        "type": "string",
                        "enum": ["external"],
                        "description": "The login method that will work instead.",
                    },
                },
            }
        },
    }


def _error(description: str, codes: list[str]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _error_schema(codes)}},
    }


def _ok(description: str, ref: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"Cache-Control": {"schema": {"type": "string", "const": "no-store"}}},
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


# Failures every /api route shares: the secret, the body, and Audible's own trouble.
BODY_CODES = ["validation_error"]
AUDIBLE_ERRORS: dict[str, Any] = {
    "403": _error(
        "Audible no longer accepts the device (deregistered, revoked, refresh refused).",
        ["audible_reauth_required"],
    ),
    "429": _error(
        "Audible kept rate limiting after retries; `retry_after` says how long to wait.",
        ["audible_rate_limited"],
    ),
    "502": _error("Audible refused or garbled something unexpectedly.", ["audible_bad_response"]),
    "503": _error(
        "Audible answered 5xx, timed out or could not be reached after retries.",
        ["audible_unavailable"],
    ),
}
COMMON_ERRORS: dict[str, Any] = {
    "401": _error(
        "`X-API-Secret` missing or wrong (the same answer for both).", ["invalid_secret"]
    ),
    "413": _error("The body is larger than GATEWAY_MAX_BODY_BYTES.", ["payload_too_large"]),
    "415": _error("The body is not sent as JSON.", ["unsupported_media_type"]),
    "500": _error("A bug in the gateway; no detail is exposed.", ["internal_error"]),
}
BLOB_CODES = ["validation_error", "invalid_auth_blob", "refresh_not_possible"]


def _json_body(ref: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


AUTH_BLOB: dict[str, Any] = {
    "type": "string",
    "description": "A sealed auth blob (Fernet token) from `POST /api/auth`.",
}

SCHEMAS: dict[str, Any] = {
    "ExternalLoginStart": {
        "type": "object",
        "required": ["method", "locale"],
        "properties": {
            "method": {"const": "external"},
            "locale": {"type": "string", "enum": list(COUNTRY_CODES)},
            "with_username": {"type": "boolean", "default": False},
        },
    },
    "ExternalLoginFinish": {
        "type": "object",
        "required": ["method", "state", "redirect_url"],
        "properties": {
            "method": {"const": "external"},
            "state": {"type": "string", "description": "The `state` from step one."},
            "redirect_url": {
                "type": "string",
                "description": "The maplanding address the browser shows after the login.",
            },
        },
    },
    "AuthFileImport": {
        "type": "object",
        "required": ["method", "auth_file"],
        "properties": {
            "method": {"const": "file"},
            "auth_file": {
                "description": "The file's JSON object, its JSON text, or base64 of its bytes.",
                "type": ["object", "string"],
            },
            "password": {"type": "string", "description": "For an encrypted file."},
            "locale": {"type": "string", "enum": list(COUNTRY_CODES)},
        },
    },
    "PasswordLogin": {
        "type": "object",
        "required": ["method", "locale", "email", "password"],
        "properties": {
            "method": {"const": "password"},
            "locale": {"type": "string", "enum": list(COUNTRY_CODES)},
            "email": {"type": "string", "minLength": 1},
            "password": {"type": "string", "minLength": 1},
            "otp_code": {"type": "string"},
            "with_username": {"type": "boolean", "default": False},
        },
    },
    "AuthRequest": {
        "oneOf": [
            {"$ref": "#/components/schemas/ExternalLoginStart"},
            {"$ref": "#/components/schemas/ExternalLoginFinish"},
            {"$ref": "#/components/schemas/AuthFileImport"},
            {"$ref": "#/components/schemas/PasswordLogin"},
        ]
    },
    "Account": {
        "type": "object",
        "required": [
            "locale",
            "domain",
            "marketplace_id",
            "customer_name",
            "customer_id",
            "device_name",
            "auth_modes",
            "with_username",
        ],
        "additionalProperties": False,
        "properties": {
            "locale": NULLABLE_STRING,
            "domain": NULLABLE_STRING,
            "marketplace_id": NULLABLE_STRING,
            "customer_name": NULLABLE_STRING,
            "customer_id": NULLABLE_STRING,
            "device_name": NULLABLE_STRING,
            "auth_modes": {
                "type": "array",
                "items": {"type": "string", "enum": ["signing", "bearer"]},
            },
            "with_username": {"type": "boolean"},
        },
    },
    "LoginRequired": {
        "type": "object",
        "required": ["status", "login_url", "state", "expires_in"],
        "additionalProperties": False,
        "properties": {
            "status": {"const": "login_required"},
            "login_url": {"type": "string", "format": "uri"},
            "state": {"type": "string", "description": "Sealed; send it back in step two."},
            "expires_in": {"type": "integer", "minimum": 1},
        },
    },
    "Connected": {
        "type": "object",
        "required": ["status", "auth", "account"],
        "additionalProperties": False,
        "properties": {
            "status": {"const": "connected"},
            "auth": AUTH_BLOB,
            "account": {"$ref": "#/components/schemas/Account"},
        },
    },
    "AuthAnswer": {
        "oneOf": [
            {"$ref": "#/components/schemas/LoginRequired"},
            {"$ref": "#/components/schemas/Connected"},
        ]
    },
    "BlobRequest": {
        "type": "object",
        "required": ["auth"],
        "properties": {"auth": AUTH_BLOB},
    },
    "LibraryRequest": {
        "type": "object",
        "required": ["auth"],
        "properties": {
            "auth": AUTH_BLOB,
            "include_revoked": {"type": "boolean", "default": True},
            "known_progress": {
                "type": ["object", "null"],
                "description": "Per ASIN, the listening state the caller holds for a title in "
                "progress and its position: `[percent, time_remaining_s, position_ms, "
                "position_updated_at]`. Titles whose state is unchanged get this position and "
                "cost no `lastpositions` request; leave it out on a first sync.",
                "maxProperties": 20000,
                "additionalProperties": {
                    "type": "array",
                    "minItems": 4,
                    "maxItems": 4,
                    "prefixItems": [
                        {"type": "number", "minimum": 0, "maximum": 100},
                        {"type": ["integer", "null"], "minimum": 0},
                        {"type": "integer", "minimum": 0},
                        {"type": ["string", "null"], "format": "date-time", "maxLength": 40},
                    ],
                },
            },
        },
    },
    "Progress": {
        "type": "object",
        "required": [
            "percent",
            "is_finished",
            "finished_at",
            "position_ms",
            "position_updated_at",
            "time_remaining_s",
        ],
        "additionalProperties": False,
        "properties": {
            "percent": {"type": "number", "minimum": 0, "maximum": 100},
            "is_finished": {"type": "boolean"},
            "finished_at": ISO_DATETIME,
            "position_ms": {"type": ["integer", "null"], "minimum": 0},
            "position_updated_at": ISO_DATETIME,
            "time_remaining_s": {"type": ["integer", "null"], "minimum": 0},
        },
    },
    "Item": {
        "type": "object",
        "description": "One title in the documented item shape (audible_contract.items).",
        "required": [
            "asin",
            "title",
            "subtitle",
            "authors",
            "narrators",
            "series",
            "categories",
            "isbn",
            "language",
            "release_date",
            "purchase_date",
            "runtime_min",
            "content_type",
            "content_delivery_type",
            "format_type",
            "is_podcast",
            "origin_type",
            "status",
            "progress",
        ],
        "additionalProperties": False,
        "properties": {
            "asin": {"type": "string", "minLength": 1},
            "title": {"type": "string", "minLength": 1},
            "subtitle": NULLABLE_STRING,
            "authors": {"type": "array", "items": {"type": "string"}},
            "narrators": {"type": "array", "items": {"type": "string"}},
            "series": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["title", "sequence"],
                    "additionalProperties": False,
                    "properties": {"title": {"type": "string"}, "sequence": NULLABLE_STRING},
                },
            },
            "categories": {
                "type": "array",
                "description": "Audible's category ladders (category_ladders), one list of "
                "names per ladder, broadest first.",
                "items": {"type": "array", "items": {"type": "string"}},
            },
            "isbn": NULLABLE_STRING,
            "language": NULLABLE_STRING,
            "release_date": {"type": ["string", "null"], "format": "date"},
            "purchase_date": ISO_DATETIME,
            "runtime_min": {"type": ["integer", "null"], "minimum": 0},
            "content_type": NULLABLE_STRING,
            "content_delivery_type": NULLABLE_STRING,
            "format_type": NULLABLE_STRING,
            "is_podcast": {"type": "boolean"},
            "origin_type": NULLABLE_STRING,
            "status": {"type": "string", "enum": ["Active", "Revoked"]},
            "progress": {"$ref": "#/components/schemas/Progress"},
        },
    },
    "ItemProblem": {
        "type": "object",
        "required": ["asin", "message"],
        "additionalProperties": False,
        "properties": {
            "asin": NULLABLE_STRING,
            "message": {"type": "string"},
            "code": {"type": "string", "enum": ["audible_library_too_large"]},
        },
    },
    "LibraryAnswer": {
        "type": "object",
        "required": [
            "items",
            "auth",
            "total",
            "complete",
            "errors",
            "fetched_at",
            "audible_requests",
        ],
        "additionalProperties": False,
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
            "auth": {
                "type": ["string", "null"],
                "description": "A new blob to store (tokens refreshed or key rotated), else null.",
            },
            "total": {"type": "integer", "minimum": 0},
            "complete": {
                "type": "boolean",
                "description": "False past Audible's ~10,000-title paging ceiling.",
            },
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ItemProblem"}},
            "fetched_at": {"type": "string", "format": "date-time"},
            "audible_requests": {
                "type": "integer",
                "minimum": 0,
                "description": "Requests sent to Audible for this answer (pages, position "
                "lookups, retries).",
            },
        },
    },
    "ProgressAnswer": {
        "type": "object",
        "required": ["asin", "status", "progress", "item", "auth"],
        "additionalProperties": False,
        "properties": {
            "asin": {"type": "string"},
            "status": {"type": "string", "enum": ["Active", "Revoked"]},
            "progress": {"$ref": "#/components/schemas/Progress"},
            "item": {"$ref": "#/components/schemas/Item"},
            "auth": {"type": ["string", "null"]},
        },
    },
    "RefreshAnswer": {
        "type": "object",
        "required": ["auth", "expires_at", "account"],
        "additionalProperties": False,
        "properties": {
            "auth": AUTH_BLOB,
            "expires_at": ISO_DATETIME,
            "account": {"$ref": "#/components/schemas/Account"},
        },
    },
    "StatsRequest": {
        "type": "object",
        "required": ["auth"],
        "properties": {
            "auth": AUTH_BLOB,
            "days": {"type": "integer", "minimum": 1, "maximum": 30, "default": 30},
            "months": {"type": "integer", "minimum": 1, "maximum": 12, "default": 12},
        },
    },
    "StatsAnswer": {
        "type": "object",
        "required": ["days", "months", "total_ms", "auth", "fetched_at", "audible_requests"],
        "additionalProperties": False,
        "properties": {
            "days": {
                "type": "array",
                "description": "Oldest first, every day present.",
                "items": {
                    "type": "object",
                    "required": ["date", "listened_ms"],
                    "additionalProperties": False,
                    "properties": {
                        "date": {"type": "string", "format": "date"},
                        "listened_ms": {"type": "integer", "minimum": 0},
                    },
                },
            },
            "months": {
                "type": "array",
                "description": "Oldest first, every month present.",
                "items": {
                    "type": "object",
                    "required": ["month", "listened_ms"],
                    "additionalProperties": False,
                    "properties": {
                        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                        "listened_ms": {"type": "integer", "minimum": 0},
                    },
                },
            },
            "total_ms": {"type": ["integer", "null"], "minimum": 0},
            "auth": {"type": ["string", "null"]},
            "fetched_at": ISO_DATETIME,
            "audible_requests": {"type": "integer", "minimum": 0},
        },
    },
    "CollectionsAnswer": {
        "type": "object",
        "required": ["collections", "auth", "fetched_at", "audible_requests"],
        "additionalProperties": False,
        "properties": {
            "collections": {
                "type": "array",
                "description": "Every collection of the account, in Audible's order.",
                "items": {
                    "type": "object",
                    "required": ["collection_id", "name", "description", "asins"],
                    "additionalProperties": False,
                    "properties": {
                        "collection_id": {"type": "string"},
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "asins": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "auth": {"type": ["string", "null"]},
            "fetched_at": ISO_DATETIME,
            "audible_requests": {"type": "integer", "minimum": 0},
        },
    },
    "DeregisterAnswer": {
        "type": "object",
        "required": ["status"],
        "additionalProperties": False,
        "properties": {"status": {"type": "string", "enum": ["deregistered"]}},
    },
    "Health": {
        "type": "object",
        "required": ["status", "encryption_keys", "mode", "upstream"],
        "additionalProperties": False,
        "properties": {
            "status": {"type": "string", "enum": ["ok", "degraded"]},
            "encryption_keys": {
                "type": "object",
                "required": ["loaded", "count"],
                "additionalProperties": False,
                "properties": {
                    "loaded": {"type": "boolean"},
                    "count": {"type": "integer", "minimum": 1},
                },
            },
            "mode": {"type": "string", "enum": ["production", "development"]},
            "upstream": {"type": "string", "enum": ["audible", "sandbox"]},
        },
    },
}

SECURED: list[dict[str, list[str]]] = [{SCHEME_NAME: []}]


def _api_operation(
    operation_id: str,
    summary: str,
    request: str,
    answer: str,
    errors: dict[str, Any],
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "security": SECURED,
        "requestBody": _json_body(request),
        "responses": {"200": _ok("Success.", answer), **errors, **COMMON_ERRORS},
    }
    if parameters:
        operation["parameters"] = parameters
    return operation


ASIN_PARAMETER = {
    "name": "asin",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9]{1,20}$"},
    "description": "The title's ASIN (1-20 letters or digits).",
}

PATHS: dict[str, Any] = {
    "/api/auth": {
        "post": _api_operation(
            "connectAccount",
            "Connect an Audible account: external login (two steps), auth file, or password.",
            "AuthRequest",
            "AuthAnswer",
            {
                "400": _error(
                    "The body, the login state, the login code or the auth file is unusable.",
                    [
                        *BODY_CODES,
                        "invalid_login_state",
                        "login_code_rejected",
                        "auth_file_password_required",
                        "auth_file_password_wrong",
                        "auth_file_invalid",
                        "refresh_not_possible",
                    ],
                ),
                "409": _error(
                    "The password login hit a prompt only a browser can answer "
                    "(`fallback: external`).",
                    ["captcha_required", "cvf_required", "approval_required", "otp_required"],
                ),
                "422": _error(
                    "Amazon refused the login or the one-time code.",
                    ["otp_rejected", "login_failed"],
                ),
                **AUDIBLE_ERRORS,
            },
        )
    },
    "/api/library": {
        "post": _api_operation(
            "readLibrary",
            "The whole library in the documented item shape, with progress.",
            "LibraryRequest",
            "LibraryAnswer",
            {"400": _error("The body or the blob is unusable.", BLOB_CODES), **AUDIBLE_ERRORS},
        )
    },
    "/api/collections": {
        "post": _api_operation(
            "readCollections",
            "Every collection of the account with the ASINs in it (households route by them).",
            "BlobRequest",
            "CollectionsAnswer",
            {"400": _error("The body or the blob is unusable.", BLOB_CODES), **AUDIBLE_ERRORS},
        )
    },
    "/api/progress/{asin}": {
        "post": _api_operation(
            "readProgress",
            "Position, percent and finished state of one title.",
            "BlobRequest",
            "ProgressAnswer",
            {
                "400": _error("The body, the ASIN or the blob is unusable.", BLOB_CODES),
                "404": _error(
                    "The title is not in this library (`not_found`: no ASIN in the path).",
                    ["title_not_found", "not_found"],
                ),
                **AUDIBLE_ERRORS,
            },
            parameters=[ASIN_PARAMETER],
        )
    },
    "/api/refresh-token": {
        "post": _api_operation(
            "refreshToken",
            "A new access token, returned inside a new blob.",
            "BlobRequest",
            "RefreshAnswer",
            {"400": _error("The body or the blob is unusable.", BLOB_CODES), **AUDIBLE_ERRORS},
        )
    },
    "/api/deregister": {
        "post": _api_operation(
            "deregisterDevice",
            "Deregister the device behind the blob at Amazon (disconnect, reconnect).",
            "BlobRequest",
            "DeregisterAnswer",
            {"400": _error("The body or the blob is unusable.", BLOB_CODES), **AUDIBLE_ERRORS},
        )
    },
    "/api/stats": {
        "post": _api_operation(
            "readListeningStats",
            "Listening time per day (up to 30) and month (up to 12), and in total, from "
            "Audible's own aggregates.",
            "StatsRequest",
            "StatsAnswer",
            {"400": _error("The body or the blob is unusable.", BLOB_CODES), **AUDIBLE_ERRORS},
        )
    },
    "/health": {
        "get": {
            "operationId": "health",
            "summary": "Liveness and whether the encryption keys load. No secret needed.",
            "security": [],
            "responses": {
                "200": {
                    "description": "Healthy.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Health"}}
                    },
                },
                "503": {
                    "description": "The keys do not round-trip.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Health"}}
                    },
                },
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document. No secret needed; it holds none.",
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
}


def openapi_document() -> dict[str, Any]:
    """The whole document (a fresh dict each call, so callers may not alter the shared one)."""
    import copy

    return copy.deepcopy(
        {
            "openapi": OPENAPI_VERSION,
            "info": {
                "title": "Audible gateway",
                "version": "1",
                "description": "Holds Audible credentials sealed with Fernet and reads "
                "libraries through the `audible` package. See docs/gateway.md and "
                "docs/security.md.",
            },
            "paths": PATHS,
            "components": {
                "schemas": SCHEMAS,
                "securitySchemes": {
                    SCHEME_NAME: {"type": "apiKey", "in": "header", "name": "X-API-Secret"}
                },
            },
        }
    )
