"""Hostile and broken requests: each gets a clear JSON error with a stable code, never a 500,
and never an echo of what was sent."""

from __future__ import annotations

import json
import time

import pytest
from cryptography.fernet import Fernet

from audible_gateway import create_app
from audible_gateway.config import ConfigError
from audible_gateway.request_body import MAX_DEPTH
from tests.gateway.conftest import gateway_config

from .support import HEADERS
from .support import assert_documented

JSON = {**HEADERS, "Content-Type": "application/json"}
ROUTES = [
    "/api/auth",
    "/api/deregister",
    "/api/library",
    "/api/progress/B0TESTASIN",
    "/api/refresh-token",
    "/api/stats",
]
MiB = 1024 * 1024


def _raw(client, path: str, data: bytes, headers: dict[str, str] | None = None):
    return client.post(path, data=data, headers=JSON if headers is None else headers)


def _error(response, status: int, code: str, path: str = "/api/library") -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.json
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert_documented("POST", path, status, body)
    return body["error"]


@pytest.fixture(scope="module")
def client():
    return create_app(gateway_config()).test_client()


# ----------------------------------------------------------------------------- size
@pytest.mark.parametrize("path", ROUTES)
def test_a_body_over_one_mib_is_payload_too_large(client, path):
    body = b'{"auth": "' + b"A" * MiB + b'"}'
    error = _error(_raw(client, path, body), 413, "payload_too_large", path)
    assert str(MiB) in error["message"]


def test_a_body_just_under_the_limit_is_read(client):
    body = b'{"auth": "' + b"A" * (MiB - 100) + b'"}'
    response = _raw(client, "/api/library", body)
    _error(response, 400, "invalid_auth_blob")
    assert len(response.get_data()) < 1000  # the 1 MiB value is not echoed


def test_the_limit_is_tunable_by_environment():
    small = create_app(gateway_config(GATEWAY_MAX_BODY_BYTES="65536")).test_client()
    body = json.dumps({"auth": "A" * 70_000}).encode()
    error = _error(_raw(small, "/api/library", body), 413, "payload_too_large")
    assert "65536" in error["message"]
    with pytest.raises(ConfigError, match="GATEWAY_MAX_BODY_BYTES"):
        create_app(gateway_config(GATEWAY_MAX_BODY_BYTES="100"))
    with pytest.raises(ConfigError, match="GATEWAY_MAX_BODY_BYTES"):
        create_app(gateway_config(GATEWAY_MAX_BODY_BYTES="lots"))


def test_a_streamed_body_without_length_is_limited_too():
    """No Content-Length (chunked upload): the limit still holds while reading."""
    import io

    small = create_app(gateway_config(GATEWAY_MAX_BODY_BYTES="65536"))
    stream = io.BytesIO(b'{"auth": "' + b"A" * 200_000 + b'"}')
    with small.test_request_context(
        "/api/library",
        method="POST",
        input_stream=stream,
        headers={**HEADERS, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn sets for chunked bodies
    ):
        response = small.full_dispatch_request()
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


# ----------------------------------------------------------------------------- shape
@pytest.mark.parametrize("kind", ["arrays", "objects"])
def test_deeply_nested_json_is_refused_not_a_recursion_error(client, kind):
    for depth in (MAX_DEPTH + 1, 100_000):
        opening, closing = (b"[", b"]") if kind == "arrays" else (b'{"a":', b"}")
        body = b'{"auth":' + opening * depth + b"1" + closing * depth + b"}"
        error = _error(_raw(client, "/api/library", body), 400, "validation_error")
        assert error["fields"] == {"body": f"nests deeper than {MAX_DEPTH} levels"}


def test_nesting_up_to_the_limit_is_fine(client):
    body = b'{"auth":' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"}"
    _error(_raw(client, "/api/library", body), 400, "invalid_auth_blob")


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "text/json",
    ],
)
@pytest.mark.parametrize("path", ROUTES)
def test_a_body_not_sent_as_json_is_unsupported_media_type(client, path, content_type):
    headers = dict(HEADERS)
    if content_type:
        headers["Content-Type"] = content_type
    _error(_raw(client, path, b'{"auth": "x"}', headers), 415, "unsupported_media_type", path)


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/vnd.api+json"]
)
def test_json_content_types_with_parameters_or_suffix_are_read(client, content_type):
    response = _raw(
        client, "/api/library", b'{"auth": "x"}', {**HEADERS, "Content-Type": content_type}
    )
    _error(response, 400, "invalid_auth_blob")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"auth": "\xff\xfe"}', "is not UTF-8"),
        ('{"auth": "x"}'.encode("utf-16"), "is not UTF-8"),
        (b'{"auth": "x"', "is not valid JSON"),
        (b'{"auth": NaN}', "is not valid JSON"),
        (b'{"auth": Infinity}', "is not valid JSON"),
        (b"", "must be a JSON object"),
        (b"[]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
        (b"42", "must be a JSON object"),
        (b"null", "must be a JSON object"),
        (b"true", "must be a JSON object"),
    ],
)
@pytest.mark.parametrize("path", ROUTES)
def test_broken_bodies_say_what_is_wrong(client, path, data, reason):
    error = _error(_raw(client, path, data), 400, "validation_error", path)
    assert error["fields"] == {"body": reason}


