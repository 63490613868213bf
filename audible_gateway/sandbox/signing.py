"""Verifying Audible's device request signatures, exactly as the real API checks them.

A signed request carries ``x-adp-token``, ``x-adp-alg: SHA256withRSA:1.0`` and
``x-adp-signature: <base64 signature>:<date>``. The signature is RSA PKCS#1 v1.5 over SHA-256
of ``METHOD\\n<request target as sent>\\n<date>\\n<body>\\n<adp_token>``. The request target
is the raw path plus the raw query (audible-cli sends ``%2C+``), never a re-encoded one:
re-encoding would reject requests the real API accepts.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa

from audible_gateway.sandbox.clock import parse_timestamp

SIGNATURE_ALG = "SHA256withRSA:1.0"


@dataclass(frozen=True)
class SignedHeaders:
    adp_token: str
    signature: bytes
    date: str


def parse_signed_headers(
    adp_token: str | None, signature_header: str | None
) -> SignedHeaders | None:
    """Split ``x-adp-signature`` at the first ``:`` into signature and date; None if unusable."""
    if not adp_token or not signature_header or ":" not in signature_header:
        return None
    encoded, date = signature_header.split(":", 1)
    try:
        signature = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return SignedHeaders(adp_token=adp_token, signature=signature, date=date)


def signed_data(method: str, target: str, date: str, body: bytes, adp_token: str) -> bytes:
    """The exact bytes the client signed (``body`` is taken as UTF-8, as the client does)."""
    text = f"{method.upper()}\n{target}\n{date}\n{body.decode('utf-8', 'surrogateescape')}\n"
    return (text + adp_token).encode("utf-8", "surrogateescape")


def verify_signature(
    public_key: rsa.RSAPublicKey,
    method: str,
    target: str,
    body: bytes,
    headers: SignedHeaders,
) -> bool:
    """True when ``headers.signature`` signs this request with the device's key."""
    data = signed_data(method, target, headers.date, body, headers.adp_token)
    try:
        public_key.verify(headers.signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def signature_age_s(date: str, now: datetime | None = None) -> float | None:
    """Seconds between the signed date (``2026-01-02T03:04:05.678+00:00Z``) and now."""
    signed_at = parse_timestamp(date)
    if signed_at is None:
        return None
    return abs(((now or datetime.now(UTC)) - signed_at).total_seconds())
