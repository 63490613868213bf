"""Amazon's identity endpoints: device registration and access-token refresh.

The ``audible`` package calls these with module-level ``httpx.post``, which no client
transport can redirect, so the gateway sends the same requests itself through ``upstream``.
The request bodies are the package's own (``audible/register.py``, ``audible/auth.py``).
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import audible
import httpx
from audible import exceptions as ax
from audible._device import APP_VERSION
from audible._device import OS_VERSION
from audible._device import SOFTWARE_VERSION
from audible.client import raise_for_status
from audible.login import build_client_id

from audible_gateway import errors
from audible_gateway.retry import RetryPolicy
from audible_gateway.retry import translate
from audible_gateway.upstream import Upstream

REFRESH_MARGIN_S = 120
DEVICE_TYPE = "A2CZJZGLK2JJVM"


def _post(upstream: Upstream, url: str, **kwargs: Any) -> httpx.Response:
    """POST and raise the package's exception for the status (same mapping as API calls)."""
    try:
        with upstream.http_client() as client:
            response = client.post(url, **kwargs)
    except httpx.TimeoutException:
        raise ax.NotResponding from None
    except httpx.NetworkError:
        raise ax.NetworkError from None
    raise_for_status(response)
    return response


def registration_body(
    authorization_code: str, code_verifier: str, domain: str, serial: str
) -> dict[str, Any]:
    """The exact body ``audible.register.register`` sends."""
    return {
        "requested_token_type": [
            "bearer",
            "mac_dms",
            "website_cookies",
            "store_authentication_cookie",
        ],
        "cookies": {"website_cookies": [], "domain": f".amazon.{domain}"},
        "registration_data": {
            "domain": "Device",
            "app_version": APP_VERSION,
            "device_serial": serial,
            "device_type": DEVICE_TYPE,
            "device_name": (
                "%FIRST_NAME%%FIRST_NAME_POSSESSIVE_STRING%%DUPE_STRATEGY_1ST%Audible for iPhone"
            ),
            "os_version": OS_VERSION,
            "software_version": SOFTWARE_VERSION,
            "device_model": "iPhone",
            "app_name": "Audible",
        },
        "auth_data": {
            "client_id": build_client_id(serial),
            "authorization_code": authorization_code,
            "code_verifier": code_verifier,
            "code_algorithm": "SHA-256",
            "client_domain": "DeviceLegacy",
        },
        "requested_extensions": ["device_info", "customer_info"],
    }


