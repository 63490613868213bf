"""``POST /api/audible/auth`` against the REAL gateway, served over HTTP, talking to the sandbox.

Nothing is mocked: the tracker's gateway client posts to a gateway (``create_app``) served on
a loopback port (``served_gateway``: tests/audible_sync/conftest.py), which logs in through the
unmodified ``audible`` package against an in-process sandbox. The person's browser step is a
plain GET of the sandbox login URL with redirects off; its ``Location`` is what they would
paste back.
"""

from __future__ import annotations

import json
import socket

import audible
import httpx
import pytest
from django.utils import timezone

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library
from tests.support.stack import SECRET
from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.models import AudibleConfig

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sandbox():
    """This module's own library (12 titles), before the served gateway of the conftest."""
    with SandboxServer(generate_library(12, seed=11)) as server:
        yield server


def start_login(api, locale: str = "us") -> dict:
    response = api.post("/api/audible/auth", {"method": "external", "locale": locale})
    assert response.status_code == 200, response.json()
    return response.json()


def browser_landing(login_url: str) -> str:
    """What the person's browser ends on after logging in: the redirect's Location."""
    response = httpx.get(login_url, follow_redirects=False)
    assert response.status_code == 302
    return response.headers["location"]


def connect_external(api, locale: str = "us"):
    start = start_login(api, locale)
    return api.post(
        "/api/audible/auth",
        {
            "method": "external",
            "state": start["state"],
            "redirect_url": browser_landing(start["login_url"]),
        },
        format="json",
    )


def test_external_login_stores_the_sealed_blob_and_never_returns_it(wired, sandbox, api, alice):
    AudibleConfig.objects.create(
        user=alice, needs_relogin=True, consecutive_failures=3, next_sync_at=timezone.now()
    )
    start = start_login(api, "uk")
    assert start["status"] == "login_required"
    assert start["login_url"].startswith(sandbox.url + "/ap/signin?")
    assert set(start) == {"status", "login_url", "state", "expires_in"}

    landing = browser_landing(start["login_url"])
    assert landing.startswith("https://www.amazon.co.uk/ap/maplanding?")
    done = api.post(
        "/api/audible/auth",
        {"method": "external", "state": start["state"], "redirect_url": landing},
        format="json",
    )
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["status"] == "connected"
    assert body["account"]["locale"] == "uk"
    assert body["account"]["customer_name"] == sandbox.state.config.customer_name
    assert set(body) == {"status", "account"}

    config = AudibleConfig.objects.get(user=alice)
    assert config.sealed_auth
    assert config.sealed_auth.encode() not in done.content
    assert config.account["marketplace_id"] == "A2I9A3Q2GNFNGQ"
    assert config.connected_at is not None
    assert (config.needs_relogin, config.consecutive_failures) == (False, 0)
    assert config.next_sync_at is None  # a candidate for cron again
    # The stored blob is the real thing: the gateway opens it and fetches the library with it.
    assert wired.open_blob(config.sealed_auth)["adp_token"]
    library = gateway.fetch_library(config.sealed_auth)
    assert len(library.items) == 12
    # And neither config nor status ever shows it.
    for path in ("/api/audible/config", "/api/audible/status"):
        assert config.sealed_auth.encode() not in api.get(path).content
    assert api.get("/api/audible/status").json()["connection"]["state"] == "connected"


