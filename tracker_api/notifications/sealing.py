"""Sealing channel URLs at rest, with the standard library only, keyed by SECRET_KEY.

An Apprise URL holds the credentials of someone's notification service (a ntfy token, a bot
token, a mail password), so the database keeps it sealed. The tracker has no key of its own and
loads nothing of the gateway (no ``cryptography``: ``tests/core/test_tracker_imports.py``), so
the seal is built from ``hmac``/``hashlib``/``secrets``:

* two keys derived from SECRET_KEY with HMAC-SHA256 under distinct labels (encryption, MAC);
* a random 16-byte nonce per seal; the keystream is HMAC-SHA256(enc_key, nonce || counter)
  blocks (a PRF in counter mode), XORed with the URL;
* encrypt-then-MAC: HMAC-SHA256(mac_key, version || nonce || ciphertext), checked in constant
  time before anything is decrypted.

Each of SECRET_KEY_FALLBACKS also opens, so rotating SECRET_KEY the Django way keeps channels
readable (re-saving a channel seals it under the new key). A URL sealed under a key that is
gone cannot be opened: the person enters it again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

VERSION = b"n1"
NONCE_BYTES = 16
TAG_BYTES = 32
BLOCK = hashlib.sha256().digest_size


class CannotOpen(Exception):
    """The sealed URL is damaged, or was sealed under a key this installation no longer has."""


def _keys(secret: str) -> tuple[bytes, bytes]:
    root = secret.encode()
    enc = hmac.new(root, b"tracker_api.notifications.channel-url.enc.v1", hashlib.sha256)
    mac = hmac.new(root, b"tracker_api.notifications.channel-url.mac.v1", hashlib.sha256)
    return enc.digest(), mac.digest()


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (
        hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        for counter in range((length + BLOCK - 1) // BLOCK)
    )
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def _secrets() -> list[str]:
    found = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [s for s in found if s]


def seal(url: str) -> str:
    enc, mac = _keys(_secrets()[0])
    nonce = secrets.token_bytes(NONCE_BYTES)
    plain = url.encode()
    body = _xor(plain, _keystream(enc, nonce, len(plain)))
    tag = hmac.new(mac, VERSION + nonce + body, hashlib.sha256).digest()
    return VERSION.decode() + ":" + base64.urlsafe_b64encode(nonce + tag + body).decode()


def open_sealed(sealed: str) -> str:
    version, _, packed = (sealed or "").partition(":")
    try:
        raw = base64.urlsafe_b64decode(packed.encode())
    except (ValueError, TypeError):
        raw = b""
    if version.encode() != VERSION or len(raw) < NONCE_BYTES + TAG_BYTES:
        raise CannotOpen("The channel's stored URL is damaged; enter the URL again.")
    nonce, tag, body = (
        raw[:NONCE_BYTES],
        raw[NONCE_BYTES : NONCE_BYTES + TAG_BYTES],
        raw[NONCE_BYTES + TAG_BYTES :],
    )
    for secret in _secrets():
        enc, mac = _keys(secret)
        expected = hmac.new(mac, VERSION + nonce + body, hashlib.sha256).digest()
        if hmac.compare_digest(expected, tag):
            try:
                return _xor(body, _keystream(enc, nonce, len(body))).decode()
            except UnicodeDecodeError:
                break
    raise CannotOpen(
        "The channel's URL was sealed with a SECRET_KEY this installation no longer has; "
        "enter the URL again."
    )
