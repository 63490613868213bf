"""Property-based fuzzing of every operation from the gateway's own OpenAPI document.

Bounded for CI (the whole module stays well under a minute); ``bench/gateway_fuzz.py`` runs
the same harness far longer and prints its counts.
"""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.gateway.conftest import SECRET

from .conftest import in_progress
from .fuzzing import corrupted
from .fuzzing import fuzz_gateway
from .support import Stack

WRONG_SECRETS = {"wrong": SECRET[:-1] + "!", "missing": None}
QUICK = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture(scope="module")
def rotated(sandbox):
    """A gateway on keys "new,old", a blob sealed with each, and a live login state."""
    old = Fernet.generate_key().decode()
    before = Stack(sandbox, keys=old)
    after = Stack(
        sandbox, keys=f"{Fernet.generate_key().decode()},{old}", GATEWAY_RETRY_ATTEMPTS="2"
    )
    return after, before.blob


def test_every_operation_survives_fuzzing_with_real_and_wrong_secrets(rotated, library):
    stack, old_blob = rotated
    real_auth = stack.open_blob(stack.blob)
    report = fuzz_gateway(
        stack.app,
        secrets={"real": SECRET, **WRONG_SECRETS},
        real_values={
            "auth": [stack.blob, old_blob],
            "state": [stack.start_login()["state"]],
            "auth_file": st.one_of(st.just(real_auth), corrupted(real_auth)),
            "asin": [in_progress(library)["asin"], library[0]["asin"]],
        },
        forbidden=[SECRET, *stack.keys.split(",")],
        max_examples=25,
        wrong_secret_examples=4,
    )
    problems = report.server_errors + report.schema_violations + report.leaks
    assert report.clean, report.summary() + "\n" + "\n".join(problems[:10])
    assert report.operations == {
        "POST /api/auth",
        "POST /api/collections",
        "POST /api/deregister",
        "POST /api/library",
        "POST /api/progress/{asin}",
        "POST /api/refresh-token",
        "POST /api/stats",
        "GET /health",
    }
    assert report.examples >= 150
    assert report.substituted > 0
    assert report.statuses[200] > 0  # the real blobs reached Audible (the sandbox)
    assert report.statuses[401] > 0


def test_sealed_but_corrupted_credentials_never_crash_a_route(stack, library):
    """A blob that opens (our key) but holds damaged auth data: a clear answer, never 5xx."""
    real = stack.open_blob(stack.blob)
    paths = ["/api/library", "/api/refresh-token", f"/api/progress/{library[0]['asin']}"]

    @QUICK
    @given(data=corrupted(real), path=st.sampled_from(paths))
    def run(data, path):
        response = stack.post(path, {"auth": stack.sealer.seal("audible_auth", data)})
        assert response.status_code < 500, (path, response.json)
        if response.status_code != 200:
            assert response.json["error"]["code"] in (
                "invalid_auth_blob",
                "refresh_not_possible",
                "audible_reauth_required",
            )

    run()


def test_hand_edited_auth_files_never_crash_the_import(stack):
    real = stack.open_blob(stack.blob)

    @QUICK
    @given(data=corrupted(real))
    def run(data):
        response = stack.post("/api/auth", {"method": "file", "auth_file": data})
        assert response.status_code < 500, response.json
        if response.status_code != 200:
            assert response.json["error"]["code"] in (
                "auth_file_invalid",
                "validation_error",
                "refresh_not_possible",
                "audible_reauth_required",
            )

    run()
