"""Minting the sandbox's device credentials in the formats the `audible` package validates.

``audible.utils.test_convert`` rejects anything else: ``access_token`` must start ``Atna|``,
``refresh_token`` ``Atnr|``, ``adp_token`` must be ``{enc:…}{key:…}{iv:…}{name:…}{serial:Mg==}``
and the private key a PEM ``RSA PRIVATE KEY`` block ending in a newline.

RSA-2048 generation costs tens of milliseconds, so a small pool is kept filled in the
background; every device still gets a key of its own.
"""

from __future__ import annotations

import base64
import secrets
import string
import threading

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

_ALNUM = string.ascii_uppercase + string.digits


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def new_access_token() -> str:
    return "Atna|" + secrets.token_urlsafe(330)


def new_refresh_token() -> str:
    return "Atnr|" + secrets.token_urlsafe(330)


def new_adp_token() -> str:
    return (
        f"{{enc:{_b64(secrets.token_bytes(624))}}}"
        f"{{key:{_b64(secrets.token_bytes(256))}}}"
        f"{{iv:{_b64(secrets.token_bytes(16))}}}"
        f"{{name:{_b64(b'ADPToken')}}}"
        "{serial:Mg==}"
    )


def new_authorization_code() -> str:
    return "".join(secrets.choice(string.ascii_letters) for _ in range(20))


def new_account_id() -> str:
    return "amzn1.account." + "".join(secrets.choice(_ALNUM) for _ in range(28))


def new_cookie_value(length: int = 48) -> str:
    return secrets.token_urlsafe(length)


def private_key_pem(key: rsa.RSAPrivateKey) -> str:
    """PKCS#1 PEM (``-----BEGIN RSA PRIVATE KEY-----``), as Amazon hands it out."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")


class KeyPool:
    """A few pre-generated RSA keys; taking one starts a background refill."""

    def __init__(self, size: int = 4, bits: int = 2048) -> None:
        self.size = size
        self.bits = bits
        self._keys: list[rsa.RSAPrivateKey] = []
        self._lock = threading.Lock()
        self._refilling = False

    def _generate(self) -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=self.bits)

    def take(self) -> rsa.RSAPrivateKey:
        with self._lock:
            key = self._keys.pop() if self._keys else None
        if key is None:
            key = self._generate()
        self._refill_in_background()
        return key

    def _refill_in_background(self) -> None:
        with self._lock:
            if self._refilling or len(self._keys) >= self.size:
                return
            self._refilling = True
        threading.Thread(target=self._refill, name="sandbox-keypool", daemon=True).start()

    def _refill(self) -> None:
        try:
            while True:
                with self._lock:
                    if len(self._keys) >= self.size:
                        return
                key = self._generate()
                with self._lock:
                    self._keys.append(key)
        finally:
            with self._lock:
                self._refilling = False


KEY_POOL = KeyPool()
