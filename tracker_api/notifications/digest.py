"""The weekly digest: books finished, time listened and conflicts waiting.

Queued on the person's digest day (in their time zone) by the first delivery run of that day,
once per week (the dedupe key is the day). It covers the seven whole local days before the
digest day:

* **books finished**: reads of the person's books that ended (status *read*) in the window;
* **time listened**: the forward moves of the listening position that syncs recorded in the
  window, summed over titles (each move measured from the title's previous snapshot, also one
  from before the window); a backward move (a restart, a re-listen) adds nothing;
* **conflicts waiting**: the open conflicts when the digest is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from django.utils import timezone

from tracker_api.notifications import events
from tracker_api.notifications import links
from tracker_api.notifications import outbox
from tracker_api.notifications.models import NotificationSettings


@dataclass(frozen=True)
class DigestFigures:
    start: datetime
    end: datetime
    books_finished: list[str]
    listened_ms: int
    conflicts_waiting: int

    @property
    def listened(self) -> str:
        minutes = self.listened_ms // 60000
        return f"{minutes // 60} h {minutes % 60:02d} min"


def window(prefs: NotificationSettings, digest_day: date) -> tuple[datetime, datetime]:
    zone = prefs.zone()
    end = datetime.combine(digest_day, time.min, tzinfo=zone)
    return end - timedelta(days=7), end


def listened_ms(user_id: int, start: datetime, end: datetime) -> int:
    """Sum of forward position moves recorded in [start, end) (see the module docstring)."""
    from tracker_api.audible_sync.models import AudibleProgressHistory

    rows = AudibleProgressHistory.objects.filter(
        user_id=user_id, recorded_at__lt=end, position_ms__isnull=False
    )
    in_window = rows.filter(recorded_at__gte=start)
    mappings = set(in_window.values_list("mapping_id", flat=True))
    total = 0
    for mapping_id in mappings:
        before = (
            rows.filter(mapping_id=mapping_id, recorded_at__lt=start)
            .order_by("-recorded_at", "-id")
            .values_list("position_ms", flat=True)
            .first()
        )
        previous = before
        for position in (
            in_window.filter(mapping_id=mapping_id)
            .order_by("recorded_at", "id")
            .values_list("position_ms", flat=True)
        ):
            if position is None:  # excluded by the filter; for the type checker
                continue
            if previous is not None and position > previous:
                total += position - previous
            previous = position
    return total


def figures(prefs: NotificationSettings, digest_day: date) -> DigestFigures:
    from tracker_api.audible_sync.models import AudibleConflict
    from tracker_api.audible_sync.models import ConflictStatus
    from tracker_api.books.models import BookRead
    from tracker_api.books.models import ReadStatus

    start, end = window(prefs, digest_day)
    finished = list(
        BookRead.objects.filter(
            book__user_id=prefs.user_id,
            status=ReadStatus.READ,
            finished_at__gte=start,
            finished_at__lt=end,
        )
        .order_by("finished_at", "id")
        .values_list("book__title", flat=True)
    )
    return DigestFigures(
        start=start,
        end=end,
        books_finished=finished,
        listened_ms=listened_ms(prefs.user_id, start, end),
        conflicts_waiting=AudibleConflict.objects.filter(
            user_id=prefs.user_id, status=ConflictStatus.OPEN
        ).count(),
    )


def queue_due_digests(now: datetime | None = None) -> int:
    """Queue today's digest of everyone whose digest day it is; the number queued."""
    now = now or timezone.now()
    queued = 0
    for prefs in NotificationSettings.objects.filter(digest_day__isnull=False):
        today = now.astimezone(prefs.zone()).date()
        if today.weekday() != prefs.digest_day:
            continue
        key = f"user:{prefs.user_id}:{events.WEEKLY_DIGEST}:{today.isoformat()}"
        if outbox.Notification.objects.filter(dedupe_key=key).exists():
            continue
        found = figures(prefs, today)
        books = len(found.books_finished)
        titles = f": {', '.join(found.books_finished[:10])}" if books else ""
        body = (
            f"{books} book{'s' if books != 1 else ''} finished{titles}\n"
            f"{found.listened} listened\n"
            f"{found.conflicts_waiting} conflict{'s' if found.conflicts_waiting != 1 else ''} "
            "waiting for your decision"
        )
        first = found.start.date().isoformat()
        last = (found.end - timedelta(days=1)).date().isoformat()
        if outbox.enqueue(
            user_id=prefs.user_id,
            event=events.WEEKLY_DIGEST,
            subject=f"Your week in books ({first} to {last})",
            body=body,
            link=links.admin_path("audible_sync_dashboard"),
            dedupe_key=key,
            now=now,
        ):
            queued += 1
    return queued
