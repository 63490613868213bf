"""Connecting an account against the sandbox with the unmodified audible package."""

from __future__ import annotations

import json

import audible
import httpx
import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library

from .conftest import Connected


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(generate_library(40, seed=3)) as server:
        yield server


@pytest.fixture
def gw(sandbox):
    sandbox.state.clear_faults()
    return Connected(sandbox)


def test_external_login_returns_a_sealed_blob_and_account_facts(gw):
    start = gw.post("/api/auth", {"method": "external", "locale": "uk"}).json
    assert start["status"] == "login_required"
    assert set(start) == {"status", "login_url", "state", "expires_in"}
    # Pointed at the sandbox by configuration: the person's browser opens the sandbox.
    assert start["login_url"].startswith(gw.sandbox.url + "/ap/signin?")
    assert "openid.assoc_handle=amzn_audible_ios_uk" in start["login_url"]
    landing = httpx.get(start["login_url"]).headers["location"]
    assert landing.startswith("https://www.amazon.co.uk/ap/maplanding?")
    done = gw.post(
        "/api/auth", {"method": "external", "state": start["state"], "redirect_url": landing}
    )
    assert done.status_code == 200
    body = done.json
    assert body["status"] == "connected"
    assert body["account"]["locale"] == "uk"
    assert body["account"]["marketplace_id"] == "A2I9A3Q2GNFNGQ"
    assert body["account"]["customer_name"] == gw.sandbox.state.config.customer_name
    assert "signing" in body["account"]["auth_modes"]
    sealed = gw.open_blob(body["auth"])
    assert sealed["adp_token"]
    assert sealed["device_private_key"]
    assert sealed["access_token"] not in done.get_data(as_text=True)


def test_a_login_code_works_once(gw):
    start = gw.post("/api/auth", {"method": "external", "locale": "us"}).json
    landing = httpx.get(start["login_url"]).headers["location"]
    body = {"method": "external", "state": start["state"], "redirect_url": landing}
    assert gw.post("/api/auth", body).status_code == 200
    again = gw.post("/api/auth", body)
    assert again.status_code == 400
    assert again.json["error"]["code"] == "login_code_rejected"


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ({"state": "not-a-state"}, "invalid_login_state"),
        ({"redirect_url": "https://www.amazon.com/ap/maplanding?x=1"}, "validation_error"),
        ({"redirect_url": None}, "validation_error"),
    ],
)
def test_step_two_refuses_bad_input(gw, patch, code):
    start = gw.post("/api/auth", {"method": "external", "locale": "us"}).json
    landing = httpx.get(start["login_url"]).headers["location"]
    body = {"method": "external", "state": start["state"], "redirect_url": landing, **patch}
    response = gw.post("/api/auth", body)
    assert response.status_code == 400
    assert response.json["error"]["code"] == code


def test_password_login_registers_through_the_sandbox(gw):
    response = gw.post(
        "/api/auth",
        {"method": "password", "locale": "de", "email": "a@example.com", "password": "pw-123"},
    )
    assert response.status_code == 200, response.json
    assert response.json["account"]["domain"] == "de"
    assert gw.library(response.json["auth"]).status_code == 200


def _auth_of(gw, blob):
    return audible.Authenticator.from_dict(gw.open_blob(blob))


@pytest.mark.parametrize("encryption", [False, "json"])
def test_an_auth_file_written_by_the_package_imports_and_is_checked(gw, tmp_path, encryption):
    path = tmp_path / "auth.json"
    password = "file-pw" if encryption else None
    _auth_of(gw, gw.blob).to_file(path, password=password, encryption=encryption)
    calls = gw.sandbox.state.calls_to("/1.0/library")
    body = {"method": "file", "auth_file": json.loads(path.read_text())}
    if password:
        body["password"] = password
    response = gw.post("/api/auth", body)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "connected"
    assert gw.sandbox.state.calls_to("/1.0/library") == calls + 1  # proved by a real call
    assert gw.library(response.json["auth"]).status_code == 200


def test_importing_a_deregistered_device_asks_to_connect_again(gw, tmp_path):
    auth = _auth_of(gw, gw.connect())
    answer = httpx.post(
        f"{gw.sandbox.url}/auth/deregister",
        json={"deregister_all_existing_accounts": False},
        headers={"x-amz-access-token": auth.access_token, "Host": "api.amazon.com"},
    )
    assert answer.status_code == 200
    response = gw.post("/api/auth", {"method": "file", "auth_file": auth.to_dict()})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "audible_reauth_required"
    assert "Request could not be authenticated" in response.json["error"]["message"]
