"""``python -m audible_gateway.sandbox`` as its own process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from audible.login import build_oauth_url
from audible.login import create_code_verifier

from audible_gateway.sandbox.library_gen import generate_library

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def process(tmp_path):
    library = tmp_path / "library.json"
    library.write_text(json.dumps({"items": generate_library(30, seed=2)}))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "audible_gateway.sandbox", "--library", str(library),
         "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/__sandbox/state", timeout=0.5)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the sandbox process did not start")
    yield url, proc
    proc.terminate()
    proc.wait(timeout=10)


def test_the_process_answers_the_login_url_and_logs_without_secrets(process):
    url, proc = process
    oauth, _serial = build_oauth_url("us", "com", "AF2M0KC94RCEA", create_code_verifier())
    login = url + "/ap/signin?" + oauth.split("?", 1)[1]
    landing = httpx.get(login, follow_redirects=False)
    assert landing.status_code == 302
    location = landing.headers["location"]
    assert location.startswith("https://www.amazon.com/ap/maplanding?")
    assert "openid.oa2.authorization_code=" in location
    state = httpx.get(f"{url}/__sandbox/state").json()
    assert state["library"]["active"] + state["library"]["revoked"] == 30
    proc.terminate()
    _out, err = proc.communicate(timeout=10)
    assert "GET /ap/signin 302" in err
    code = location.split("openid.oa2.authorization_code=")[1].split("&")[0]
    assert code not in err
    assert "code_challenge" not in err
