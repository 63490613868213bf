"""Step 3 of a sync: get the library (from the gateway, or from a file a person already has).

A refreshed sealed blob is stored at once, outside the apply transaction, so a token the
gateway renewed is never lost even when applying fails. Gateway failures become
:class:`FetchFailed` with a sentence for people; "re-login required" also flags the account,
which stops scheduled syncs (``ratelimit.is_due``) until the person reconnects.

The gateway is told the listening state already held for each title in progress
(:func:`known_progress`), so Audible is asked for positions only where it moved. For a
household's connection that is every member's tracker: a member's title in progress is not
looked up again on every sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.library_files import LibraryFileError
from tracker_api.audible_sync.library_files import read_library_file
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import ConflictStatus
from tracker_api.core.service_errors import ServiceError
from tracker_api.households import membership
from tracker_api.households.models import Household
from tracker_api.households.models import TitleRoute

RATE_LIMITED = "audible_rate_limited"
# A failed fetch's code -> the HTTP status it means: the account needs the person (409),
# Audible asks us to wait (429); anything else is the upstream failing (502).
FAILURE_STATUS = {
    "audible_reauth_required": 409,
    "invalid_auth_blob": 409,
    "audible_not_connected": 409,
    RATE_LIMITED: 429,
}


@dataclass
class Library:
    """Items to apply, problems reported with them, and whether the list is the whole library."""

    items: list[dict[str, Any]]
    errors: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = True
    source: str = "gateway"
    audible_requests: int | None = None
    # Titles of a shared connection routed to another person (tracker_api.households): not
    # taken as gone from this person's library when the list is otherwise complete.
    elsewhere: frozenset[str] = frozenset()


class FetchFailed(ServiceError):
    """The library could not be had; ``code`` is stable, ``message`` is for people."""

    status = 502

    def __init__(self, code: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, code=code, status=FAILURE_STATUS.get(code, 502))
        self.retry_after = retry_after


def _sentence(exc: gateway.GatewayCallError) -> str:
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
        result = gateway.fetch_library(
            config.sealed_auth, known_progress=known_progress(config.user_id, **_household(config))
        )
    except gateway.GatewayCallError as exc:
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
        items=result.items,
        errors=result.errors,
        complete=result.complete,
        source="gateway",
        audible_requests=result.audible_requests,
    )


def _household(config: AudibleConfig) -> dict[str, Any]:
    """The people and routes of the household whose connection ``config`` is (none: {}).
    A connection in no household learns it from the query that loaded it: no query here."""
    if membership.seat_of(config) != config.pk:
        return {}
    household = Household.objects.filter(connection_id=config.pk).first()
    if household is None:
        return {}
    routes = TitleRoute.objects.filter(household=household, person__isnull=False)
    return {
        "people": membership.member_ids(household),
        "routes": dict(routes.values_list("asin", "person_id")),
    }


def known_progress(
    user_id: int, *, people: list[int] | None = None, routes: dict[str, int] | None = None
) -> dict[str, list[Any]]:
    """ASIN -> ``[percent, time_remaining_s, position_ms, position_updated_at]`` of every
    title in progress whose last answer the tracker holds with a position: the mapping's
    stored item, or the item of an open conflict (a title waiting for a decision).

    ``people``: every member of the connection's household, whose trackers hold the titles
    routed to them. When several hold a title, the person it is routed to now (``routes``)
    wins, then a mapping over a conflict (its item is the newer one).

    A title without a known position is left out, so the gateway looks it up again (a lookup
    that failed last time heals). A first sync has no mappings: every position is fetched.
    """
    ids = [user_id, *(p for p in people or () if p != user_id)]
    routes = routes or {}
    known: dict[str, list[Any]] = {}
    rank: dict[str, tuple[bool, int]] = {}
    conflicts = AudibleConflict.objects.filter(user_id__in=ids, status=ConflictStatus.OPEN)
    mappings = AudibleBookMapping.objects.filter(user_id__in=ids)
    for kind, rows in enumerate((conflicts, mappings)):
        values = rows.values_list("user_id", "asin", "item__progress")
        for person, asin, progress in values.iterator(2000):
            entry = _known_entry(progress)
            if entry is None:
                continue
            mine = (routes.get(asin, user_id) == person, kind)
            if asin not in rank or mine >= rank[asin]:
                known[asin], rank[asin] = entry, mine
    return known


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _known_entry(progress: Any) -> list[Any] | None:
    """The entry for one stored progress block, or None when it is not a title in progress
    with a usable position (the gateway refuses a malformed entry, so none is sent)."""
    if not isinstance(progress, dict) or progress.get("is_finished"):
        return None
    percent = progress.get("percent")
    remaining = progress.get("time_remaining_s")
    position = progress.get("position_ms")
    updated = progress.get("position_updated_at")
    if isinstance(percent, bool) or not isinstance(percent, int | float):
        return None
    if not 0 < percent < 100 or not _whole(position):
        return None
    if remaining is not None and not _whole(remaining):
        return None
    if updated is not None:
        if not isinstance(updated, str) or len(updated) > 40:
            return None
        try:
            datetime.fromisoformat(updated)
        except ValueError:
            return None
    return [percent, remaining, position, updated]


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
