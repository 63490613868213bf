"""Disconnecting an Audible account: deregister the device, then forget the sealed blob.

Audible caps the devices an account may register, so the tracker never just drops a blob:
:func:`disconnect` first has the gateway deregister the device behind it, and reconnecting
(:func:`tracker_api.audible_sync.connecting.store_credentials`) deregisters the device the
new login replaces. Used by the admin's Disconnect button and ``DELETE /api/audible/auth``.

A device Amazon no longer accepts (``audible_reauth_required``, ``invalid_auth_blob``) is as
good as deregistered: the blob is forgotten all the same. Any other gateway failure (down,
timeout) raises :class:`~tracker_api.audible_sync.gateway.GatewayCallError` and keeps the blob, so
the person can try again instead of leaving a registered device behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.models import AudibleConfig

log = logging.getLogger("tracker_api.audible_sync.disconnect")


@dataclass(frozen=True)
class DisconnectOutcome:
    """``was_connected``: there was a blob to forget; ``deregistered``: Amazon dropped the
    device now (False when it had already stopped accepting it, or nothing was connected)."""

    was_connected: bool
    deregistered: bool


def deregister_blob(sealed: str) -> bool:
    """Deregister the device behind ``sealed``; False if Amazon had already dropped it.

    Raises :class:`gateway.GatewayCallError` when the gateway could not do it (try again later).
    """
    try:
        gateway.deregister(sealed)
    except gateway.GatewayCallError as exc:
        if exc.needs_relogin:
            return False
        raise
    return True


def disconnect(user: Any) -> DisconnectOutcome:
    """Deregister the person's device and forget their sealed blob and account facts.

    The preferences (interval, cap, policy...) are kept, so reconnecting restores the person's
    setup; the mappings, conflicts and history are theirs and stay too.
    """
    config = AudibleConfig.objects.filter(user=user).first()
    if config is None or not config.sealed_auth:
        return DisconnectOutcome(was_connected=False, deregistered=False)
    deregistered = deregister_blob(config.sealed_auth)
    forget_credentials(config)
    log.info("user %s disconnected Audible (device deregistered: %s)", user.pk, deregistered)
    return DisconnectOutcome(was_connected=True, deregistered=deregistered)


def forget_credentials(config: AudibleConfig) -> None:
    """Drop the blob and the account facts; nothing is due for this person until they connect."""
    with transaction.atomic():
        AudibleConfig.objects.filter(pk=config.pk).update(
            sealed_auth="", account={}, connected_at=None, needs_relogin=False, next_sync_at=None
        )
    config.refresh_from_db()


def deregister_replaced(old_sealed: str, new_sealed: str) -> None:
    """After a reconnect: deregister the device the new login replaced (best effort, logged)."""
    if not old_sealed or old_sealed == new_sealed:
        return
    try:
        deregister_blob(old_sealed)
    except gateway.GatewayCallError as exc:
        log.warning("could not deregister the replaced Audible device (%s)", exc.code)
