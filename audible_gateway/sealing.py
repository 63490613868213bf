"""Sealing of auth blobs and login states with Fernet, rotating keys via MultiFernet.

Keys come newest first. The first key seals; every key opens. A blob opened with an older key
is reported as ``stale`` so the caller hands back a copy sealed with the newest key.
Each sealed payload names its purpose (``kind``) so a login state can never be used as an
auth blob and vice versa.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.fernet import MultiFernet

HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")
FORMAT_VERSION = 1


class InvalidKeyError(ValueError):
    """An ENCRYPTION_KEY entry that is not a usable key (the key itself is never echoed)."""


class SealError(ValueError):
    """A token that does not open: corrupt, foreign, expired or of the wrong kind."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_key(text: str, position: int = 1) -> bytes:
    """A standard Fernet key, or the 64-hex-character (32 raw bytes) form, as a Fernet key."""
    text = text.strip()
    if HEX_KEY.match(text):
        return base64.urlsafe_b64encode(bytes.fromhex(text))
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32:
        raise InvalidKeyError(
            f"ENCRYPTION_KEY entry #{position} is neither a Fernet key (32 url-safe base64 "
            "bytes) nor 64 hexadecimal characters."
        )
    return text.encode("ascii")


def parse_keys(text: str) -> tuple[bytes, ...]:
    """Comma-separated keys, newest first; at least one."""
    parts = [part for part in (p.strip() for p in text.split(",")) if part]
    if not parts:
        raise InvalidKeyError("ENCRYPTION_KEY holds no key.")
    return tuple(parse_key(part, i) for i, part in enumerate(parts, start=1))


@dataclass(frozen=True)
class Opened:
    """What a sealed token held, and whether it was sealed with an older key."""

    data: dict[str, Any]
    stale: bool


class Sealer:
    """Seal and open JSON payloads of a named kind with a rotating key list."""

    def __init__(self, keys: tuple[bytes, ...]) -> None:
        if not keys:
            raise InvalidKeyError("at least one key is required")
        self._newest = Fernet(keys[0])
        self._all = MultiFernet([Fernet(key) for key in keys])
        self.key_count = len(keys)

    def seal(self, kind: str, data: dict[str, Any]) -> str:
        payload = json.dumps(
            {"v": FORMAT_VERSION, "kind": kind, "data": data}, separators=(",", ":")
        )
        return self._newest.encrypt(payload.encode()).decode("ascii")

    def open(self, token: Any, kind: str, ttl: int | None = None) -> Opened:
        """Open a token of ``kind``; raise SealError with a reason (never the token)."""
        if not isinstance(token, str) or not token.strip():
            raise SealError("missing")
        raw = token.strip().encode("ascii", "replace")
        stale = False
        try:
            plain = self._newest.decrypt(raw, ttl=ttl)
        except InvalidToken:
            try:
                plain = self._all.decrypt(raw, ttl=ttl)
            except InvalidToken:
                raise SealError("does not open with any configured key") from None
            stale = True
        try:
            payload = json.loads(plain)
        except ValueError:
            raise SealError("content is not JSON") from None
        if not isinstance(payload, dict) or payload.get("kind") != kind:
            raise SealError(f"not a sealed {kind}")
        data = payload.get("data")
        if not isinstance(data, dict):
            raise SealError("content is not an object")
        return Opened(data=data, stale=stale)

    def self_test(self) -> bool:
        """Round-trip a probe through the newest key (used by /health)."""
        try:
            return self.open(self.seal("probe", {"ok": True}), "probe").data == {"ok": True}
        except SealError:
            return False
