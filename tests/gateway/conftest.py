"""Fixtures for the gateway: an app built from a test config, and offline auth data."""

from __future__ import annotations

import time
from functools import lru_cache

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from audible_gateway import create_app

SECRET = "s3cret-for-the-gateway-tests-0123456789"
KEY = Fernet.generate_key().decode()
OLD_KEY = Fernet.generate_key().decode()
HEADERS = {"X-API-Secret": SECRET}
FAST_RETRIES = {
    "GATEWAY_RETRY_ATTEMPTS": "4",
    "GATEWAY_RETRY_BASE_S": "0.01",
    "GATEWAY_RETRY_MAX_WAIT_S": "0.05",
    "GATEWAY_RETRY_BUDGET_S": "5",
    "GATEWAY_UPSTREAM_TIMEOUT_S": "5",
}


def gateway_config(**overrides: str) -> dict[str, str | bool]:
    return {
        "TESTING": True,
        "API_SECRET": SECRET,
        "ENCRYPTION_KEY": KEY,
        **FAST_RETRIES,
        **overrides,
    }


@pytest.fixture
def app():
    return create_app(gateway_config())


@pytest.fixture
def client(app):
    return app.test_client()


@lru_cache(maxsize=1)
def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def offline_auth_dict(**overrides: object) -> dict[str, object]:
    """Auth data in the exact format the audible package accepts (not valid anywhere)."""
    data: dict[str, object] = {
        "website_cookies": None,
        "adp_token": "{enc:ZW5j}{key:a2V5}{iv:aXY=}{name:bmFtZQ==}{serial:Mg==}",
        "access_token": "Atna|offline-access",
        "refresh_token": "Atnr|offline-refresh",
        "device_private_key": _private_key_pem(),
        "store_authentication_cookie": None,
        "device_info": {"device_name": "Test's Audible for iPhone", "device_serial_number": "X"},
        "customer_info": {"name": "Test Person", "user_id": "amzn1.account.TEST"},
        "expires": time.time() + 3600,
        "locale_code": "us",
        "with_username": False,
        "activation_bytes": None,
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- sandbox fixtures
class Connected:
    """A gateway test client wired to a running sandbox, plus a connected account's blob."""

    def __init__(self, sandbox, **config: str) -> None:
        self.sandbox = sandbox
        self.app = create_app(gateway_config(AUDIBLE_SANDBOX_URL=sandbox.url, **config))
        self.client = self.app.test_client()
        self.blob = self.connect()

    def connect(self, locale: str = "us") -> str:
        """The external login, as a person would do it: open the URL, paste where it lands."""
        import httpx

        start = self.post("/api/auth", {"method": "external", "locale": locale}).json
        landing = httpx.get(start["login_url"], follow_redirects=False).headers["location"]
        done = self.post(
            "/api/auth", {"method": "external", "state": start["state"], "redirect_url": landing}
        )
        assert done.status_code == 200, done.json
        return done.json["auth"]

    def post(self, path: str, body: dict):
        return self.client.post(path, json=body, headers=HEADERS)

    def library(self, blob: str | None = None, **extra):
        return self.post("/api/library", {"auth": blob or self.blob, **extra})

    def open_blob(self, blob: str) -> dict:
        return self.app.extensions["audible_gateway"].sealer.open(blob, "audible_auth").data
