"""Connecting an Audible account: the gateway does the login, the tracker keeps the sealed blob.

The body goes to the gateway's ``POST /api/auth`` unchanged (through the one gateway client).
A ``connected`` answer's sealed blob is stored on the person's config and dropped from the
answer; nothing else about the credentials is kept, and the blob never reaches a response.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from django.db import transaction
from django.utils import timezone

from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.disconnect import deregister_replaced
from tracker_api.audible_sync.models import AudibleConfig

if TYPE_CHECKING:
    from django.contrib.auth.models import User

LOGIN_REQUIRED_KEYS = ("status", "login_url", "state", "expires_in")


def connect_account(user: User, body: dict[str, Any]) -> dict[str, Any]:
    """Pass ``body`` to the gateway; store the credentials when it says ``connected``.

    Returns the answer without the sealed blob. Raises :class:`gateway.GatewayCallError` as the
    gateway client does (the gateway's own codes pass through).
    """
    answer = gateway.connect(body)
    status = answer.get("status")
    if status == "login_required":
        return {key: answer[key] for key in LOGIN_REQUIRED_KEYS if key in answer}
    sealed = answer.get("auth")
    if status != "connected" or not isinstance(sealed, str) or not sealed:
        raise gateway.GatewayCallError(
            gateway.BAD_ANSWER,
            "The Audible gateway's connect answer is neither login_required nor connected.",
            permanent=True,
        )
    given = answer.get("account")
    account: dict[str, Any] = given if isinstance(given, dict) else {}
    store_credentials(user, sealed, account)
    return {"status": "connected", "account": account}


def store_credentials(user: User, sealed: str, account: dict[str, Any]) -> None:
    """Keep the sealed blob and the account facts; a fresh login clears every failure mark.

    A reconnect replaces a device: the old one is deregistered once the new blob is stored
    (Audible caps the devices of an account).
    """
    now = timezone.now()
    with transaction.atomic():
        config, _ = AudibleConfig.objects.select_for_update().get_or_create(user=user)
        replaced = config.sealed_auth
        config.sealed_auth = sealed
        config.account = account
        config.connected_at = now
        config.needs_relogin = False
        config.consecutive_failures = 0
        config.next_sync_at = None  # a candidate for cron again; ratelimit.is_due decides
        config.save(
            update_fields=[
                "sealed_auth",
                "account",
                "connected_at",
                "needs_relogin",
                "consecutive_failures",
                "next_sync_at",
                "updated_at",
            ]
        )
    deregister_replaced(replaced, sealed)
