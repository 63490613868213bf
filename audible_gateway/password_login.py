"""Email + password (+ OTP) login, following the ``audible`` package's login flow.

``audible.login.login`` opens its own ``httpx.Client`` (no transport can be passed), so it
could never be pointed at the sandbox by configuration. This module walks the same steps
with the package's own helpers (OAuth URL, init cookies, encrypted ``metadata1``, form
parsing and page checks) on a client from ``upstream``. Where the package would call an
interactive callback, the gateway stops with a distinct error instead, so the caller can
fall back to the external browser login:

* captcha page       -> ``captcha_required``
* OTP page, no code  -> ``otp_required`` (a code that Amazon asks for again -> ``otp_rejected``)
* CVF page           -> ``cvf_required``
* approval alert     -> ``approval_required``

The password and OTP code are sent to Amazon once and are never stored or logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from audible.login import USER_AGENT
from audible.login import build_init_cookies
from audible.login import build_oauth_url
from audible.login import check_for_approval_alert
from audible.login import check_for_captcha
from audible.login import check_for_choice_mfa
from audible.login import check_for_cvf
from audible.login import check_for_mfa
from audible.login import create_code_verifier
from audible.login import get_inputs_from_soup
from audible.login import get_next_action_from_soup
from audible.metadata import encrypt_metadata
from audible.metadata import meta_audible_app
from bs4 import BeautifulSoup
from bs4 import Tag

from audible_gateway import errors
from audible_gateway.upstream import Upstream

CODE_PARAM = b"openid.oa2.authorization_code"
MAX_STEPS = 8
FALLBACK = " Use the external browser login instead."


@dataclass(frozen=True)
class LoginGrant:
    """What a finished login yields: the inputs of device registration."""

    authorization_code: str
    code_verifier: str
    serial: str


def _interaction(code: str, what: str) -> errors.GatewayError:
    return errors.GatewayError(code, f"Amazon asks for {what}.{FALLBACK}", 409, fallback="external")


def _code_in(response: httpx.Response) -> str | None:
    for candidate in (response, *reversed(response.history)):
        if CODE_PARAM in candidate.url.query:
            return candidate.url.params.get(CODE_PARAM.decode())
    return None


def _amazon_message(soup: BeautifulSoup) -> str | None:
    """The text of Amazon's error box ("Your password is incorrect"), if the page has one."""
    for box_id in ("auth-error-message-box", "auth-warning-message-box"):
        box = soup.find(id=box_id)
        if isinstance(box, Tag):
            text = " ".join(box.get_text(" ").split())
            if text:
                return text[:200]
    return None


def _submit(
    session: httpx.Client, soup: BeautifulSoup, inputs: dict[str, str], form: Any = None
) -> httpx.Response:
    try:
        method, url = get_next_action_from_soup(soup, form)
    except Exception:  # the package raises bare Exception when the page has no form
        raise _unrecognised() from None
    return session.request(method, url, data=inputs)


def _unrecognised() -> errors.GatewayError:
    return errors.GatewayError(
        "login_failed", f"Amazon's sign-in page was not what the login expects.{FALLBACK}", 422
    )


def _inputs(soup: BeautifulSoup, form: dict[str, str] | None = None) -> dict[str, str]:
    try:
        return get_inputs_from_soup(soup, form)
    except Exception:  # bare Exception from the package: no form on the page
        raise _unrecognised() from None


def password_login(
    upstream: Upstream,
    *,
    email: str,
    password: str,
    country_code: str,
    domain: str,
    market_place_id: str,
    otp_code: str | None = None,
    with_username: bool = False,
) -> LoginGrant:
    """Log in like the package's ``login.login`` and return the authorization code."""
    base_url = f"https://www.{'audible' if with_username else 'amazon'}.{domain}"
    verifier = create_code_verifier()
    oauth_url, serial = build_oauth_url(
        country_code=country_code,
        domain=domain,
        market_place_id=market_place_id,
        code_verifier=verifier,
        with_username=with_username,
    )
    headers = {"User-Agent": USER_AGENT, "Accept-Language": "en-US", "Accept-Encoding": "gzip"}
    with upstream.http_client(
        base_url=base_url, headers=headers, cookies=build_init_cookies(), follow_redirects=True
    ) as session:
        try:
            response = _walk(session, oauth_url, base_url, email, password, otp_code)
        except httpx.TimeoutException:
            raise errors.unavailable("Amazon's sign-in pages timed out") from None
        except httpx.HTTPError:
            raise errors.unavailable("Amazon's sign-in pages could not be reached") from None
    code = _code_in(response)
    if code is None:  # pragma: no cover - _walk only returns with a code
        raise _unrecognised()
    return LoginGrant(code, verifier.decode("ascii"), serial)


def _walk(
    session: httpx.Client,
    oauth_url: str,
    base_url: str,
    email: str,
    password: str,
    otp_code: str | None,
) -> httpx.Response:
    response = session.get(oauth_url)
    if _code_in(response):
        return response
    soup = BeautifulSoup(response.text, "html.parser")
    inputs = _inputs(soup)
    inputs.update(
        email=email,
        password=password,
        metadata1=encrypt_metadata(meta_audible_app(USER_AGENT, base_url)),
    )
    response = _submit(session, soup, inputs, {"name": "signIn"})
    otp_sent = False
    for _ in range(MAX_STEPS):
        if _code_in(response):
            return response
        soup = BeautifulSoup(response.text, "html.parser")
        if check_for_captcha(soup):
            raise _interaction("captcha_required", "a captcha")
        if check_for_choice_mfa(soup):
            inputs = _inputs(soup)
            for node in soup.select("div[data-a-input-name=otpDeviceContext]"):
                field = node.find("input")
                classes: Any = node.get("class") or []
                if "auth-TOTP" in list(classes) and isinstance(field, Tag):
                    inputs[str(field.get("name"))] = str(field.get("value"))
            response = _submit(session, soup, inputs)
            continue
        if check_for_mfa(soup):
            if not otp_code:
                raise _interaction("otp_required", "a one-time code (2FA); send it as otp_code")
            if otp_sent:
                raise errors.GatewayError(
                    "otp_rejected", "Amazon did not accept the one-time code.", 422
                )
            inputs = _inputs(soup)
            inputs.update(otpCode=otp_code, mfaSubmit="Submit", rememberDevice="false")
            otp_sent = True
            response = _submit(session, soup, inputs)
            continue
        if check_for_cvf(soup):
            raise _interaction("cvf_required", "a verification code sent by mail or SMS (CVF)")
        if check_for_approval_alert(soup):
            raise _interaction("approval_required", "an approval of this sign-in (check mail)")
        message = _amazon_message(soup)
        raise errors.GatewayError(
            "login_failed",
            "Amazon did not accept the login"
            + (f": {message}" if message else ".")
            + " If it keeps failing, use the external browser login.",
            422,
        )
    raise _unrecognised()
