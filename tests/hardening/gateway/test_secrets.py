"""No secret reaches a log line, a response body or a response header, in any flow.

The run uses known values for the API secret, both Fernet keys, the account password, the OTP
code and the auth-file password, and collects the tokens, adp_token and device key the sandbox
issues (and every token a refresh issues). It exercises every flow, failures included, with
every logger at DEBUG, then scans everything captured for every value.
"""

from __future__ import annotations

import base64
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

import audible
import httpx
import pytest
from cryptography.fernet import Fernet

from audible_gateway import create_app
from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library
from tests.gateway.conftest import FAST_RETRIES
from tests.gateway.fake_amazon import FakeAmazon

from .conftest import in_progress
from .secret_scan import auth_secrets
from .secret_scan import fernet_key_forms
from .secret_scan import find_leaks

API_SECRET = "hardening-API-secret-7f3c9e1d2b5a"
KEY_NEW = Fernet.generate_key().decode()
KEY_OLD = "5e" * 16 + "a7" * 16  # the 64-hex form of a key
ACCOUNT_PASSWORD = "Acct-Pa55word-hardening-31415"
OTP_CODE = "862251"
FILE_PASSWORD = "File-pa55word-hardening-27182"
SEALED_PREFIX = "gAAAAA"  # every Fernet token starts so; none may reach a log


class Recorder:
    """A gateway test client that keeps every answer's body and headers."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.client = app.test_client()
        self.answers: list[tuple[str, str]] = []

    def post(self, path: str, body: Any, secret: str | None = API_SECRET) -> Any:
        headers = {"X-API-Secret": secret} if secret is not None else {}
        response = self.client.post(path, json=body, headers=headers)
        head = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.answers.append(
            (f"{path} -> {response.status_code}", head + "\n" + response.get_data(as_text=True))
        )
        return response

    def get(self, path: str) -> Any:
        response = self.client.get(path)
        self.answers.append((path, response.get_data(as_text=True) + str(response.headers)))
        return response

    def open(self, blob: str) -> dict[str, Any]:
        return self.app.extensions["audible_gateway"].sealer.open(blob, "audible_auth").data


def _config(upstream: str, keys: str) -> dict[str, str]:
    return {
        "API_SECRET": API_SECRET,
        "ENCRYPTION_KEY": keys,
        "AUDIBLE_SANDBOX_URL": upstream,
        **FAST_RETRIES,
    }


def _encrypted_files(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    with tempfile.TemporaryDirectory() as folder:
        auth = audible.Authenticator.from_dict(dict(data))
        auth.to_file(Path(folder) / "a.json", password=FILE_PASSWORD, encryption="json")
        auth.to_file(Path(folder) / "a.bin", password=FILE_PASSWORD, encryption="bytes")
        as_json = json.loads((Path(folder) / "a.json").read_text())
        as_bytes = base64.b64encode((Path(folder) / "a.bin").read_bytes()).decode()
    return as_json, as_bytes


def browser_login(login_url: str) -> str:
    """The person's browser logging in (not the gateway, so its own HTTP log is left out)."""
    logging.disable(logging.CRITICAL)
    try:
        return httpx.get(login_url).headers["location"]
    finally:
        logging.disable(logging.NOTSET)


def _all_loggers_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


def _exercise_sandbox_flows(gw: Recorder, old: Recorder, sandbox: Any, library: list) -> list[str]:
    """Every flow against the sandbox; returns the secrets issued along the way."""
    issued: list[str] = []
    state = sandbox.state

    def connect(client: Recorder) -> str:
        start = client.post("/api/auth", {"method": "external", "locale": "us"}).json
        landing = browser_login(start["login_url"])
        issued.append(httpx.URL(landing).params["openid.oa2.authorization_code"])
        body = {"method": "external", "state": start["state"], "redirect_url": landing}
        done = client.post("/api/auth", body)
        assert done.status_code == 200
        client.post("/api/auth", body)  # the code again: login_code_rejected
        return done.json["auth"]

    blob = connect(gw)
    old_blob = connect(old)  # sealed with the old key only
    data = gw.open(blob)
    issued += auth_secrets(data) + auth_secrets(old.open(old_blob))
    asin = in_progress(library)["asin"]

    # the happy paths, plus rotation (old key) and a bearer-only blob that must refresh
    assert gw.post("/api/library", {"auth": blob}).status_code == 200
    rotated = gw.post("/api/library", {"auth": old_blob}).json["auth"]
    assert rotated
    assert gw.post(f"/api/progress/{asin}", {"auth": blob}).status_code == 200
    refreshed = gw.post("/api/refresh-token", {"auth": blob}).json["auth"]
    issued += auth_secrets(gw.open(refreshed))
    bearer = gw.app.extensions["audible_gateway"].sealer.seal(
        "audible_auth", {**data, "adp_token": None, "device_private_key": None, "expires": 0.0}
    )
    again = gw.post("/api/library", {"auth": bearer}).json["auth"]
    issued += auth_secrets(gw.open(again))

    # the secret missing or wrong, blobs broken or foreign
    for path in ("/api/auth", "/api/library", f"/api/progress/{asin}", "/api/refresh-token"):
        gw.post(path, {"auth": blob}, secret=None)
        gw.post(path, {"auth": blob}, secret=API_SECRET[:-1])
        gw.post(path, {"auth": blob[:-10]})
        gw.post(path, {"auth": Fernet(Fernet.generate_key()).encrypt(b"{}").decode()})

    # auth files: plain, encrypted both ways, wrong or missing password, broken
    as_json, as_bytes = _encrypted_files(data)
    for content in (data, as_json, as_bytes):
        gw.post("/api/auth", {"method": "file", "auth_file": content, "password": FILE_PASSWORD})
        gw.post("/api/auth", {"method": "file", "auth_file": content, "password": "wrong-pw"})
        gw.post("/api/auth", {"method": "file", "auth_file": content})
    gw.post("/api/auth", {"method": "file", "auth_file": {**data, "access_token": "no-token"}})
    gw.post("/api/auth", {"method": "file", "auth_file": {**data, "device_private_key": "junk"}})

    # Audible failing: 401/403, 429, 5xx on every call, refresh refused or failing
    for status, extra in ((401, {}), (403, {}), (429, {"retry_after": 30}), (500, {}), (503, {})):
        for path in ("/1.0/library", "/1.0/annotations/lastpositions"):
            state.clear_faults()
            state.arm_fault(path=path, status=status, count=None, **extra)
            gw.post("/api/library", {"auth": blob})
            gw.post(f"/api/progress/{asin}", {"auth": blob})
    state.clear_faults()
    state.arm_fault(path="/auth/token", status=500, count=None)
    gw.post("/api/refresh-token", {"auth": blob})
    gw.post("/api/library", {"auth": bearer})
    state.clear_faults()
    for mode in ("invalid_grant", "actor_access_token"):
        state.set_refresh_mode(mode)
        answer = gw.post("/api/refresh-token", {"auth": blob}).json
        if answer.get("auth"):
            issued += auth_secrets(gw.open(answer["auth"]))
    state.set_refresh_mode("normal")
    state.revoke_device()  # a dead device: 403 from signed calls, refresh refused
    gw.post("/api/library", {"auth": blob})
    gw.post("/api/refresh-token", {"auth": blob})
    gw.get("/health")
    gw.get("/openapi.json")
    return issued