# ----------------------------------------------------------------------------- huge fields
HUGE = "Z" * 900_000


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/library", {"auth": HUGE}),
        ("/api/refresh-token", {"auth": HUGE}),
        ("/api/progress/B0TESTASIN", {"auth": HUGE}),
        ("/api/auth", {"method": HUGE}),
        ("/api/auth", {"method": "external", "locale": HUGE}),
        ("/api/auth", {"method": "external", "state": HUGE, "redirect_url": HUGE}),
        ("/api/auth", {"method": "file", "auth_file": HUGE}),
        ("/api/auth", {"method": "file", "auth_file": {"adp_token": HUGE, "locale_code": "us"}}),
        ("/api/auth", {"method": "file", "auth_file": "e30=", "password": HUGE}),
        ("/api/auth", {"method": "password", "locale": HUGE, "email": HUGE, "password": HUGE}),
    ],
)
def test_huge_strings_in_fields_get_a_short_error_that_echoes_nothing(client, path, body):
    response = client.post(path, json=body, headers=HEADERS)
    assert 400 <= response.status_code < 500
    assert_documented("POST", path, response.status_code, response.json)
    assert len(response.get_data()) < 2000
    assert "ZZZZ" not in response.get_data(as_text=True)


def test_a_huge_asin_in_the_path_is_refused(client):
    blob = client.application.extensions["audible_gateway"].sealer.seal(
        "audible_auth", {"locale_code": "us"}
    )
    path = "/api/progress/" + "B" * 20_000
    response = client.post(path, json={"auth": blob}, headers=HEADERS)
    assert response.status_code == 400
    assert len(response.get_data()) < 2000


# ----------------------------------------------------------------------------- blobs
def _blob_variants(client) -> dict[str, object]:
    sealer = client.application.extensions["audible_gateway"].sealer
    good = sealer.seal("audible_auth", {"locale_code": "us", "access_token": "Atna|x"})
    foreign = Fernet(Fernet.generate_key())
    key = gateway_config()["ENCRYPTION_KEY"]
    ours = Fernet(key.encode())
    flipped = good[:40] + ("A" if good[40] != "A" else "B") + good[41:]
    return {
        "foreign key": foreign.encrypt(
            json.dumps({"v": 1, "kind": "audible_auth", "data": {}}).encode()
        ).decode(),
        "truncated": good[:-12],
        "one character changed": flipped,
        "cut in half": good[: len(good) // 2],
        "with a newline inside": good[:30] + "\n" + good[30:],
        "non-ascii": good[:-3] + "é€😀",
        "not JSON inside": ours.encrypt(b"\x00\x01 not json").decode(),
        "JSON array inside": ours.encrypt(b"[1, 2]").decode(),
        "another kind": sealer.seal("external_login_state", {"locale": "us"}),
        "data not an object": ours.encrypt(b'{"v":1,"kind":"audible_auth","data":[1]}').decode(),
        "no marketplace": sealer.seal("audible_auth", {"access_token": "Atna|x"}),
        "unknown marketplace": sealer.seal(
            "audible_auth", {"locale_code": "zz", "access_token": "Atna|x"}
        ),
        "no credentials": sealer.seal("audible_auth", {"locale_code": "us"}),
        "not base64": "%%%%not-a-token%%%%",
        "empty": "",
        "number": 12345,
        "list": [good],
        "object": {"auth": good},
    }


@pytest.mark.parametrize("path", ROUTES[1:])
def test_every_broken_blob_is_invalid_auth_blob(client, path):
    for name, blob in _blob_variants(client).items():
        response = client.post(path, json={"auth": blob}, headers=HEADERS)
        assert response.status_code == 400, name
        assert response.json["error"]["code"] == "invalid_auth_blob", name
        assert_documented("POST", path, 400, response.json)


def test_broken_and_expired_login_states_are_invalid_login_state():
    app = create_app(gateway_config(GATEWAY_LOGIN_STATE_TTL_S="60"))
    client = app.test_client()
    start = client.post(
        "/api/auth", json={"method": "external", "locale": "us"}, headers=HEADERS
    ).json
    key = Fernet(gateway_config()["ENCRYPTION_KEY"].encode())
    payload = key.decrypt(start["state"].encode())
    expired = key.encrypt_at_time(payload, int(time.time()) - 3600).decode()
    auth_blob = app.extensions["audible_gateway"].sealer.seal("audible_auth", {"locale_code": "us"})
    url = "https://www.amazon.com/ap/maplanding?openid.oa2.authorization_code=ANxyz"
    for state in (expired, start["state"][:-5], auth_blob, "x"):
        response = client.post(
            "/api/auth",
            json={"method": "external", "state": state, "redirect_url": url},
            headers=HEADERS,
        )
        _error(response, 400, "invalid_login_state", "/api/auth")
