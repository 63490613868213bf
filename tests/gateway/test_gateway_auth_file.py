"""Reading auth files written by the audible package itself (plain and both encryptions)."""

from __future__ import annotations

import base64
import json

import audible
import pytest

from audible_gateway.auth_file import import_auth_file
from audible_gateway.errors import GatewayError

from .conftest import offline_auth_dict

FILE_PASSWORD = "file-password-1"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The same credentials saved by ``Authenticator.to_file`` in all three formats."""
    folder = tmp_path_factory.mktemp("auth")
    auth = audible.Authenticator.from_dict(offline_auth_dict())
    auth.to_file(folder / "plain.json", encryption=False)
    auth.to_file(folder / "json.json", password=FILE_PASSWORD, encryption="json")
    auth.to_file(folder / "bytes.bin", password=FILE_PASSWORD, encryption="bytes")
    return folder


def test_a_plain_file_imports_as_object_and_as_text(written):
    text = (written / "plain.json").read_text()
    for content in (json.loads(text), text):
        auth = import_auth_file(content, None)
        assert auth.customer_info["name"] == "Test Person"
        assert auth.locale.country_code == "us"
        assert "signing" in auth.available_auth_modes


@pytest.mark.parametrize("name", ["json.json", "bytes.bin"])
def test_encrypted_files_import_with_their_password(written, name):
    raw = (written / name).read_bytes()
    content = json.loads(raw) if name.endswith(".json") else base64.b64encode(raw).decode()
    auth = import_auth_file(content, FILE_PASSWORD)
    assert auth.refresh_token == "Atnr|offline-refresh"


@pytest.mark.parametrize("name", ["json.json", "bytes.bin"])
def test_encrypted_files_need_the_right_password(written, name):
    raw = (written / name).read_bytes()
    content = json.loads(raw) if name.endswith(".json") else base64.b64encode(raw).decode()
    with pytest.raises(GatewayError) as missing:
        import_auth_file(content, None)
    assert missing.value.code == "auth_file_password_required"
    with pytest.raises(GatewayError) as wrong:
        import_auth_file(content, "not-the-password")
    assert wrong.value.code == "auth_file_password_wrong"
    assert "not-the-password" not in wrong.value.message


def test_the_locale_can_be_overridden(written):
    auth = import_auth_file((written / "plain.json").read_text(), None, "uk")
    assert auth.locale.domain == "co.uk"


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "%%%",
        {"hello": "world"},
        offline_auth_dict(adp_token="nonsense", access_token=None),
        offline_auth_dict(locale_code=None),
        offline_auth_dict(surprise="key"),
    ],
    ids=["bad-json", "bad-base64", "no-tokens", "bad-adp-token", "no-locale", "unknown-key"],
)
def test_unusable_files_are_auth_file_invalid(content):
    with pytest.raises(GatewayError) as info:
        import_auth_file(content, None)
    assert info.value.code == "auth_file_invalid"


def test_an_access_token_without_expires_counts_as_expired():
    auth = import_auth_file(offline_auth_dict(expires=None), None)
    assert auth.access_token_expired
