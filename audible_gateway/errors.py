"""One JSON error shape for every failure the gateway reports.

``{"error": {"code": "<stable_snake_code>", "message": "<sentence>", ...extra}}``. Codes are
part of the API contract (the tracker branches on them); messages are for people and never
carry a secret, a token or a sealed blob.
"""

from __future__ import annotations

from typing import Any

from audible_contract import wire


class GatewayError(Exception):
    """A failure with a stable code, an HTTP status and a sentence for people."""

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        *,
        fields: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update({key: value for key, value in self.extra.items() if value is not None})
        return {"error": body}


def validation_error(fields: dict[str, str], message: str | None = None) -> GatewayError:
    """400 with one sentence per offending field."""
    return GatewayError(
        wire.VALIDATION_ERROR,
        message or "The request is missing something or has a value the gateway cannot use.",
        400,
        fields=fields,
    )


def invalid_auth_blob() -> GatewayError:
    return GatewayError(
        wire.INVALID_AUTH_BLOB,
        "The auth blob cannot be opened: it is corrupt, was sealed by another deployment, "
        "or its key is no longer configured. Connect the account again.",
        400,
    )


def reauth_required(detail: str | None = None) -> GatewayError:
    message = "Audible no longer accepts this device's credentials; connect the account again."
    if detail:
        message = f"{message} (Audible said: {detail})"
    return GatewayError(wire.REAUTH_REQUIRED, message, 403)


def rate_limited(retry_after: float | None) -> GatewayError:
    seconds = max(1, round(retry_after)) if retry_after is not None else None
    return GatewayError(
        wire.RATE_LIMITED,
        "Audible is rate limiting this account; try again later.",
        429,
        retry_after=seconds,
    )


def unavailable(detail: str) -> GatewayError:
    return GatewayError(
        wire.UNAVAILABLE, f"Audible did not answer usefully after retries: {detail}", 503
    )


def bad_upstream(detail: str) -> GatewayError:
    return GatewayError(wire.BAD_RESPONSE, f"Audible refused or garbled the request: {detail}", 502)
