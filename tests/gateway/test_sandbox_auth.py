"""Amazon identity endpoints and request authentication, driven by the unmodified package."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import audible
import httpx
import pytest
from audible.login import build_oauth_url
from audible.login import create_code_verifier
from cryptography.hazmat.primitives import serialization

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.data import DATA_DIR
from audible_gateway.sandbox.signing import parse_signed_headers
from audible_gateway.sandbox.signing import verify_signature
from audible_gateway.sandbox.testing import RedirectTransport
from audible_gateway.sandbox.testing import audible_identity_via
from audible_gateway.sandbox.testing import register_authenticator


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer() as server:
        yield server


@pytest.fixture
def auth(sandbox):
    sandbox.state.clear_faults()
    sandbox.state.set_refresh_mode("normal")
    return register_authenticator(sandbox.url)


def client(auth, sandbox, **kwargs):
    return audible.Client(auth, transport=RedirectTransport(sandbox.url), **kwargs)


def login_code(sandbox, country="us"):
    verifier = create_code_verifier()
    domain, market = {"us": ("com", "AF2M0KC94RCEA"), "de": ("de", "AN7V1F1VY261K")}[country]
    url, serial = build_oauth_url(country, domain, market, verifier)
    parts = urlsplit(url)
    landing = httpx.get(f"{sandbox.url}{parts.path}?{parts.query}", follow_redirects=False)
    return landing, verifier, serial


def test_login_get_redirects_to_maplanding_with_a_code_for_the_marketplace(sandbox):
    landing, _, _ = login_code(sandbox, "de")
    assert landing.status_code == 302
    location = urlsplit(landing.headers["location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "www.amazon.de",
        "/ap/maplanding",
    )
    assert parse_qs(location.query)["openid.oa2.authorization_code"][0]


def test_register_returns_tokens_the_package_accepts(sandbox, auth):
    assert auth.adp_token.endswith("{serial:Mg==}")
    assert auth.access_token.startswith("Atna|")
    assert auth.refresh_token.startswith("Atnr|")
    assert auth.device_private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    key = serialization.load_pem_private_key(auth.device_private_key.encode(), None)
    assert key.key_size == 2048
    assert auth.customer_info["name"] == sandbox.state.config.customer_name
    assert auth.device_info["device_type"] == "A2CZJZGLK2JJVM"
    assert auth.website_cookies
    assert auth.store_authentication_cookie
    assert auth.access_token_expires.total_seconds() > 3500
    # A round trip through to_dict/from_dict (what the gateway seals) keeps working.
    again = audible.Authenticator.from_dict(auth.to_dict())
    with client(again, sandbox) as api:
        assert api.get("library", num_results=1)["items"]


def test_each_device_gets_its_own_key(sandbox, auth):
    other = register_authenticator(sandbox.url)
    assert other.device_private_key != auth.device_private_key
    assert other.adp_token != auth.adp_token


def test_an_authorization_code_works_once_and_needs_the_right_verifier(sandbox):
    landing, verifier, serial = login_code(sandbox)
    code = parse_qs(urlsplit(landing.headers["location"]).query)["openid.oa2.authorization_code"][0]
    with audible_identity_via(sandbox.url):
        with pytest.raises(Exception, match="InvalidValue"):
            audible.register.register(code, create_code_verifier(), "com", serial)
        # the failed attempt did not use the code up; the right verifier registers once
        assert audible.register.register(code, verifier, "com", serial)["adp_token"]
        with pytest.raises(Exception, match="already used"):
            audible.register.register(code, verifier, "com", serial)
        with pytest.raises(Exception, match="invalid"):
            audible.register.register("NotIssuedBySandbox", verifier, "com", serial)


def test_signed_requests_verify_and_a_tampered_signature_is_refused(sandbox, auth):
    with client(auth, sandbox) as api:
        page = api.get("library", num_results=2, response_groups="product_desc")
        assert len(page["items"]) == 2

    def tamper(request: httpx.Request) -> None:
        signature, date = request.headers["x-adp-signature"].split(":", 1)
        raw = bytearray(base64.b64decode(signature))
        raw[10] ^= 0xFF
        request.headers["x-adp-signature"] = base64.b64encode(bytes(raw)).decode() + ":" + date

    with (
        client(auth, sandbox, event_hooks={"request": [tamper]}) as api,
        pytest.raises(audible.exceptions.Unauthorized) as caught,
    ):
        api.get("library", num_results=2)
    assert caught.value.error == "Request could not be authenticated"
    assert caught.value.code == 403


def test_signature_covers_the_raw_query_as_sent(sandbox, auth):
    """audible-cli sends ``%2C+``; the sandbox must verify the query exactly as received."""
    groups = "product_desc, contributors, series"
    with client(auth, sandbox) as api:
        page = api.get("library", num_results=3, response_groups=groups)
    assert page["response_groups"] == ["always-returned", "contributors", "product_desc", "series"]

    def change_query(request: httpx.Request) -> None:
        request.url = request.url.copy_with(query=b"num_results=4")

    with (
        client(auth, sandbox, event_hooks={"request": [change_query]}) as api,
        pytest.raises(audible.exceptions.Unauthorized),
    ):
        api.get("library", num_results=3)


def test_requests_without_credentials_are_refused(sandbox):
    response = httpx.get(f"{sandbox.url}/1.0/library", headers={"Host": "api.audible.com"})
    assert response.status_code == 403
    assert response.json() == {"message": "Request could not be authenticated"}
    bad = httpx.get(f"{sandbox.url}/1.0/library", headers={"x-amz-access-token": "Atna|nope"})
    assert bad.status_code == 403


def test_bearer_access_token_works_until_it_expires(sandbox, auth):
    bearer = audible.Authenticator.from_dict(
        {
            "access_token": auth.access_token,
            "refresh_token": auth.refresh_token,
            "expires": auth.expires,
            "locale_code": "us",
        }
    )
    with client(bearer, sandbox) as api:
        assert api.get("library", num_results=1)["items"]
        sandbox.state.expire_access_tokens()
        with pytest.raises(audible.exceptions.Unauthorized):
            api.get("library", num_results=1)


def test_refresh_issues_a_new_access_token(sandbox, auth):
    old = auth.access_token
    with audible_identity_via(sandbox.url):
        auth.refresh_access_token(force=True)
    assert auth.access_token != old
    assert auth.access_token.startswith("Atna|")
    assert sandbox.state.device_for_access_token(auth.access_token) is not None


def test_refresh_answering_only_actor_access_token_breaks_the_package(sandbox, auth):
    sandbox.state.set_refresh_mode("actor_access_token")
    with audible_identity_via(sandbox.url), pytest.raises(KeyError, match="access_token"):
        auth.refresh_access_token(force=True)
    response = httpx.post(
        f"{sandbox.url}/auth/token",
        data={"source_token": auth.refresh_token, "requested_token_type": "access_token"},
    )
    assert set(response.json()) == {"actor_access_token", "token_type", "expires_in"}


def test_refresh_with_an_unknown_token_is_invalid_grant(sandbox, auth):
    auth.refresh_token = "Atnr|not-a-real-token"
    with audible_identity_via(sandbox.url), pytest.raises(httpx.HTTPStatusError) as caught:
        auth.refresh_access_token(force=True)
    assert caught.value.response.status_code == 400
    assert caught.value.response.json()["error"] == "invalid_grant"


def test_refresh_mode_invalid_grant_and_the_control_endpoint(sandbox, auth):
    assert (
        httpx.post(f"{sandbox.url}/__sandbox/refresh-mode", json={"mode": "x"}).status_code == 400
    )
    httpx.post(f"{sandbox.url}/__sandbox/refresh-mode", json={"mode": "invalid_grant"})
    with audible_identity_via(sandbox.url), pytest.raises(httpx.HTTPStatusError):
        auth.refresh_access_token(force=True)


def test_deregistered_device_is_refused(sandbox, auth):
    with audible_identity_via(sandbox.url):
        assert auth.deregister_device()["response"] == {"success": {}}
    with client(auth, sandbox) as api, pytest.raises(audible.exceptions.Unauthorized) as caught:
        api.get("library", num_results=1)
    assert caught.value.error == "Request could not be authenticated"
    with audible_identity_via(sandbox.url), pytest.raises(httpx.HTTPStatusError):
        auth.refresh_access_token(force=True)
    devices = sandbox.state.snapshot()["devices"]
    assert any(not d["active"] for d in devices)


def test_user_profile(sandbox, auth):
    with audible_identity_via(sandbox.url):
        profile = auth.user_profile()
    assert profile["user_id"] == sandbox.state.customer_id
    assert profile["name"] == sandbox.state.config.customer_name


def test_signing_vectors_verify_with_the_sandbox_verifier():
    vectors = json.loads((DATA_DIR / "signing_vectors.audible-rs.json").read_text())
    key = serialization.load_pem_private_key(vectors["device_private_key"].encode(), None)
    public = key.public_key()
    assert vectors["cases"]
    for case in vectors["cases"]:
        headers = case["expected_headers"]
        assert headers["x-adp-alg"] == "SHA256withRSA:1.0"
        signed = parse_signed_headers(headers["x-adp-token"], headers["x-adp-signature"])
        assert signed is not None
        assert signed.adp_token == vectors["adp_token"]
        body = case["body"].encode()
        assert verify_signature(public, case["method"], case["path"], body, signed), case["name"]
        # and anything else than what was signed fails
        assert not verify_signature(public, case["method"], case["path"] + "x", body, signed)
        assert not verify_signature(public, "PATCH", case["path"], body, signed)


def test_signatures_older_than_the_allowed_clock_skew_are_refused(sandbox, auth):
    sandbox.state.config.max_clock_skew_s = 0.0
    try:
        with client(auth, sandbox) as api, pytest.raises(audible.exceptions.Unauthorized):
            api.get("library", num_results=1)
    finally:
        sandbox.state.config.max_clock_skew_s = 900.0
    with client(auth, sandbox) as api:
        assert api.get("library", num_results=1)["items"]
