"""The HTTP surface without Audible: secret checks, health, JSON errors for everything."""

from __future__ import annotations

import pytest

from audible_gateway import create_app

from .conftest import HEADERS
from .conftest import SECRET
from .conftest import gateway_config

ENDPOINTS = ["/api/auth", "/api/library", "/api/progress/B0TESTASIN", "/api/refresh-token"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-Secret": ""}, {"X-API-Secret": SECRET[:-1]}, {"X-API-Secret": SECRET + "x"}],
    ids=["missing", "empty", "short", "long"],
)
def test_it_refuses_a_missing_or_wrong_secret_without_saying_which(client, path, headers):
    response = client.post(path, json={"method": "external", "locale": "us"}, headers=headers)
    assert response.status_code == 401
    assert response.json == {
        "error": {"code": "invalid_secret", "message": "Missing or wrong API secret."}
    }


def test_the_secret_is_read_from_its_header_only(client):
    response = client.post(
        "/api/auth", json={"method": "external", "locale": "us", "secret": SECRET}
    )
    assert response.status_code == 401


def test_health_needs_no_secret_and_shows_none(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["encryption_keys"] == {"loaded": True, "count": 1}
    assert SECRET not in response.get_data(as_text=True)


def test_health_reports_development_mode():
    app = create_app({"DEBUG": "true"})
    assert app.test_client().get("/health").json["mode"] == "development"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/nowhere", 404, "not_found"),
        ("get", "/api/library", 405, "method_not_allowed"),
        ("post", "/health", 405, "method_not_allowed"),
    ],
)
def test_http_errors_are_json(client, method, path, status, code):
    response = getattr(client, method)(path, headers=HEADERS)
    assert response.status_code == status
    assert response.is_json
    assert response.json["error"]["code"] == code


def test_a_too_large_body_is_413_json(client):
    response = client.post(
        "/api/library",
        data=b'{"auth": "' + b"x" * (1024 * 1024 + 10) + b'"}',
        headers={**HEADERS, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"'])
def test_a_body_that_is_not_an_object_is_a_validation_error(client, body):
    response = client.post(
        "/api/library", data=body, headers={**HEADERS, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_error"
    assert "body" in response.json["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "method"),
        ({"method": "magic"}, "method"),
        ({"method": "external", "locale": "xx"}, "locale"),
        ({"method": "external", "locale": "fr", "with_username": True}, "with_username"),
        ({"method": "external", "locale": "us", "with_username": "yes"}, "with_username"),
        ({"method": "password", "locale": "us", "password": "pw"}, "email"),
        ({"method": "file"}, "auth_file"),
    ],
)
def test_auth_requests_are_validated(client, body, field):
    response = client.post("/api/auth", json=body, headers=HEADERS)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_error"
    assert field in response.json["error"]["fields"]


@pytest.mark.parametrize("blob", [None, "", "garbage", 12, {"a": 1}])
@pytest.mark.parametrize("path", ENDPOINTS[1:])
def test_bad_blobs_are_invalid_auth_blob(client, path, blob):
    response = client.post(path, json={"auth": blob}, headers=HEADERS)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_auth_blob"


def test_a_blob_from_another_deployment_is_refused(client):
    other = create_app(gateway_config(ENCRYPTION_KEY="cd" * 32))
    sealer = other.extensions["audible_gateway"].sealer
    foreign = sealer.seal("audible_auth", {"locale_code": "us"})
    response = client.post("/api/library", json={"auth": foreign}, headers=HEADERS)
    assert response.json["error"]["code"] == "invalid_auth_blob"


def test_a_login_state_is_not_an_auth_blob(client):
    start = client.post(
        "/api/auth", json={"method": "external", "locale": "de"}, headers=HEADERS
    ).json
    assert start["status"] == "login_required"
    assert start["login_url"].startswith("https://www.amazon.de/ap/signin?")
    response = client.post("/api/library", json={"auth": start["state"]}, headers=HEADERS)
    assert response.json["error"]["code"] == "invalid_auth_blob"


def test_progress_checks_the_asin(client, app):
    from .conftest import offline_auth_dict

    blob = app.extensions["audible_gateway"].sealer.seal("audible_auth", offline_auth_dict())
    response = client.post("/api/progress/..%2Fx", json={"auth": blob}, headers=HEADERS)
    assert response.status_code in (400, 404)
    assert response.json["error"]["code"] in ("validation_error", "not_found")