def _exercise_password_login(amazon: Any) -> Recorder:
    client = Recorder(create_app(_config(amazon.url, KEY_NEW)))
    for email, extra in (
        ("otp@example.com", {}),
        ("otp@example.com", {"otp_code": OTP_CODE}),
        ("wrong@example.com", {}),
        ("captcha@example.com", {}),
        ("cvf@example.com", {}),
        ("approval@example.com", {}),
        ("odd@example.com", {}),
        ("person@example.com", {}),  # logs in; registration then fails at the stand-in
    ):
        body = {"method": "password", "locale": "us", "email": email, "password": ACCOUNT_PASSWORD}
        client.post("/api/auth", {**body, **extra})
    return client


def known_secrets() -> dict[str, str]:
    values = {"api secret": API_SECRET, "account password": ACCOUNT_PASSWORD}
    values |= {"otp code": OTP_CODE, "auth file password": FILE_PASSWORD}
    for label, key in (("new key", KEY_NEW), ("old key", KEY_OLD)):
        values |= {f"{label} #{i}": form for i, form in enumerate(fernet_key_forms(key))}
    return values


def test_no_secret_reaches_a_log_or_an_answer(caplog):
    library = generate_library(30, seed=51)
    _all_loggers_at_debug(caplog)
    with SandboxServer(library) as sandbox, FakeAmazon() as amazon:
        gw = Recorder(create_app(_config(sandbox.url, f"{KEY_NEW},{KEY_OLD}")))
        old = Recorder(create_app(_config(sandbox.url, KEY_OLD)))
        _all_loggers_at_debug(caplog)  # loggers created while starting up, too
        issued = _exercise_sandbox_flows(gw, old, sandbox, library)
        login = _exercise_password_login(amazon)
    secrets = known_secrets() | {f"issued #{i}": v for i, v in enumerate(dict.fromkeys(issued))}
    assert any(v.startswith("Atnr|") for v in secrets.values())
    assert any("BEGIN" in v for v in secrets.values())  # the device key is among them

    # The stand-ins for Amazon (werkzeug servers) log their own requests: that is Amazon's
    # side of the wire, not the gateway's, so their records are left out.
    records = [r for r in caplog.records if not r.name.startswith("werkzeug")]
    assert len(records) > 20  # DEBUG logging really was on
    log_lines = [(f"log {r.name}", r.getMessage() + str(r.exc_text or "")) for r in records]
    leaks = find_leaks(log_lines, secrets)
    leaks += find_leaks(gw.answers + old.answers + login.answers, secrets)
    assert not leaks, leaks[:20]
    assert not [where for where, text in log_lines if SEALED_PREFIX in text]
    assert sum(1 for where, _ in gw.answers if "-> 401" in where) == 8
    assert len(gw.answers) > 60


def test_login_codes_stay_out_of_logs_when_the_root_logger_is_at_debug(caplog):
    """A deployment that turns the root logger to DEBUG must not log the single-use
    authorization code (it rides in Amazon's redirect Location and in login URLs)."""
    caplog.set_level(logging.DEBUG)
    with FakeAmazon() as amazon:
        client = Recorder(create_app(_config(amazon.url, KEY_NEW)))
        body = {"method": "password", "locale": "us", "password": ACCOUNT_PASSWORD}
        answer = client.post("/api/auth", {**body, "email": "person@example.com"})
    assert answer.json["error"]["code"] in ("login_code_rejected", "audible_bad_response")
    assert any(r.name.startswith("audible") for r in caplog.records)  # DEBUG was on
    gateway_records = [r for r in caplog.records if not r.name.startswith("werkzeug")]
    text = "\n".join(r.getMessage() for r in gateway_records)
    assert "FAKECODE123" not in text  # the code fake_amazon hands out
    assert ACCOUNT_PASSWORD not in text
