"""The same secret scan against the deployed form: gunicorn at --log-level debug with access
and error logs on, over real HTTP, everything it prints captured."""

from __future__ import annotations

import httpx
import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library
from audible_gateway.sealing import Sealer
from audible_gateway.sealing import parse_keys

from .conftest import in_progress
from .processes import free_port
from .processes import gateway_env
from .processes import start_gunicorn
from .processes import stop
from .processes import wait_healthy
from .secret_scan import auth_secrets
from .secret_scan import find_leaks
from .test_secrets import ACCOUNT_PASSWORD
from .test_secrets import API_SECRET
from .test_secrets import FILE_PASSWORD
from .test_secrets import KEY_NEW
from .test_secrets import KEY_OLD
from .test_secrets import OTP_CODE
from .test_secrets import SEALED_PREFIX
from .test_secrets import browser_login
from .test_secrets import known_secrets

pytestmark = pytest.mark.e2e


def test_gunicorn_output_holds_no_secret(tmp_path):
    library = generate_library(20, seed=61)
    log_file = tmp_path / "gunicorn.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with SandboxServer(library) as sandbox, log_file.open("w") as output:
        env = gateway_env(
            API_SECRET=API_SECRET,
            ENCRYPTION_KEY=f"{KEY_NEW},{KEY_OLD}",
            AUDIBLE_SANDBOX_URL=sandbox.url,
            GATEWAY_RETRY_ATTEMPTS="2",
            GATEWAY_RETRY_BASE_S="0.01",
            GATEWAY_RETRY_BUDGET_S="2",
        )
        gunicorn = start_gunicorn(
            port,
            env,
            output,
            "--workers=1",
            "--log-level=debug",
            "--access-logfile=-",
            "--error-logfile=-",
        )
        try:
            wait_healthy(url, gunicorn)
            issued = _exercise(url, sandbox, in_progress(library)["asin"])
        finally:
            stop(gunicorn)
    text = log_file.read_text()
    assert "POST /api/library" in text  # the access log really was captured
    assert "[DEBUG]" in text
    secrets = known_secrets() | {f"issued #{i}": v for i, v in enumerate(issued)}
    leaks = find_leaks([("gunicorn output", text)], secrets)
    assert not leaks, leaks
    assert SEALED_PREFIX not in text


def _exercise(url: str, sandbox, asin: str) -> list[str]:
    """Every kind of call, success and failure, over real HTTP; the secrets issued."""
    good = {"X-API-Secret": API_SECRET}
    issued: list[str] = []
    with httpx.Client(base_url=url, headers=good, timeout=30) as http:
        start = http.post("/api/auth", json={"method": "external", "locale": "us"}).json()
        landing = browser_login(start["login_url"])
        issued.append(httpx.URL(landing).params["openid.oa2.authorization_code"])
        finish = {"method": "external", "state": start["state"], "redirect_url": landing}
        blob = http.post("/api/auth", json=finish).json()["auth"]
        http.post("/api/auth", json=finish)  # a used code
        refreshed = http.post("/api/refresh-token", json={"auth": blob}).json()["auth"]
        assert http.post("/api/library", json={"auth": blob}).status_code == 200
        assert http.post(f"/api/progress/{asin}", json={"auth": blob}).status_code == 200
        for headers in ({"X-API-Secret": API_SECRET[:-1]}, {"X-API-Secret": ""}):
            assert (
                http.post("/api/library", json={"auth": blob}, headers=headers).status_code == 401
            )
        http.post("/api/library", json={"auth": blob[:-8]})
        http.post(
            "/api/auth",
            json={
                "method": "password",
                "locale": "us",
                "email": "me@example.com",
                "password": ACCOUNT_PASSWORD,
                "otp_code": OTP_CODE,
            },
        )
        http.post(
            "/api/auth",
            json={"method": "file", "auth_file": {"ciphertext": "x"}, "password": FILE_PASSWORD},
        )
        for status in (401, 403, 429, 503):
            sandbox.state.clear_faults()
            sandbox.state.arm_fault(path="/1.0/library", status=status, count=None)
            http.post("/api/library", json={"auth": blob})
        sandbox.state.clear_faults()
        sandbox.state.set_refresh_mode("invalid_grant")
        http.post("/api/refresh-token", json={"auth": blob})
        sandbox.state.set_refresh_mode("normal")
        json_type = {"Content-Type": "application/json"}
        deep = http.post("/api/library", content=b"[" * 50_000, headers=json_type)
        assert deep.status_code == 400
        chunked = http.post("/api/library", content=_chunks(2 * 1024 * 1024), headers=json_type)
        assert chunked.status_code == 413  # no Content-Length: still limited, still JSON
        assert chunked.json()["error"]["code"] == "payload_too_large"
    sealer = Sealer(parse_keys(f"{KEY_NEW},{KEY_OLD}"))
    for sealed in (blob, refreshed):
        issued += auth_secrets(sealer.open(sealed, "audible_auth").data)
    return list(dict.fromkeys(issued))


def _chunks(size: int):
    """A JSON body sent chunked (no Content-Length)."""
    yield b'{"auth": "'
    for _ in range(size // 65536):
        yield b"A" * 65536
    yield b'"}'
