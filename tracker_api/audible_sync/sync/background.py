"""A sync started by a page, run after the page has answered: the admin's "Sync now".

:func:`start_sync` does in the request what decides whether the sync may run at all (the
person's lock, Audible's back-off, our rate limit; each refusal raises as :func:`run_sync`'s
do, at once) and then runs the sync in a thread started *after* the request's transaction
commits, holding the lock it took. The thread belongs to the worker process that served the
request (gunicorn's threads or sync workers alike); the page follows it through the sync log,
which is in the database and so seen by every worker: :func:`progress` reads it.

Progress (titles seen, titles handled) is written to the running log row while the run goes:
titles seen once the library is fetched (outside the apply transaction, so visible at once),
titles handled through a second database connection in autocommit, because the apply
transaction's own writes are invisible to other workers until it commits. SQLite allows one
writer at a time, so there only the seen count and the final counts are written.

A worker that stops mid-run (killed, redeployed) leaves the lock to go stale and the log row
running; the next sync marks that row interrupted (``lock.close_interrupted_runs``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db import connections
from django.db import transaction

from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import SyncStatus
from tracker_api.audible_sync.sync import lock
from tracker_api.audible_sync.sync.service import ALREADY_RUNNING
from tracker_api.audible_sync.sync.service import NotConnected
from tracker_api.audible_sync.sync.service import SyncAlreadyRunning
from tracker_api.audible_sync.sync.service import SyncRefused
from tracker_api.audible_sync.sync.service import _skip_log
from tracker_api.audible_sync.sync.service import get_config
from tracker_api.audible_sync.sync.service import refuse_if_limited
from tracker_api.audible_sync.sync.service import run_sync
from tracker_api.households.membership import connection_for
from tracker_api.households.membership import with_seat

log = logging.getLogger("tracker_api.audible_sync.sync")

PROGRESS_EVERY_S = 0.25
THREAD_NAME = "audible-sync-now"


@dataclass(frozen=True)
class Started:
    """A sync that will run: whose, and the id of the newest log before it (to tell its row)."""

    user_id: int
    after_log_id: int


def start_sync(user: Any, *, trigger: str, force: bool = False, dry_run: bool = False) -> Started:
    """Take ``user``'s lock and check the limits now; run the sync once the request commits.

    Raises :class:`SyncRefused` subclasses as :func:`run_sync` would (not connected, already
    running, Audible's back-off, our rate limit; the last three logged as skipped).
    """
    config = get_config(user)
    if not config.is_connected:
        raise NotConnected("No Audible account is connected; connect one before syncing.")
    token = lock.acquire(config.pk)
    if token is None:
        row = _skip_log(config.user_id, trigger, ALREADY_RUNNING, dry_run=dry_run)
        raise SyncAlreadyRunning(ALREADY_RUNNING, log_row=row)
    try:
        lock.close_interrupted_runs(config.user_id)
        config.refresh_from_db()
        refuse_if_limited(config, trigger=trigger, force=force, dry_run=dry_run)
    except SyncRefused:
        lock.release(config.pk, token)
        raise
    newest = (
        AudibleSyncLog.objects.filter(user_id=config.user_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )

    def launch() -> None:
        thread = threading.Thread(
            target=_run,
            kwargs={
                "user": user,
                "config_id": config.pk,
                "token": token,
                "trigger": trigger,
                "force": force,
                "dry_run": dry_run,
            },
            name=THREAD_NAME,
            daemon=False,  # a graceful worker stop waits for the run instead of cutting it
        )
        thread.start()

    transaction.on_commit(launch)
    return Started(user_id=config.user_id, after_log_id=newest or 0)


def _run(
    *, user: Any, config_id: int, token: str, trigger: str, force: bool, dry_run: bool
) -> None:
    """The thread: one :func:`run_sync` with the lock taken in the request, then clean up."""
    reporter = ProgressReporter()
    try:
        run_sync(
            user,
            trigger=trigger,
            force=force,
            dry_run=dry_run,
            lock_token=token,
            on_start=reporter.started,
            on_total=reporter.total,
            on_item=reporter.item,
        )
    except SyncRefused as exc:  # the limits changed in between (another sync): it is logged
        log.info("background sync of user %s refused: %s", getattr(user, "pk", None), exc.code)
    except Exception:
        log.exception("background sync of user %s crashed", getattr(user, "pk", None))
        lock.release(config_id, token)
    finally:
        reporter.finish()
        connections.close_all()  # this thread's connections only (they are per thread)


class ProgressReporter:
    """Writes a running sync's titles seen / handled to its log row, for pages to poll."""

    def __init__(
        self, every_s: float = PROGRESS_EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.every_s = every_s
        self.clock = clock
        self.row_id: int | None = None
        self.done = 0
        self._written_at = 0.0
        self._side: Any = None

    def started(self, row: AudibleSyncLog) -> None:
        self.row_id = row.pk

    def total(self, count: int) -> None:
        """The library is fetched: titles seen, written on the run's own (idle) connection."""
        if self.row_id is not None:
            AudibleSyncLog.objects.filter(pk=self.row_id).update(items_seen=count)

    def item(self, done: int) -> None:
        self.done = done
        now = self.clock()
        if self.row_id is None or now - self._written_at < self.every_s:
            return
        self._written_at = now
        side = self._side_connection()
        if side is None:
            return
        table = AudibleSyncLog._meta.db_table
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET items_applied = %s WHERE id = %s AND status = %s",  # noqa: S608
                [done, self.row_id, SyncStatus.RUNNING],
            )

    def _side_connection(self) -> Any:
        """A second connection (autocommit) on PostgreSQL; None on SQLite (one writer)."""
        if connection.vendor != "postgresql":
            return None
        if self._side is None:
            self._side = connections.create_connection("default")
        return self._side

    def finish(self) -> None:
        """The final count of titles handled, after the run (its transaction is over)."""
        if self._side is not None:
            self._side.close()
            self._side = None
        if self.row_id is not None:
            AudibleSyncLog.objects.filter(pk=self.row_id).update(items_applied=self.done)


def progress(user: Any, after_log_id: int = 0) -> dict[str, Any]:
    """What a page shows of ``user``'s newest sync since log ``after_log_id`` (JSON-ready).

    ``state``: ``waiting`` (started, no log row yet), ``running`` (with ``seen``/``applied``),
    or the finished run's status (``ok``, ``partial``, ``failed``, ``skipped``) with its counts
    and sentence. ``none`` when there is no run after ``after_log_id`` and none is running.
    """
    row = (
        AudibleSyncLog.objects.filter(user=user, pk__gt=after_log_id)
        .defer("changes")
        .order_by("-id")
        .first()
    )
    connection = _connection_of(user)
    locked = bool(connection.sync_lock_token)
    if row is None:
        if locked and connection.user_id != user.pk:
            household = _household_run(connection.user_id, after_log_id)
            if household is not None:
                return {**household, "text": progress_text(household)}
        waiting: dict[str, Any] = {"state": "waiting" if locked else "none", "running": locked}
        return {**waiting, "text": progress_text(waiting)}
    # A finished row whose run still holds the lock (the work after its commit: listening
    # figures, notifications) is still running for the person: a new press would be refused.
    finishing = row.status != SyncStatus.RUNNING and locked
    state = SyncStatus.RUNNING if finishing else row.status
    body: dict[str, Any] = {
        "state": state,
        "running": state == SyncStatus.RUNNING,
        "log_id": row.pk,
        "dry_run": row.dry_run,
        "started_at": row.started_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "seen": row.items_seen,
        "applied": _applied(row),
        "linked": row.linked,
        "created": row.created,
        "updated": row.updated,
        "conflicts_opened": row.conflicts_opened,
        "errors": row.errors,
        "duration_ms": row.duration_ms,
        "message": row.error,
    }
    return {**body, "text": progress_text(body)}


def _connection_of(user: Any) -> AudibleConfig:
    """The config whose lock ``user``'s syncs take (read now): the household's for a member.
    One query for a person in no household, as the lock check always was."""
    own = with_seat(
        AudibleConfig.objects.filter(user=user).only("pk", "user_id", "sync_lock_token")
    ).first()
    if own is None:
        return AudibleConfig(user_id=user.pk)
    return connection_for(own) or own


def _household_run(owner_id: int, after_log_id: int) -> dict[str, Any] | None:
    """A member's view of the household run they started, before their own row is committed
    (it is written inside the run's transaction): the run's titles seen and handled, which
    are counts of the whole library, never another person's titles."""
    run = (
        AudibleSyncLog.objects.filter(
            user_id=owner_id, pk__gt=after_log_id, status=SyncStatus.RUNNING
        )
        .only("pk", "items_seen", "items_applied", "status")
        .order_by("-id")
        .first()
    )
    if run is None:
        return None
    return {
        "state": SyncStatus.RUNNING,
        "running": True,
        "household": True,
        "seen": run.items_seen,
        "applied": run.items_applied or 0,
    }


def _applied(row: AudibleSyncLog) -> int:
    """Titles handled so far while running; once finished, those that went through without
    an error (the same figure on PostgreSQL and SQLite, where no count is written mid-run)."""
    if row.status == SyncStatus.RUNNING:
        return row.items_applied or 0
    if row.status in (SyncStatus.OK, SyncStatus.PARTIAL):
        return max(0, row.items_seen - row.errors)
    return 0


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def progress_text(body: dict[str, Any]) -> str:
    """The sentence a page shows for a :func:`progress` answer (one wording, for every page)."""
    state = body["state"]
    if state == "none":
        return "No sync has run since."
    if state == "waiting":
        return "Starting the sync…"
    seen, applied = body.get("seen", 0), body.get("applied", 0)
    if state == SyncStatus.RUNNING:
        if body.get("household") and not seen:
            return "Running the household's sync: fetching the library from Audible…"
        if body.get("household"):
            return (
                f"Running the household's sync: {_plural(seen, 'title')} seen, {applied} applied…"
            )
        if not seen:
            return "Running: fetching your library from Audible…"
        return f"Running: {_plural(seen, 'title')} seen, {applied} applied…"
    message = body.get("message") or ""
    if state == SyncStatus.SKIPPED:
        return f"Not run: {message}"
    if state == SyncStatus.FAILED:
        return f"Failed: {message or 'the sync failed.'}"
    done = "Done" if state == SyncStatus.OK else "Done in part"
    counts = (
        f"{_plural(seen, 'title')} seen, {applied} applied · {body['linked']} linked · "
        f"{body['created']} created · {body['updated']} updated · "
        f"{_plural(body['conflicts_opened'], 'conflict')} opened"
    )
    dry = " (dry run: nothing was saved)" if body.get("dry_run") else ""
    return f"{done}{dry}: {counts}." + (f" {message}" if message else "")
