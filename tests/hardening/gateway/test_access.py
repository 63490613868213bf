"""Access: every /api route refuses a request without the right secret with one identical
answer (no hint whether the header was missing or wrong, nor whether the body was valid);
/health and /openapi.json need no secret and show none."""

from __future__ import annotations

import pytest

from audible_gateway import create_app
from tests.gateway.conftest import KEY
from tests.gateway.conftest import SECRET
from tests.gateway.conftest import gateway_config

REFUSAL = {"error": {"code": "invalid_secret", "message": "Missing or wrong API secret."}}


@pytest.fixture(scope="module")
def app():
    return create_app(gateway_config())


def _api_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) under /api, read from the app itself so new routes are covered."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<asin>", "B0TESTASIN")
            assert "<" not in path, f"give {rule.rule} a sample value here"
            routes += [(m, path) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_the_api_has_the_routes_this_suite_expects(app):
    assert {path for _, path in _api_routes(app)} == {
        "/api/auth",
        "/api/collections",
        "/api/deregister",
        "/api/library",
        "/api/progress/B0TESTASIN",
        "/api/refresh-token",
        "/api/stats",
    }


WRONG = {
    "missing": {},
    "empty": {"X-API-Secret": ""},
    "one character short": {"X-API-Secret": SECRET[:-1]},
    "one character more": {"X-API-Secret": SECRET + "0"},
    "other case": {"X-API-Secret": SECRET.upper()},
    "padded": {"X-API-Secret": f" {SECRET} "},
    "as a bearer token": {"Authorization": f"Bearer {SECRET}"},
    "in another header": {"X-Api-Key": SECRET},
    "the encryption key": {"X-API-Secret": KEY},
    "non-ascii": {"X-API-Secret": "sécrèt-ünïcode-valüe-0123456789"},
}


@pytest.mark.parametrize("how", list(WRONG))
def test_every_api_route_refuses_alike_without_the_right_secret(app, how):
    client = app.test_client()
    reference = None
    for method, path in _api_routes(app):
        response = client.open(
            path, method=method, json={"auth": "x", "method": "external"}, headers=WRONG[how]
        )
        assert response.status_code == 401, (how, path)
        assert response.json == REFUSAL
        fingerprint = (response.get_data(), sorted((k, v) for k, v in response.headers.items()))
        reference = reference or fingerprint
        assert fingerprint == reference, (how, path)  # byte-identical, headers included


def test_missing_and_wrong_secrets_get_byte_identical_answers(app):
    client = app.test_client()
    answers = set()
    for headers in WRONG.values():
        response = client.post("/api/library", json={"auth": "x"}, headers=headers)
        answers.add((response.status_code, response.get_data(), tuple(sorted(response.headers))))
    assert len(answers) == 1


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"not json", "application/json"),
        (b'{"auth": "x"}', "text/plain"),
        (b"[" * 10_000, "application/json"),
        (b"x" * (2 * 1024 * 1024), "application/json"),
    ],
    ids=["bad json", "wrong type", "deep", "too large"],
)
def test_the_secret_is_checked_before_the_body_is_looked_at(app, data, content_type):
    response = app.test_client().post(
        "/api/library", data=data, headers={"Content-Type": content_type}
    )
    assert response.status_code == 401
    assert response.json == REFUSAL


def test_the_secret_is_only_read_from_its_header(app):
    client = app.test_client()
    by_query = client.post(f"/api/library?secret={SECRET}&X-API-Secret={SECRET}", json={})
    by_body = client.post("/api/library", json={"auth": "x", "X-API-Secret": SECRET})
    by_cookie = client.post("/api/library", json={}, headers={"Cookie": f"X-API-Secret={SECRET}"})
    for response in (by_query, by_body, by_cookie):
        assert response.status_code == 401
        assert response.json == REFUSAL


def test_the_right_secret_is_accepted_whatever_the_header_name_case(app):
    response = app.test_client().post(
        "/api/library", json={"auth": "x"}, headers={"x-api-secret": SECRET}
    )
    assert response.status_code == 400  # past the secret, stopped by the blob
    assert response.json["error"]["code"] == "invalid_auth_blob"


@pytest.mark.parametrize("path", ["/health", "/openapi.json"])
@pytest.mark.parametrize("headers", [{}, {"X-API-Secret": "wrong"}, {"X-API-Secret": SECRET}])
def test_public_routes_need_no_secret_and_show_none(app, path, headers):
    response = app.test_client().get(path, headers=headers)
    assert response.status_code == 200
    text = response.get_data(as_text=True) + str(response.headers)
    assert SECRET not in text
    assert KEY not in text
    assert KEY[:20] not in text
    assert "gAAAAA" not in text  # no sealed token either


def test_health_says_nothing_about_the_secret_even_in_development_mode():
    dev = create_app({"DEBUG": "true"})
    secret = dev.extensions["audible_gateway"].config.api_secret
    text = dev.test_client().get("/health").get_data(as_text=True)
    assert secret not in text
    assert dev.test_client().post("/api/library", json={}).status_code == 401