def parse_registration(payload: Any) -> dict[str, Any]:
    """The registration answer -> the dict ``register.register`` returns (same reading)."""
    try:
        success = payload["response"]["success"]
        tokens = success["tokens"]
        expires_s = int(tokens["bearer"]["expires_in"])
        cookies = None
        if "website_cookies" in tokens:
            cookies = {c["Name"]: c["Value"].replace('"', "") for c in tokens["website_cookies"]}
        return {
            "adp_token": tokens["mac_dms"]["adp_token"],
            "device_private_key": tokens["mac_dms"]["device_private_key"],
            "access_token": tokens["bearer"]["access_token"],
            "refresh_token": tokens["bearer"]["refresh_token"],
            "expires": (datetime.now(UTC) + timedelta(seconds=expires_s)).timestamp(),
            "website_cookies": cookies,
            "store_authentication_cookie": tokens.get("store_authentication_cookie"),
            "device_info": success["extensions"]["device_info"],
            "customer_info": success["extensions"]["customer_info"],
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        raise errors.bad_upstream("the device registration answer lacks its tokens") from None


def register_device(
    upstream: Upstream,
    *,
    authorization_code: str,
    code_verifier: str,
    domain: str,
    serial: str,
    with_username: bool = False,
) -> dict[str, Any]:
    """Register a device with an authorization code. Not retried: a code is single-use."""
    url = upstream.identity_url(domain, "/auth/register", with_username)
    body = registration_body(authorization_code, code_verifier, domain, serial)
    try:
        response = _post(upstream, url, json=body)
    except ax.StatusError as exc:
        if exc.code in (400, 401, 403):
            raise errors.GatewayError(
                "login_code_rejected",
                "Amazon refused the login code (it is single-use and expires within minutes); "
                "start the login again.",
                400,
            ) from None
        raise translate(exc) from None
    except ax.AudibleError as exc:
        raise translate(exc) from None
    try:
        payload = response.json()
    except ValueError:
        raise errors.bad_upstream("the device registration answer is not JSON") from None
    return parse_registration(payload)


def refresh_access_token(
    upstream: Upstream, policy: RetryPolicy, auth: audible.Authenticator
) -> None:
    """Get a new access token for ``auth`` in place.

    Accepts ``access_token`` and falls back to ``actor_access_token`` (Amazon has answered
    with only the latter, which makes audible 0.13.1 fail with KeyError).
    """
    if not auth.refresh_token or auth.locale is None:
        raise errors.GatewayError(
            "refresh_not_possible",
            "This auth blob holds no refresh token, so its access token cannot be renewed.",
            400,
        )
    url = upstream.identity_url(auth.locale.domain, "/auth/token", bool(auth.with_username))
    body = {
        "app_name": "Audible",
        "app_version": APP_VERSION,
        "source_token": auth.refresh_token,
        "requested_token_type": "access_token",
        "source_token_type": "refresh_token",
    }
    try:
        response = policy.call(lambda: _post(upstream, url, data=body))
    except ax.StatusError as exc:
        if exc.code in (400, 401, 403):
            raise errors.reauth_required("the refresh token was rejected") from None
        raise translate(exc) from None
    except ax.AudibleError as exc:
        raise translate(exc) from None
    try:
        payload = response.json()
        token = payload.get("access_token") or payload.get("actor_access_token")
        expires_in = int(payload.get("expires_in") or 3600)
    except (ValueError, AttributeError, TypeError):
        raise errors.bad_upstream("the token refresh answer is not readable JSON") from None
    if not token:
        raise errors.bad_upstream("the token refresh answer carries no access token")
    try:
        auth.access_token = token
    except ValueError:
        raise errors.bad_upstream("the refreshed access token has an unknown format") from None
    auth.expires = (datetime.now(UTC) + timedelta(seconds=expires_in)).timestamp()


def deregister_device(upstream: Upstream, policy: RetryPolicy, auth: audible.Authenticator) -> None:
    """Deregister ``auth``'s device at Amazon (the package's ``register.deregister`` request).

    Audible caps the devices of an account, so a device the tracker no longer uses must not
    stay registered. The request needs a live access token: one that is expired (by its own
    clock, or because Amazon refuses it) is refreshed once. A device Amazon no longer knows
    raises ``audible_reauth_required`` (the refresh is refused): for the caller, "already gone".
    """
    if auth.locale is None:
        raise errors.bad_upstream("the credentials name no marketplace")
    refreshed = False
    if (
        not auth.access_token
        or auth.expires is None
        or (auth.access_token_expires.total_seconds() <= REFRESH_MARGIN_S)
    ):
        refresh_access_token(upstream, policy, auth)
        refreshed = True
    url = upstream.identity_url(auth.locale.domain, "/auth/deregister", bool(auth.with_username))
    body = {"deregister_all_existing_accounts": False}  # only this device, never the others
    while True:
        headers = {"x-amz-access-token": str(auth.access_token)}
        try:
            policy.call(lambda: _post(upstream, url, json=body, headers=headers))  # noqa: B023
            return
        except ax.StatusError as exc:
            if exc.code not in (401, 403):
                raise translate(exc) from None
            if refreshed:
                raise errors.reauth_required("the device is no longer registered") from None
        except ax.AudibleError as exc:
            raise translate(exc) from None
        refresh_access_token(upstream, policy, auth)  # a refused refresh: reauth_required
        refreshed = True


def ensure_fresh(upstream: Upstream, policy: RetryPolicy, auth: audible.Authenticator) -> bool:
    """Refresh a bearer-only auth before the package would (it would bypass ``upstream``).

    Signing auth never needs an access token, so it is left alone. Returns whether it refreshed.
    """
    if "signing" in auth.available_auth_modes or not auth.access_token:
        return False
    if auth.expires is not None and auth.access_token_expires.total_seconds() > REFRESH_MARGIN_S:
        return False
    refresh_access_token(upstream, policy, auth)
    return True
