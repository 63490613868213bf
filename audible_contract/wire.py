"""The wire agreement between the tracker and the gateway: the secret header and error codes.

The gateway raises these codes in ``{"error": {"code": ..., "message": ...}}`` and the tracker
decides on them (relogin, back off, give up), so both import the names from here instead of
spelling the strings twice. ``tests/core/test_contract.py`` checks that each one is in the
gateway's OpenAPI document.
"""

from __future__ import annotations

# The header carrying the shared secret (API_SECRET on the gateway, AUDIBLE_API_SECRET on
# the tracker) on every /api call.
SECRET_HEADER = "X-API-Secret"  # noqa: S105 - a header name, not a secret

INVALID_SECRET = "invalid_secret"  # noqa: S105 - an error code, not a secret
INVALID_AUTH_BLOB = "invalid_auth_blob"
VALIDATION_ERROR = "validation_error"
REAUTH_REQUIRED = "audible_reauth_required"
RATE_LIMITED = "audible_rate_limited"
UNAVAILABLE = "audible_unavailable"
BAD_RESPONSE = "audible_bad_response"
LIBRARY_TOO_LARGE = "audible_library_too_large"

# Every code above: the ones the tracker may see from the gateway and acts on.
GATEWAY_CODES = frozenset(
    {
        INVALID_SECRET,
        INVALID_AUTH_BLOB,
        VALIDATION_ERROR,
        REAUTH_REQUIRED,
        RATE_LIMITED,
        UNAVAILABLE,
        BAD_RESPONSE,
        LIBRARY_TOO_LARGE,
    }
)
