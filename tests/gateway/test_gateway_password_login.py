"""Email + password login: distinct errors for every prompt Amazon may show.

Amazon's HTML sign-in pages are the one boundary nothing here can reach, so they come from a
small local server (fake_amazon.py) reached through the same upstream rewriting that
AUDIBLE_SANDBOX_URL configures.
"""

from __future__ import annotations

import logging

import pytest

from audible_gateway import create_app

from .conftest import HEADERS
from .conftest import gateway_config
from .fake_amazon import FakeAmazon

PASSWORD = "correct horse battery staple"
OTP = "123456"


@pytest.fixture(scope="module")
def amazon():
    with FakeAmazon() as server:
        yield server


@pytest.fixture
def login_client(amazon):
    return create_app(gateway_config(AUDIBLE_SANDBOX_URL=amazon.url)).test_client()


def _login(client, email, **extra):
    body = {"method": "password", "locale": "us", "email": email, "password": PASSWORD, **extra}
    return client.post("/api/auth", json=body, headers=HEADERS)


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("captcha@example.com", "captcha_required"),
        ("cvf@example.com", "cvf_required"),
        ("approval@example.com", "approval_required"),
        ("otp@example.com", "otp_required"),
        ("choice@example.com", "otp_required"),
    ],
)
def test_each_prompt_has_its_own_error_and_points_to_external_login(login_client, email, code):
    response = _login(login_client, email)
    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == code
    assert error["fallback"] == "external"
    assert "external browser login" in error["message"]


def test_a_wrong_password_is_login_failed_with_amazons_words(login_client):
    response = _login(login_client, "wrong@example.com")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "login_failed"
    assert "Your password is incorrect" in response.json["error"]["message"]


def test_an_unknown_page_is_login_failed(login_client):
    response = _login(login_client, "odd@example.com")
    assert response.json["error"]["code"] == "login_failed"


def test_a_rejected_otp_code_is_otp_rejected(login_client):
    response = _login(login_client, "otp@example.com", otp_code="000000")
    assert response.json["error"]["code"] == "otp_rejected"


def test_the_otp_code_and_password_reach_amazon_and_no_log(login_client, amazon, caplog):
    """GIVEN 2FA, WHEN the right OTP is sent, THEN login reaches registration (which this
    fake cannot answer) having sent both secrets to Amazon's forms and to no log line."""
    amazon.forms.clear()
    with caplog.at_level(logging.DEBUG):
        response = _login(login_client, "otp@example.com", otp_code=OTP)
    # The fake serves no /auth/register, so registration fails after a successful login.
    assert response.json["error"]["code"] in ("audible_bad_response", "login_code_rejected")
    signin = next(f for f in amazon.forms if f["path"] == "/ap/signin")
    assert signin["password"] == PASSWORD
    assert signin["metadata1"]  # the package's encrypted browser metadata is sent
    assert any(f.get("otpCode") == OTP for f in amazon.forms if f["path"] == "/ap/mfa")
    assert PASSWORD not in caplog.text
    assert OTP not in caplog.text
    assert PASSWORD not in response.get_data(as_text=True)
