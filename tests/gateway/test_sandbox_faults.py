"""Injected faults surface as the package's real exceptions."""

from __future__ import annotations

import time

import audible
import httpx
import pytest

from audible_gateway.sandbox import SandboxServer
from audible_gateway.sandbox.library_gen import generate_library
from audible_gateway.sandbox.testing import RedirectTransport
from audible_gateway.sandbox.testing import register_authenticator


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(generate_library(300, seed=5)) as server:
        server.auth = register_authenticator(server.url)
        yield server


@pytest.fixture
def api(sandbox):
    sandbox.state.clear_faults()
    with audible.Client(
        sandbox.auth, transport=RedirectTransport(sandbox.url), timeout=2
    ) as client:
        yield client
    sandbox.state.clear_faults()


def arm(sandbox, **spec):
    response = httpx.post(f"{sandbox.url}/__sandbox/faults", json=spec)
    assert response.status_code == 201, response.text
    return response.json()


def test_429_with_retry_after_is_a_ratelimit_error_once(sandbox, api):
    arm(sandbox, path="/1.0/library", status=429, retry_after=7, count=1)
    with pytest.raises(audible.exceptions.RatelimitError) as caught:
        api.get("library", num_results=10)
    assert caught.value.response.headers["Retry-After"] == "7"
    assert api.get("library", num_results=10)["items"]  # count=1: the next call passes


@pytest.mark.parametrize(
    ("status", "exception"),
    [
        (503, audible.exceptions.ServerError),
        (500, audible.exceptions.UnexpectedError),
        (502, audible.exceptions.UnexpectedError),
        (401, audible.exceptions.Unauthorized),
        (403, audible.exceptions.Unauthorized),
    ],
)
def test_server_errors_map_to_the_package_exceptions(sandbox, api, status, exception):
    arm(sandbox, path="/1.0/library", status=status)
    with pytest.raises(exception):
        api.get("library", num_results=10)


def test_failure_on_page_3_only(sandbox, api):
    arm(sandbox, path="/1.0/library", status=500, match_query={"page": "3"})
    assert api.get("library", num_results=50, page=1)["items"]
    assert api.get("library", num_results=50, page=2)["items"]
    with pytest.raises(audible.exceptions.UnexpectedError):
        api.get("library", num_results=50, page=3)
    assert api.get("library", num_results=50, page=3)["items"]  # a retry succeeds


def test_after_calls_skips_the_first_matching_calls(sandbox, api):
    arm(sandbox, path="/1.0/library", status=503, after_calls=2, count=2)
    api.get("library", num_results=5)
    api.get("library", num_results=5)
    for _ in range(2):
        with pytest.raises(audible.exceptions.ServerError):
            api.get("library", num_results=5)
    api.get("library", num_results=5)


def test_delay_beyond_the_client_timeout_is_not_responding(sandbox, api):
    arm(sandbox, path="/1.0/library", delay_s=2.5)
    started = time.perf_counter()
    with pytest.raises(audible.exceptions.NotResponding):
        api.get("library", num_results=5)
    assert time.perf_counter() - started < 2.4


def test_missing_total_count(sandbox, api):
    arm(sandbox, path="/1.0/library", omit_headers=["Total-Count"])
    response = api.get("library", num_results=5, response_callback=lambda resp: resp)
    assert "Total-Count" not in response.headers
    assert response.json()["items"]


def test_auth_token_400_via_a_fault(sandbox):
    arm(sandbox, path="/auth/token", status=400, body={"error": "invalid_grant"})
    response = httpx.post(f"{sandbox.url}/auth/token", data={"source_token": "Atnr|x"})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}


def test_faults_are_counted_listed_and_cleared(sandbox, api):
    arm(sandbox, path="/1.0/library", status=429, count=None)
    for _ in range(3):
        with pytest.raises(audible.exceptions.RatelimitError):
            api.get("library", num_results=5)
    state = httpx.get(f"{sandbox.url}/__sandbox/state").json()
    assert state["faults"][0]["fired"] == 3
    assert state["calls"]["GET /1.0/library"] >= 3
    assert "adp_token" not in str(state)
    assert "Atna|" not in str(state)
    httpx.delete(f"{sandbox.url}/__sandbox/faults")
    assert api.get("library", num_results=5)["items"]


def test_bad_fault_specs_are_refused_with_the_project_error_shape(sandbox):
    for spec in (
        {"status": 429},
        {"path": "/1.0/library"},
        {"path": "/x", "status": 200},
        {"path": "/x", "status": 500, "colour": "red"},
    ):
        response = httpx.post(f"{sandbox.url}/__sandbox/faults", json=spec)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_fault"


def test_python_control_methods_match_the_http_ones(sandbox, api):
    sandbox.state.arm_fault(path="/1.0/annotations", status=503)
    with pytest.raises(audible.exceptions.ServerError):
        api.get("annotations/lastpositions", asins="B000000000")
    sandbox.state.clear_faults()
    assert api.get("annotations/lastpositions", asins="B000000000")
