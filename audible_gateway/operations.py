"""What each endpoint does, as plain functions of (gateway, request body) -> answer.

Views only parse JSON and call these, so every operation is callable without HTTP.
"""

from __future__ import annotations

import asyncio
from datetime import UTC
from datetime import datetime
from typing import Any

import audible
from audible import exceptions as ax

from audible_gateway import errors
from audible_gateway.accounts import account_facts
from audible_gateway.accounts import blob_if_changed
from audible_gateway.accounts import open_auth
from audible_gateway.accounts import seal_auth
from audible_gateway.auth_file import import_auth_file
from audible_gateway.collections import fetch_collections
from audible_gateway.context import Gateway
from audible_gateway.identity import deregister_device
from audible_gateway.identity import ensure_fresh
from audible_gateway.identity import refresh_access_token
from audible_gateway.identity import register_device
from audible_gateway.known_progress import parse_known
from audible_gateway.library import fetch_library
from audible_gateway.login import authenticator_from_registration
from audible_gateway.login import checked_locale
from audible_gateway.login import finish_external_login
from audible_gateway.login import start_external_login
from audible_gateway.password_login import password_login
from audible_gateway.progress import title_progress
from audible_gateway.retry import translate
from audible_gateway.stats import MAX_DAYS
from audible_gateway.stats import MAX_MONTHS
from audible_gateway.stats import REQUESTS as STATS_REQUESTS
from audible_gateway.stats import listening_stats

AUTH_METHODS = ("external", "file", "password")


def _text(
    body: dict[str, Any], name: str, *, required: bool = True, exact: bool = False
) -> str | None:
    """A string field, trimmed unless ``exact`` (passwords: spaces are part of them)."""
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise errors.validation_error({name: "required"})
        return None
    if not isinstance(value, str):
        raise errors.validation_error({name: "must be a string"})
    return value if exact else value.strip()


def _flag(body: dict[str, Any], name: str, default: bool = False) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise errors.validation_error({name: "must be true or false"})
    return value


def _connected(gw: Gateway, auth: audible.Authenticator) -> dict[str, Any]:
    return {
        "status": "connected",
        "auth": seal_auth(gw.sealer, auth),
        "account": account_facts(auth),
    }


def connect(gw: Gateway, body: dict[str, Any]) -> dict[str, Any]:
    """POST /api/auth: one of three ways to connect an Audible account."""
    method = body.get("method")
    if method not in AUTH_METHODS:
        raise errors.validation_error({"method": f"must be one of {', '.join(AUTH_METHODS)}"})
    if method == "external":
        return _connect_external(gw, body)
    if method == "file":
        return _connect_file(gw, body)
    return _connect_password(gw, body)


def _connect_external(gw: Gateway, body: dict[str, Any]) -> dict[str, Any]:
    ttl = gw.config.login_state_ttl_s
    if body.get("state") is None and body.get("redirect_url") is None:
        return start_external_login(
            gw.sealer,
            gw.upstream,
            body.get("locale"),
            with_username=_flag(body, "with_username"),
            ttl_s=ttl,
        )
    state = _text(body, "state")
    auth = finish_external_login(gw.sealer, gw.upstream, state, body.get("redirect_url"), ttl_s=ttl)
    return _connected(gw, auth)


def _connect_file(gw: Gateway, body: dict[str, Any]) -> dict[str, Any]:
    content = body.get("auth_file")
    if content is None:
        raise errors.validation_error({"auth_file": "required (the file's JSON, or base64 bytes)"})
    locale = body.get("locale")
    if locale is not None:
        locale = checked_locale(locale).country_code
    auth = import_auth_file(content, _text(body, "password", required=False, exact=True), locale)
    ensure_fresh(gw.upstream, gw.policy, auth)
    with gw.upstream.api_client(auth) as client:
        try:  # prove the credentials work before calling the account connected
            gw.policy.call(
                lambda: client.get(
                    "library", params={"num_results": 1, "response_groups": "product_desc"}
                )
            )
        except ax.AudibleError as exc:
            raise translate(exc) from None
    return _connected(gw, auth)