def test_a_login_code_works_once(wired, api):
    start = start_login(api)
    body = {
        "method": "external",
        "state": start["state"],
        "redirect_url": browser_landing(start["login_url"]),
    }
    assert api.post("/api/audible/auth", body, format="json").status_code == 200
    again = api.post("/api/audible/auth", body, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "login_code_rejected"


def test_a_forged_state_passes_the_gateway_code_through(wired, api, alice):
    start = start_login(api)
    response = api.post(
        "/api/audible/auth",
        {
            "method": "external",
            "state": "not-a-state",
            "redirect_url": browser_landing(start["login_url"]),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_login_state"
    assert not AudibleConfig.objects.filter(user=alice).exclude(sealed_auth="").exists()


def test_unknown_marketplace_is_a_validation_error(wired, api):
    response = api.post("/api/audible/auth", {"method": "external", "locale": "xx"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_method_is_checked_before_calling_the_gateway(wired, api):
    response = api.post("/api/audible/auth", {"method": "carrier-pigeon"})
    assert response.status_code == 400
    assert "method" in response.json()["error"]["fields"]


def test_password_login(wired, api, alice):
    response = api.post(
        "/api/audible/auth",
        {"method": "password", "locale": "de", "email": "a@example.com", "password": "pw-123"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["account"]["domain"] == "de"
    assert b"pw-123" not in response.content
    assert AudibleConfig.objects.get(user=alice).account["locale"] == "de"


def exported_auth_file(wired, api, alice) -> dict:
    """An audible-cli style auth file of a device registered through the tracker."""
    assert connect_external(api).status_code == 200
    sealed = AudibleConfig.objects.get(user=alice).sealed_auth
    return audible.Authenticator.from_dict(wired.open_blob(sealed)).to_dict()


def test_auth_file_import(wired, sandbox, api, alice, tmp_path):
    auth = audible.Authenticator.from_dict(exported_auth_file(wired, api, alice))
    path = tmp_path / "auth.json"
    auth.to_file(path, password="file-pw", encryption="json")
    before = AudibleConfig.objects.get(user=alice).sealed_auth
    calls = sandbox.state.calls_to("/1.0/library")

    missing = api.post(
        "/api/audible/auth",
        {"method": "file", "auth_file": json.loads(path.read_text())},
        format="json",
    )
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "auth_file_password_required"

    response = api.post(
        "/api/audible/auth",
        {"method": "file", "auth_file": json.loads(path.read_text()), "password": "file-pw"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "connected"
    assert sandbox.state.calls_to("/1.0/library") == calls + 1  # the gateway proved it works
    assert AudibleConfig.objects.get(user=alice).sealed_auth not in ("", before)


def test_an_auth_file_password_with_spaces_reaches_the_gateway_untrimmed(
    wired, api, alice, tmp_path
):
    auth = audible.Authenticator.from_dict(exported_auth_file(wired, api, alice))
    path = tmp_path / "auth.json"
    auth.to_file(path, password="  spaced pw ", encryption="json")
    body = {"method": "file", "auth_file": json.loads(path.read_text()), "password": "  spaced pw "}
    response = api.post("/api/audible/auth", body, format="json")
    assert response.status_code == 200, response.json()


def test_audible_rate_limit_passes_through_with_retry_after(wired, sandbox, api, alice):
    auth_file = exported_auth_file(wired, api, alice)
    sandbox.state.arm_fault(path="/1.0/library", status=429, count=None, retry_after=90)
    body = {"method": "file", "auth_file": auth_file}
    response = api.post("/api/audible/auth", body, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "audible_rate_limited"
    assert response.json()["error"]["retry_after"] == 90
    assert response["Retry-After"] == "90"


def test_gateway_down_is_503(settings, api):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.AUDIBLE_SERVICE_URL = f"http://127.0.0.1:{port}"
    settings.AUDIBLE_API_SECRET = SECRET
    settings.AUDIBLE_GATEWAY_RETRY_ATTEMPTS = 1
    response = api.post("/api/audible/auth", {"method": "external", "locale": "us"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "gateway_unreachable"


def test_wrong_shared_secret_is_our_fault_not_the_callers(wired, settings, api):
    settings.AUDIBLE_API_SECRET = "not-the-secret-the-gateway-expects-000"
    response = api.post("/api/audible/auth", {"method": "external", "locale": "us"})
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "gateway_misconfigured"
    assert "not-the-secret" not in response.content.decode()


def test_other_people_are_untouched(wired, api, alice, bob):
    AudibleConfig.objects.create(user=bob, sealed_auth="bobs-blob")
    assert connect_external(api).status_code == 200
    assert AudibleConfig.objects.get(user=bob).sealed_auth == "bobs-blob"
    assert AudibleConfig.objects.get(user=alice).sealed_auth != "bobs-blob"
