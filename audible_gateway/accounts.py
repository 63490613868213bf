"""Auth blobs: Authenticator <-> sealed JSON, plus the account facts shown to callers.

The sealed blob is Fernet(JSON of ``Authenticator.to_dict()``). The gateway keeps nothing:
every call opens the blob it is given and, when tokens changed or the blob was sealed with an
older key, hands back a new one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any

import audible

from audible_gateway import errors
from audible_gateway.sealing import Sealer
from audible_gateway.sealing import SealError

AUTH_KIND = "audible_auth"


class AuthDataError(ValueError):
    """Auth data the ``audible`` package refuses (bad token formats, unknown keys...)."""


class UnknownAuthKey(AuthDataError):
    """A key the package's own ``to_dict()`` never writes (``key`` is it, cut short)."""

    def __init__(self, key: str) -> None:
        self.key = key[:64]
        super().__init__(f"it holds the key {self.key!r}, which the audible package never writes")


# Exactly the keys the installed package's ``Authenticator.to_dict()`` writes, read from it.
# ``from_dict`` sets ANY key it is given as an attribute, so a hand-edited file could reach
# the package's private state: ``_crypto_provider: "x"`` crashed every call (AttributeError),
# ``_apply_test_convert: false`` switched off its token format checks.
AUTH_KEYS = frozenset(audible.Authenticator().to_dict())
# ``from_dict`` still reads files of audible < 0.7.1, which named the cookies so.
_OLD_NAMES = {"login_cookies": "website_cookies"}


def known_keys_only(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` holding only ``AUTH_KEYS`` (old names renamed); UnknownAuthKey else."""
    copy: dict[str, Any] = {}
    for key, value in data.items():
        name = _OLD_NAMES.get(key, key) if isinstance(key, str) else key
        if name not in AUTH_KEYS:
            raise UnknownAuthKey(str(key))
        copy.setdefault(name, value)
    return copy


def authenticator_from_dict(data: dict[str, Any]) -> audible.Authenticator:
    """Build an Authenticator from a dict without touching the caller's dict.

    Only the keys ``to_dict()`` writes reach the package (:func:`known_keys_only`).
    ``from_dict`` pops ``locale_code`` from its argument, so it gets a copy. A dict with an
    access token but no ``expires`` would make every request fail inside the package ("No
    expires timestamp found"), so such a token is treated as already expired.
    """
    copy = known_keys_only(data)
    if copy.get("access_token") and copy.get("expires") is None:
        copy["expires"] = 0.0
    if not copy.get("locale_code"):
        raise AuthDataError("the auth data names no marketplace (locale_code)")
    try:
        auth = audible.Authenticator.from_dict(copy)
    except Exception as exc:  # the package raises bare Exception for an unknown locale
        raise AuthDataError(str(exc).split("\n")[0][:200]) from None
    if auth.expires is not None and not _is_timestamp(auth.expires):
        auth.expires = 0.0  # an absurd expiry would crash the package's checks; call it expired
    if not auth.available_auth_modes or not (
        {"signing", "bearer"} & set(auth.available_auth_modes)
    ):
        raise AuthDataError("the auth data holds neither signing keys nor a usable access token")
    return auth


def _is_timestamp(value: float) -> bool:
    try:
        datetime.fromtimestamp(value, UTC)
    except (OverflowError, ValueError, OSError):
        return False
    return True


def snapshot(auth: audible.Authenticator) -> str:
    return json.dumps(auth.to_dict(), sort_keys=True, default=str)


@dataclass
class OpenedAuth:
    """An Authenticator opened from a blob, remembering how it looked when opened."""

    auth: audible.Authenticator
    stale_key: bool
    original: str = field(repr=False)

    def changed(self) -> bool:
        return self.stale_key or snapshot(self.auth) != self.original


def open_auth(sealer: Sealer, blob: Any) -> OpenedAuth:
    """Open a sealed auth blob; anything wrong with it is ``invalid_auth_blob``."""
    try:
        opened = sealer.open(blob, AUTH_KIND)
        auth = authenticator_from_dict(opened.data)
    except (SealError, AuthDataError):
        raise errors.invalid_auth_blob() from None
    return OpenedAuth(auth=auth, stale_key=opened.stale, original=snapshot(auth))


def seal_auth(sealer: Sealer, auth: audible.Authenticator) -> str:
    return sealer.seal(AUTH_KIND, auth.to_dict())


def blob_if_changed(sealer: Sealer, opened: OpenedAuth) -> str | None:
    """A new blob when tokens changed or an old key sealed it; otherwise None."""
    return seal_auth(sealer, opened.auth) if opened.changed() else None


def _fact(value: Any) -> str | None:
    """A fact shown as text; auth files are hand-editable, so anything else is dropped."""
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def account_facts(auth: audible.Authenticator) -> dict[str, Any]:
    """Non-secret facts about the connected account (no tokens, no keys)."""
    locale = auth.locale
    customer = auth.customer_info if isinstance(auth.customer_info, dict) else {}
    device = auth.device_info if isinstance(auth.device_info, dict) else {}
    return {
        "locale": locale.country_code if locale else None,
        "domain": locale.domain if locale else None,
        "marketplace_id": locale.market_place_id if locale else None,
        "customer_name": _fact(customer.get("name")) or _fact(customer.get("given_name")),
        "customer_id": _fact(customer.get("user_id")),
        "device_name": _fact(device.get("device_name")),
        "auth_modes": [m for m in auth.available_auth_modes if m in ("signing", "bearer")],
        "with_username": bool(auth.with_username),
    }
