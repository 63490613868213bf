"""Step 3 of a sync: get the library (from the gateway, or from a file a person already has).

A refreshed sealed blob is stored at once, outside the apply transaction, so a token the
gateway renewed is never lost even when applying fails. Gateway failures become
:class:`FetchFailed` with a sentence for people; "re-login required" also flags the account,
which stops scheduled syncs (``ratelimit.is_due``) until the person reconnects.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.library_files import LibraryFileError
from tracker_api.audible_sync.library_files import read_library_file
from tracker_api.audible_sync.models import AudibleConfig

RATE_LIMITED = "audible_rate_limited"


@dataclass
class Library:
    """Items to apply, problems reported with them, and whether the list is the whole library."""

    items: list[dict[str, Any]]
    errors: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = True
    source: str = "gateway"


class FetchFailed(Exception):
    """The library could not be had; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


def _sentence(exc: gateway.GatewayError) -> str:
    if exc.needs_relogin:
        return (
            "Audible needs you to sign in again: the saved connection no longer works. "
            "Reconnect your Audible account; scheduled syncs are paused until then."
        )
    if exc.code == RATE_LIMITED:
        wait = f" Try again in about {round(exc.retry_after)} seconds." if exc.retry_after else ""
        return f"Audible is limiting how often this account may be read.{wait}"
    if exc.code in (gateway.UNREACHABLE, gateway.TIMEOUT):
        return f"{exc.message} The sync will be tried again later."
    return f"The library could not be fetched: {exc.message}"


def from_gateway(config: AudibleConfig, *, persist_auth: bool = True) -> Library:
    """Fetch through the gateway; raises FetchFailed. Updates ``config`` flags as it learns."""
    if not config.sealed_auth:
        raise FetchFailed(
            "audible_not_connected",
            "No Audible account is connected; connect one before syncing.",
        )
    try:
        result = gateway.fetch_library(config.sealed_auth)
    except gateway.GatewayError as exc:
        updates: dict[str, Any] = {}
        if exc.needs_relogin:
            updates["needs_relogin"] = True
        if exc.code == RATE_LIMITED and exc.retry_after:
            updates["rate_limited_until"] = timezone.now() + timedelta(seconds=exc.retry_after)
        if updates:
            AudibleConfig.objects.filter(pk=config.pk).update(**updates)
            for name, value in updates.items():
                setattr(config, name, value)
        raise FetchFailed(exc.code, _sentence(exc), retry_after=exc.retry_after) from None
    if result.new_auth and persist_auth and result.new_auth != config.sealed_auth:
        AudibleConfig.objects.filter(pk=config.pk).update(sealed_auth=result.new_auth)
        config.sealed_auth = result.new_auth
    return Library(
        items=result.items, errors=result.errors, complete=result.complete, source="gateway"
    )


def from_file(path: str | Path) -> Library:
    """Read a library file (API JSON or an audible-cli export); raises FetchFailed."""
    try:
        items, problems = read_library_file(path)
    except FileNotFoundError:
        raise FetchFailed("library_file_missing", f"There is no file at {path}.") from None
    except LibraryFileError as exc:
        raise FetchFailed("library_file_unreadable", f"The library file: {exc}.") from None
    errors = [
        {**problem, "message": problem.get("reason") or problem.get("message") or ""}
        for problem in problems
    ]
    # A file is a snapshot someone made, maybe of part of a library: titles missing from it
    # are not taken as gone.
    return Library(items=items, errors=errors, complete=False, source="file")
