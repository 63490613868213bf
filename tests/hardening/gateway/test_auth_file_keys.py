"""Auth files reach the ``audible`` package with the keys its own ``to_dict()`` writes, no more.

``Authenticator.from_dict`` sets every key it is given as an attribute, private ones too: a
hand-edited ``_crypto_provider: "x"`` crashed the gateway (AttributeError, a 500 the tracker
retried), ``_apply_test_convert: false`` switched off the package's token checks.
"""

from __future__ import annotations

import audible
import pytest

from audible_gateway.accounts import AUTH_KEYS
from audible_gateway.auth_file import import_auth_file
from audible_gateway.errors import GatewayError
from tests.gateway.conftest import HEADERS
from tests.gateway.conftest import app  # noqa: F401 - fixture
from tests.gateway.conftest import client  # noqa: F401 - fixture
from tests.gateway.conftest import offline_auth_dict

PRIVATE = sorted(
    {n for n in dir(audible.Authenticator()) if n.startswith("_") and not n.startswith("__")}
    | {"__class__", "__dict__", "__init__"}
)


def test_the_accepted_keys_are_exactly_what_to_dict_writes():
    written = set(audible.Authenticator.from_dict(offline_auth_dict()).to_dict())
    assert written == AUTH_KEYS
    assert {"_crypto_provider", "_apply_test_convert", "_forbid_new_attrs"} <= set(PRIVATE)


@pytest.mark.parametrize("key", PRIVATE)
@pytest.mark.parametrize("value", ["x", False, None, 0, {}])
def test_each_private_attribute_is_an_invalid_auth_file_naming_the_key(key, value):
    with pytest.raises(GatewayError) as refused:
        import_auth_file({**offline_auth_dict(), key: value}, None)
    assert refused.value.code == "auth_file_invalid"
    assert refused.value.status == 400
    assert repr(key) in refused.value.message
    assert refused.value.fields == {"auth_file": f"unknown key {key!r}"}


@pytest.mark.parametrize("key", ["locale", "crypto_provider", "x" * 5000, ""])
def test_any_other_unknown_key_is_refused_too_and_named_briefly(key):
    with pytest.raises(GatewayError) as refused:
        import_auth_file({**offline_auth_dict(), key: "x"}, None)
    assert refused.value.code == "auth_file_invalid"
    assert len(refused.value.message) < 300


@pytest.mark.parametrize("key", PRIVATE[:3])
def test_the_http_answer_is_a_400_with_the_key(client, key):  # noqa: F811 - the fixture
    response = client.post(
        "/api/auth",
        json={"method": "file", "auth_file": {**offline_auth_dict(), key: "x"}},
        headers=HEADERS,
    )
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "auth_file_invalid"
    assert key in response.json["error"]["message"]


def test_a_file_the_package_wrote_still_imports_with_its_old_cookie_name():
    data = offline_auth_dict()
    data["login_cookies"] = data.pop("website_cookies", None) or {"session-id": "1"}
    auth = import_auth_file(data, None)
    assert auth.website_cookies == data["login_cookies"]
