"""The events people and operators are told about, each with a stable code.

Person events (queued by :func:`on_sync_finished`, inside the sync's transaction):

* ``relogin_needed``: Audible refused the stored login. Once per connection: the dedupe key
  holds the connection's ``connected_at``, which only a reconnect changes.
* ``sync_failing``: ``failure_threshold`` syncs in a row failed. Once per streak: a streak is
  "open" while the person's newest failing/recovered message is a ``sync_failing`` one.
* ``sync_recovered``: the first sync that worked after a ``sync_failing`` message.
* ``conflicts_waiting``: a sync opened conflicts; one message per sync, not per title.
* ``book_finished``: a sync saw books finished; one message per sync (off by default).
* ``weekly_digest``: see :mod:`digest`.

Operator events (NOTIFY_OPERATOR_URLS): ``gateway_failing`` / ``gateway_recovered`` after a
scheduled run in which every sync failed at the gateway / the first one that worked again, and
``cron_not_running`` (:mod:`health`).

A dry run tells nobody anything. The sync calls in through the signals of
``tracker_api.audible_sync.signals``; a receiver that fails is logged and never fails the sync.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from tracker_api.notifications import links
from tracker_api.notifications import outbox
from tracker_api.notifications.models import Notification

log = logging.getLogger("tracker_api.notifications")

RELOGIN_NEEDED = "relogin_needed"
SYNC_FAILING = "sync_failing"
SYNC_RECOVERED = "sync_recovered"
CONFLICTS_WAITING = "conflicts_waiting"
BOOK_FINISHED = "book_finished"
WEEKLY_DIGEST = "weekly_digest"
TEST = "test"
GATEWAY_FAILING = "gateway_failing"
GATEWAY_RECOVERED = "gateway_recovered"
CRON_NOT_RUNNING = "cron_not_running"

PERSON_EVENTS = (
    RELOGIN_NEEDED,
    SYNC_FAILING,
    SYNC_RECOVERED,
    CONFLICTS_WAITING,
    BOOK_FINISHED,
    WEEKLY_DIGEST,
)
OPERATOR_EVENTS = (GATEWAY_FAILING, GATEWAY_RECOVERED, CRON_NOT_RUNNING)

# event code -> the NotificationSettings field that switches it (the digest: digest_day)
SETTING_OF = {
    RELOGIN_NEEDED: "relogin_needed",
    SYNC_FAILING: "sync_failing",
    SYNC_RECOVERED: "sync_failing",
    CONFLICTS_WAITING: "conflicts_waiting",
    BOOK_FINISHED: "book_finished",
}
RELOGIN_CODES = {"audible_reauth_required", "invalid_auth_blob"}
MAX_TITLES = 10


def _key(user_id: int | None, code: str, part: object) -> str:
    who = f"user:{user_id}" if user_id is not None else "operator"
    return f"{who}:{code}:{part}"


def _streak_open(user_id: int | None, failing: str, recovered: str) -> bool:
    mine = (
        Notification.objects.filter(user__isnull=True)
        if user_id is None
        else Notification.objects.filter(user_id=user_id)
    )
    newest = (
        mine.filter(code__in=(failing, recovered))
        .order_by("-created_at", "-id")
        .values_list("code", flat=True)
        .first()
    )
    return newest == failing


def _dashboard() -> str:
    return links.admin_path("audible_sync_dashboard")


def on_sync_finished(
    *,
    config: Any,
    log_row: Any,
    error_code: str = "",
    result: Any = None,
    dry_run: bool = False,
    **_: Any,
) -> None:
    """Queue what one finished sync means for its person (called in the sync's transaction)."""
    if dry_run or not _may_tell(config, log_row, result):
        return  # the common unchanged sync costs no query at all
    try:
        with transaction.atomic():
            _sync_events(config, log_row, error_code, result)
    except Exception:  # never the sync's problem: it commits all the same
        log.exception("queueing the notifications of sync %s failed", log_row.pk)


def _finished_titles(result: Any) -> list[str]:
    return [
        str(c.get("title") or c.get("asin"))
        for c in (getattr(result, "changes", None) or [])
        if c.get("change") == "finished"
    ]


def _may_tell(config: Any, row: Any, result: Any) -> bool:
    """Whether this sync could cause any message, from what is in memory already.

    ``config`` is as it was before the sync: a worked sync can close a failing streak only if
    syncs failed since the last good one, or the account was reconnected since.
    """
    from tracker_api.audible_sync.models import SyncStatus

    if row.status == SyncStatus.FAILED or row.conflicts_opened or _finished_titles(result):
        return True
    reconnected = config.connected_at is not None and (
        config.last_sync_at is None or config.connected_at > config.last_sync_at
    )
    return bool(config.consecutive_failures) or reconnected


def _sync_events(config: Any, row: Any, error_code: str, result: Any) -> None:
    from tracker_api.audible_sync.models import AudibleConfig
    from tracker_api.audible_sync.models import AudibleConflict
    from tracker_api.audible_sync.models import ConflictStatus
    from tracker_api.audible_sync.models import SyncStatus

    user_id = config.user_id
    prefs = outbox.settings_for(user_id)
    if row.status == SyncStatus.FAILED:
        fresh = AudibleConfig.objects.get(pk=config.pk)
        if prefs.relogin_needed and (fresh.needs_relogin or error_code in RELOGIN_CODES):
            since = fresh.connected_at.isoformat() if fresh.connected_at else "never"
            outbox.enqueue(
                user_id=user_id,
                event=RELOGIN_NEEDED,
                subject="Audible needs you to sign in again",
                body="Audible no longer accepts the saved login, so your library is not synced. "
                "Connect your Audible account again; scheduled syncs are paused until then.",
                link=_dashboard(),
                dedupe_key=_key(user_id, RELOGIN_NEEDED, since),
            )
        failures = fresh.consecutive_failures
        if (
            prefs.sync_failing
            and failures >= prefs.failure_threshold
            and not _streak_open(user_id, SYNC_FAILING, SYNC_RECOVERED)
        ):
            outbox.enqueue(
                user_id=user_id,
                event=SYNC_FAILING,
                subject=f"Your Audible syncs have failed {failures} "
                f"time{'s' if failures != 1 else ''} in a row",
                body=f"The last one said: {row.error or error_code or 'no reason given'}",
                link=links.admin_path("audible_sync_audiblesynclog_change", row.pk),
                dedupe_key=_key(user_id, SYNC_FAILING, row.pk),
            )
        return
    if prefs.sync_failing and _streak_open(user_id, SYNC_FAILING, SYNC_RECOVERED):
        outbox.enqueue(
            user_id=user_id,
            event=SYNC_RECOVERED,
            subject="Your Audible syncs work again",
            body="The last sync worked; nothing more to do.",
            link=_dashboard(),
            dedupe_key=_key(user_id, SYNC_RECOVERED, row.pk),
        )
    if prefs.conflicts_waiting and row.conflicts_opened:
        waiting = AudibleConflict.objects.filter(
            user_id=user_id, status=ConflictStatus.OPEN
        ).count()
        titles = [
            str(c.get("title") or c.get("asin"))
            for c in (getattr(result, "changes", None) or [])
            if c.get("change") == "conflict_opened"
        ]
        opened = row.conflicts_opened
        plural = opened != 1
        outbox.enqueue(
            user_id=user_id,
            event=CONFLICTS_WAITING,
            subject=f"{opened} Audible title{'s' if plural else ''} "
            f"need{'' if plural else 's'} your decision",
            body=f"This sync found {opened} title{'s' if plural else ''} it would not link on "
            f"its own ({waiting} waiting in all): {_titles(titles)}",
            link=links.admin_path(
                "audible_sync_audibleconflict_changelist", query="status__exact=open"
            ),
            dedupe_key=_key(user_id, CONFLICTS_WAITING, row.pk),
        )
    finished = _finished_titles(result)
    if prefs.book_finished and finished:
        outbox.enqueue(
            user_id=user_id,
            event=BOOK_FINISHED,
            subject=f"You finished {finished[0]}"
            if len(finished) == 1
            else f"You finished {len(finished)} books",
            body=f"Marked as read: {_titles(finished)}",
            link=links.admin_path("books_book_changelist", query="status__exact=read"),
            dedupe_key=_key(user_id, BOOK_FINISHED, row.pk),
        )


def _titles(titles: list[str]) -> str:
    shown = ", ".join(titles[:MAX_TITLES])
    more = f" and {len(titles) - MAX_TITLES} more" if len(titles) > MAX_TITLES else ""
    return f"{shown}{more}." if shown else "see the list."


GATEWAY_PREFIX = "gateway_"


def on_scheduled_results(results: list[Any]) -> None:
    """Operator events of one scheduled run: the gateway failing for everyone, or back."""
    outcomes = [r.outcome for r in results if getattr(r, "outcome", None) is not None]
    if not outcomes:
        return
    worked = [o for o in outcomes if not o.failed]
    gateway_down = [o for o in outcomes if o.failed and o.error_code.startswith(GATEWAY_PREFIX)]
    open_streak = _streak_open(None, GATEWAY_FAILING, GATEWAY_RECOVERED)
    if gateway_down and not worked and not open_streak:
        codes = sorted({o.error_code for o in gateway_down})
        outbox.enqueue_operator(
            event=GATEWAY_FAILING,
            subject="The Audible gateway is failing",
            body=f"Every sync of the last scheduled run ({len(gateway_down)}) failed at the "
            f"gateway: {', '.join(codes)}. Check that it runs and that AUDIBLE_SERVICE_URL and "
            "AUDIBLE_API_SECRET match it.",
            link=links.admin_path(
                "audible_sync_audiblesynclog_changelist", query="status__exact=failed"
            ),
            dedupe_key=_key(None, GATEWAY_FAILING, gateway_down[0].log.pk),
        )
    elif worked and open_streak:
        outbox.enqueue_operator(
            event=GATEWAY_RECOVERED,
            subject="The Audible gateway works again",
            body=f"{len(worked)} sync(s) of the last scheduled run worked.",
            link=links.admin_path("audible_sync_audiblesynclog_changelist"),
            dedupe_key=_key(None, GATEWAY_RECOVERED, worked[0].log.pk),
        )
