"""The OpenAPI document is served, complete, and true: real answers of every route, success
and failure, validate against the schema documented for their status."""

from __future__ import annotations

import json
import time

import audible
import httpx
import jsonschema
import pytest

from audible_gateway import create_app
from audible_gateway.openapi import openapi_document
from tests.gateway.conftest import SECRET
from tests.gateway.conftest import gateway_config
from tests.gateway.fake_amazon import FakeAmazon

from .conftest import in_progress
from .support import HEADERS
from .support import assert_documented

FILE_PASSWORD = "file-password-for-openapi-test"


def _check(response, method: str, path: str, status: int, code: str | None = None):
    """The answer has the expected status (and error code), and it is documented."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.json
    if code is not None:
        assert body["error"]["code"] == code
    assert_documented(method, path, status, body, response.headers)
    return body


def test_the_document_is_served_without_a_secret_and_is_well_formed(client_plain):
    response = client_plain.get("/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc == json.loads(json.dumps(openapi_document()))
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["ApiSecret"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Secret",
    }
    for schema in doc["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    text = response.get_data(as_text=True)
    assert SECRET not in text
    assert "gAAAA" not in text  # no sealed token of any kind


def test_every_route_is_documented_and_every_documented_route_exists(client_plain):
    app = client_plain.application
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((method.lower(), path))
    documented = {
        (method, path)
        for path, operations in openapi_document()["paths"].items()
        for method in operations
    }
    assert served == documented


def test_api_operations_need_the_secret_and_public_ones_do_not():
    for path, operations in openapi_document()["paths"].items():
        for operation in operations.values():
            if path.startswith("/api/"):
                assert operation["security"] == [{"ApiSecret": []}], path
                assert "401" in operation["responses"]
            else:
                assert operation["security"] == [], path


@pytest.fixture(scope="module")
def client_plain():
    return create_app(gateway_config()).test_client()


def test_health_and_openapi_answers_conform(client_plain):
    _check(client_plain.get("/health"), "GET", "/health", 200)
    assert client_plain.get("/openapi.json").status_code == 200


def test_auth_answers_conform(stack, sandbox):
    post = stack.post
    path = "/api/auth"
    start = _check(post(path, {"method": "external", "locale": "uk"}), "POST", path, 200)
    landing = httpx.get(start["login_url"]).headers["location"]
    finish = {"method": "external", "state": start["state"], "redirect_url": landing}
    _check(post(path, finish), "POST", path, 200)
    _check(post(path, finish), "POST", path, 400, "login_code_rejected")  # codes are single-use
    _check(post(path, {**finish, "state": "gAAAAAbogus"}), "POST", path, 400, "invalid_login_state")
    _check(post(path, {"method": "magic"}), "POST", path, 400, "validation_error")
    _check(post(path, {}, headers={}), "POST", path, 401, "invalid_secret")

    real = stack.open_blob(stack.blob)
    _check(post(path, {"method": "file", "auth_file": real}), "POST", path, 200)
    encrypted = _encrypted_file(real)
    file_body = {"method": "file", "auth_file": encrypted}
    _check(post(path, {**file_body, "password": FILE_PASSWORD}), "POST", path, 200)
    _check(post(path, file_body), "POST", path, 400, "auth_file_password_required")
    _check(
        post(path, {**file_body, "password": "nope"}), "POST", path, 400, "auth_file_password_wrong"
    )
    _check(
        post(path, {"method": "file", "auth_file": {"x": 1}}),
        "POST",
        path,
        400,
        "auth_file_invalid",
    )
    bearer_only = {**real, "adp_token": None, "device_private_key": None, "refresh_token": None}
    bearer_only["expires"] = time.time() + 60  # inside the refresh margin, nothing to refresh with
    _check(
        post(path, {"method": "file", "auth_file": bearer_only}),
        "POST",
        path,
        400,
        "refresh_not_possible",
    )
    sandbox.state.arm_fault(path="/1.0/library", status=403)
    _check(post(path, {"method": "file", "auth_file": real}), "POST", path, 403)


def _encrypted_file(data: dict, tmp=None) -> dict:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "auth.json"
        audible.Authenticator.from_dict(dict(data)).to_file(
            target, password=FILE_PASSWORD, encryption="json"
        )
        return json.loads(target.read_text())


def test_password_login_answers_conform():
    with FakeAmazon() as amazon:
        client = create_app(gateway_config(AUDIBLE_SANDBOX_URL=amazon.url)).test_client()
        path = "/api/auth"

        def login(email: str, **extra):
            body = {"method": "password", "locale": "us", "email": email, "password": "pw"}
            return client.post(path, json={**body, **extra}, headers=HEADERS)

        _check(login("captcha@example.com"), "POST", path, 409, "captcha_required")
        _check(login("otp@example.com"), "POST", path, 409, "otp_required")
        _check(login("otp@example.com", otp_code="000000"), "POST", path, 422, "otp_rejected")
        _check(login("wrong@example.com"), "POST", path, 422, "login_failed")


def test_library_answers_conform(stack, sandbox):
    path = "/api/library"
    body = _check(stack.library(), "POST", path, 200)
    assert len(body["items"]) == 40
    _check(stack.library("gAAAAAbogus"), "POST", path, 400, "invalid_auth_blob")
    _check(stack.library(include_revoked="yes"), "POST", path, 400, "validation_error")
    _check(stack.post(path, {"auth": stack.blob}, headers={}), "POST", path, 401)
    failures = [
        ({"status": 403}, 403, "audible_reauth_required"),
        ({"status": 429, "retry_after": 30, "count": None}, 429, "audible_rate_limited"),
        ({"status": 400, "body": {"message": "Something odd"}}, 502, "audible_bad_response"),
        ({"status": 503, "count": None}, 503, "audible_unavailable"),
    ]
    for fault, status, code in failures:
        sandbox.state.clear_faults()
        sandbox.state.arm_fault(path="/1.0/library", **fault)
        answer = _check(stack.library(), "POST", path, status, code)
        if status == 429:
            assert answer["error"]["retry_after"] == 30


def test_progress_answers_conform(stack, sandbox, library):
    asin = in_progress(library)["asin"]
    path = f"/api/progress/{asin}"
    body = _check(stack.post(path, {"auth": stack.blob}), "POST", path, 200)
    assert body["asin"] == asin
    missing = "/api/progress/B000NOPE00"
    _check(stack.post(missing, {"auth": stack.blob}), "POST", missing, 404, "title_not_found")
    odd = "/api/progress/B0-BAD"
    _check(stack.post(odd, {"auth": stack.blob}), "POST", odd, 400, "validation_error")
    _check(stack.post(path, {"auth": 5}), "POST", path, 400, "invalid_auth_blob")
    sandbox.state.arm_fault(path="/1.0/library", status=503, count=None)
    _check(stack.post(path, {"auth": stack.blob}), "POST", path, 503, "audible_unavailable")


def test_refresh_answers_conform(stack, sandbox):
    path = "/api/refresh-token"
    body = _check(stack.post(path, {"auth": stack.blob}), "POST", path, 200)
    assert body["expires_at"]
    no_refresh = stack.sealer.seal(
        "audible_auth", {**stack.open_blob(stack.blob), "refresh_token": None}
    )
    _check(stack.post(path, {"auth": no_refresh}), "POST", path, 400, "refresh_not_possible")
    sandbox.state.set_refresh_mode("invalid_grant")
    _check(stack.post(path, {"auth": stack.blob}), "POST", path, 403, "audible_reauth_required")
    sandbox.state.set_refresh_mode("normal")
    sandbox.state.arm_fault(path="/auth/token", status=500, count=None)
    _check(stack.post(path, {"auth": stack.blob}), "POST", path, 503, "audible_unavailable")


def test_http_level_errors_conform(stack):
    path = "/api/library"
    big = b'{"auth": "' + b"x" * (1024 * 1024) + b'"}'
    too_big = stack.client.post(
        path, data=big, headers={**HEADERS, "Content-Type": "application/json"}
    )
    _check(too_big, "POST", path, 413, "payload_too_large")
    text = stack.client.post(
        path, data=b"auth=x", headers={**HEADERS, "Content-Type": "text/plain"}
    )
    _check(text, "POST", path, 415, "unsupported_media_type")
