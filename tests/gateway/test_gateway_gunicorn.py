"""The gateway as it is deployed: `gunicorn 'audible_gateway:create_app()'`, over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library

from .conftest import HEADERS
from .conftest import KEY
from .conftest import SECRET

GUNICORN = Path(sys.executable).with_name("gunicorn")
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(**values: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("API_SECRET", "ENCRYPTION_KEY", "DEBUG")
    }
    env.update(values)
    return env


def _start(port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(GUNICORN),
            "audible_gateway:create_app()",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read())
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not become healthy")


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(generate_library(1200, seed=2)) as server:
        yield server


@pytest.fixture(scope="module")
def gateway_url(sandbox):
    port = _free_port()
    process = _start(
        port,
        _env(API_SECRET=SECRET, ENCRYPTION_KEY=KEY, AUDIBLE_SANDBOX_URL=sandbox.url),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_served_gateway_connects_and_reads_the_library(gateway_url):
    with httpx.Client(base_url=gateway_url, headers=HEADERS, timeout=30) as http:
        health = http.get("/health").json()
        assert health["upstream"] == "sandbox"
        assert health["mode"] == "production"
        start = http.post("/api/auth", json={"method": "external", "locale": "us"}).json()
        landing = httpx.get(start["login_url"]).headers["location"]
        done = http.post(
            "/api/auth",
            json={"method": "external", "state": start["state"], "redirect_url": landing},
        ).json()
        assert done["status"] == "connected"
        library = http.post("/api/library", json={"auth": done["auth"]}).json()
        assert library["total"] == 1200
        assert len(library["items"]) == 1200
        denied = http.post(
            "/api/library", json={"auth": done["auth"]}, headers={"X-API-Secret": "no"}
        )
        assert denied.status_code == 401
        assert denied.json()["error"]["code"] == "invalid_secret"


def test_gunicorn_refuses_to_start_without_secrets():
    process = _start(_free_port(), _env(AUDIBLE_SANDBOX_URL="http://127.0.0.1:9"))
    try:
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0
    assert "Refusing to start" in output
    assert "API_SECRET" in output
