"""Key rotation end to end: seal with key A, rotate to "B,A", the old blob still opens and
the answer carries a blob re-sealed with B that no longer needs A."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from audible_gateway.sealing import Sealer
from audible_gateway.sealing import SealError
from audible_gateway.sealing import parse_keys

from .conftest import in_progress
from .support import Stack

KEY_A = "3c" * 32  # the 64-hex form the original deployment docs used
KEY_B = Fernet.generate_key().decode()


def _only(key: str) -> Sealer:
    return Sealer(parse_keys(key))


@pytest.fixture(scope="module")
def blob_a(sandbox) -> tuple[Stack, str]:
    before = Stack(sandbox, keys=KEY_A)
    return before, before.blob


@pytest.fixture(scope="module")
def rotated(sandbox) -> Stack:
    return Stack(sandbox, keys=f"{KEY_B},{KEY_A}", connect=False)


def test_the_old_blob_opens_and_comes_back_sealed_with_the_new_key(blob_a, rotated):
    before, old_blob = blob_a
    answer = rotated.library(old_blob)
    assert answer.status_code == 200
    new_blob = answer.json["auth"]
    assert new_blob is not None
    assert _only(KEY_B).open(new_blob, "audible_auth").data == before.open_blob(old_blob)
    with pytest.raises(SealError):
        _only(KEY_A).open(new_blob, "audible_auth")
    # under the new key alone, the new blob works and needs no further re-sealing
    after = Stack(rotated.sandbox, keys=KEY_B, connect=False)
    again = after.library(new_blob)
    assert again.status_code == 200
    assert again.json["auth"] is None
    refused = after.library(old_blob)
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "invalid_auth_blob"


def test_progress_and_refresh_also_hand_back_a_re_sealed_blob(blob_a, rotated, library):
    _, old_blob = blob_a
    asin = in_progress(library)["asin"]
    progress = rotated.post(f"/api/progress/{asin}", {"auth": old_blob}).json
    assert _only(KEY_B).open(progress["auth"], "audible_auth").stale is False
    refreshed = rotated.post("/api/refresh-token", {"auth": old_blob}).json
    assert _only(KEY_B).open(refreshed["auth"], "audible_auth").stale is False


def test_a_blob_already_on_the_newest_key_is_not_re_sealed(blob_a, rotated):
    _, old_blob = blob_a
    current = rotated.library(old_blob).json["auth"]
    assert rotated.library(current).json["auth"] is None


def test_a_login_started_before_the_rotation_finishes_after_it(sandbox):
    import httpx

    before = Stack(sandbox, keys=KEY_A, connect=False)
    start = before.start_login()
    landing = httpx.get(start["login_url"]).headers["location"]
    finish = {"method": "external", "state": start["state"], "redirect_url": landing}
    only_b = Stack(sandbox, keys=KEY_B, connect=False).post("/api/auth", finish)
    assert only_b.json["error"]["code"] == "invalid_login_state"
    done = Stack(sandbox, keys=f"{KEY_B},{KEY_A}", connect=False).post("/api/auth", finish)
    assert done.status_code == 200
    assert _only(KEY_B).open(done.json["auth"], "audible_auth").data["adp_token"]