def _connect_password(gw: Gateway, body: dict[str, Any]) -> dict[str, Any]:
    with_username = _flag(body, "with_username")
    locale = checked_locale(body.get("locale"), with_username)
    email = _text(body, "email")
    password = _text(body, "password", exact=True)
    grant = password_login(
        gw.upstream,
        email=email or "",
        password=password or "",
        country_code=locale.country_code,
        domain=locale.domain,
        market_place_id=locale.market_place_id,
        otp_code=_text(body, "otp_code", required=False),
        with_username=with_username,
    )
    registration = register_device(
        gw.upstream,
        authorization_code=grant.authorization_code,
        code_verifier=grant.code_verifier,
        domain=locale.domain,
        serial=grant.serial,
        with_username=with_username,
    )
    return _connected(
        gw, authenticator_from_registration(registration, locale.country_code, with_username)
    )


def library(gw: Gateway, body: dict[str, Any]) -> dict[str, Any]:
    """POST /api/library: every title of the account in the documented item shape."""
    opened = open_auth(gw.sealer, body.get("auth"))
    include_revoked = _flag(body, "include_revoked", True)
    known = parse_known(body)
    ensure_fresh(gw.upstream, gw.policy, opened.auth)
    result = asyncio.run(
        fetch_library(
            gw.upstream,
            gw.policy,
            opened.auth,
            include_revoked=include_revoked,
            lastpositions_batch=gw.config.lastpositions_batch,
            page_size=gw.config.page_size,
            known=known,
        )
    )
    return {
        "items": result.items,
        "auth": blob_if_changed(gw.sealer, opened),
        "total": result.total,
        "complete": result.complete,
        "errors": result.errors,
        "fetched_at": datetime.now(UTC).isoformat(),
        "audible_requests": result.audible_requests,
    }


def collections(gw: Gateway, body: dict[str, Any]) -> dict[str, Any]:
    """POST /api/collections: every collection of the account with the ASINs in it."""
    opened = open_auth(gw.sealer, body.get("auth"))
    ensure_fresh(gw.upstream, gw.policy, opened.auth)
    found, requests = fetch_collections(
        gw.upstream, gw.policy, opened.auth, page_size=gw.config.page_size
    )
    return {
        "collections": found,
        "auth": blob_if_changed(gw.sealer, opened),
        "fetched_at": datetime.now(UTC).isoformat(),
        "audible_requests": requests,
    }


def progress(gw: Gateway, asin: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /api/progress/<asin>: position, percent and finished state of one title."""
    opened = open_auth(gw.sealer, body.get("auth"))
    ensure_fresh(gw.upstream, gw.policy, opened.auth)
    answer = title_progress(gw.upstream, gw.policy, opened.auth, asin)
    answer["auth"] = blob_if_changed(gw.sealer, opened)
    return answer


def refresh(gw: Gateway, body: dict[str, Any]) -> dict[str, Any]:
    """POST /api/refresh-token: a new access token, returned inside a new blob."""
    opened = open_auth(gw.sealer, body.get("auth"))
    refresh_access_token(gw.upstream, gw.policy, opened.auth)
    expires = opened.auth.expires
    return {
        "auth": seal_auth(gw.sealer, opened.auth),
        "expires_at": datetime.fromtimestamp(expires, UTC).isoformat() if expires else None,
        "account": account_facts(opened.auth),
    }


def deregister(gw: Gateway, body: dict[str, Any]) -> dict[str, Any]:
    """POST /api/deregister: the device behind the blob stops working at Amazon; the tracker
    then forgets the blob. Deregistering a device Amazon no longer knows is
    ``audible_reauth_required`` (the tracker treats it as done)."""
    opened = open_auth(gw.sealer, body.get("auth"))
    deregister_device(gw.upstream, gw.policy, opened.auth)
    return {"status": "deregistered"}


def _bounded(body: dict[str, Any], name: str, default: int, most: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise errors.validation_error({name: f"must be a whole number from 1 to {most}"})
    return value


def stats(gw: Gateway, body: dict[str, Any]) -> dict[str, Any]:
    """POST /api/stats: listening time per day and month, and in total, from Audible's
    ``1.0/stats/aggregates`` (``days`` up to 30, ``months`` up to 12, this one included)."""
    opened = open_auth(gw.sealer, body.get("auth"))
    days = _bounded(body, "days", MAX_DAYS, MAX_DAYS)
    months = _bounded(body, "months", MAX_MONTHS, MAX_MONTHS)
    ensure_fresh(gw.upstream, gw.policy, opened.auth)
    answer = listening_stats(gw.upstream, gw.policy, opened.auth, days=days, months=months)
    answer["auth"] = blob_if_changed(gw.sealer, opened)
    answer["fetched_at"] = datetime.now(UTC).isoformat()
    answer["audible_requests"] = STATS_REQUESTS
    return answer
