"""External browser login in two steps, and turning a registration into an Authenticator.

Step one builds Amazon's OAuth URL with the package's own helpers and seals what step two
needs (PKCE verifier, device serial, marketplace) as a short-lived state, so the gateway keeps
nothing between the steps. Step two reads the authorization code from the URL the person
pasted after logging in (2FA, captcha and approval prompts happen in their browser) and
registers a device.
"""

from __future__ import annotations

from typing import Any

import audible
import httpx
from audible.login import build_oauth_url
from audible.login import create_code_verifier

from audible_gateway import errors
from audible_gateway.accounts import AuthDataError
from audible_gateway.accounts import authenticator_from_dict
from audible_gateway.identity import register_device
from audible_gateway.locales import COUNTRY_CODES
from audible_gateway.locales import locale_for
from audible_gateway.sealing import Sealer
from audible_gateway.sealing import SealError
from audible_gateway.upstream import Upstream

STATE_KIND = "external_login_state"
CODE_PARAM = "openid.oa2.authorization_code"
USERNAME_DOMAINS = ("de", "com", "co.uk")


def checked_locale(value: Any, with_username: bool = False) -> audible.localization.Locale:
    locale = locale_for(value)
    if locale is None:
        raise errors.validation_error(
            {"locale": f"must be one of {', '.join(COUNTRY_CODES)}"},
            "Unknown Audible marketplace.",
        )
    if with_username and locale.domain not in USERNAME_DOMAINS:
        raise errors.validation_error(
            {"with_username": "only the de, us and uk marketplaces accept Audible usernames"}
        )
    return locale


def start_external_login(
    sealer: Sealer, upstream: Upstream, locale_code: Any, *, with_username: bool, ttl_s: int
) -> dict[str, Any]:
    """Step one: the login URL for the person's browser and the sealed state for step two."""
    locale = checked_locale(locale_code, with_username)
    verifier = create_code_verifier()
    url, serial = build_oauth_url(
        country_code=locale.country_code,
        domain=locale.domain,
        market_place_id=locale.market_place_id,
        code_verifier=verifier,
        with_username=with_username,
    )
    state = sealer.seal(
        STATE_KIND,
        {
            "code_verifier": verifier.decode("ascii"),
            "serial": serial,
            "locale": locale.country_code,
            "domain": locale.domain,
            "with_username": with_username,
        },
    )
    return {
        "status": "login_required",
        "login_url": upstream.public_url(url),
        "state": state,
        "expires_in": ttl_s,
    }


def authorization_code_from(redirect_url: Any) -> str:
    """The code from ``https://www.amazon.<tld>/ap/maplanding?...authorization_code=...``."""
    if not isinstance(redirect_url, str) or not redirect_url.strip():
        raise errors.validation_error({"redirect_url": "required"})
    try:
        url = httpx.URL(redirect_url.strip())
    except (httpx.InvalidURL, ValueError):
        raise errors.validation_error({"redirect_url": "is not a URL"}) from None
    code = url.params.get(CODE_PARAM)
    if not code:
        raise errors.validation_error(
            {"redirect_url": f"has no {CODE_PARAM}; paste the address shown after logging in"},
            "The pasted URL does not come from a finished Amazon login.",
        )
    return code


def authenticator_from_registration(
    registration: dict[str, Any], locale: str, with_username: bool
) -> audible.Authenticator:
    try:
        return authenticator_from_dict(
            {**registration, "locale_code": locale, "with_username": with_username}
        )
    except AuthDataError as exc:
        raise errors.bad_upstream(f"the registered credentials are unusable: {exc}") from None


def finish_external_login(
    sealer: Sealer, upstream: Upstream, state: Any, redirect_url: Any, *, ttl_s: int
) -> audible.Authenticator:
    """Step two: register a device with the code from the pasted redirect URL."""
    try:
        opened = sealer.open(state, STATE_KIND, ttl=ttl_s)
    except SealError:
        raise errors.GatewayError(
            "invalid_login_state",
            "The login state is expired, corrupt or from another gateway; start the login again.",
            400,
        ) from None
    code = authorization_code_from(redirect_url)
    data = opened.data
    registration = register_device(
        upstream,
        authorization_code=code,
        code_verifier=data["code_verifier"],
        domain=data["domain"],
        serial=data["serial"],
        with_username=bool(data.get("with_username")),
    )
    return authenticator_from_registration(
        registration, data["locale"], bool(data.get("with_username"))
    )
