"""What the dashboard shows, gathered in a fixed number of queries whatever the data's size.

Each function reads one panel with one query (aggregates and subqueries do the per-row work in
the database); :func:`build_dashboard` puts the panels together. Nothing here knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case
from django.db.models import Count
from django.db.models import F
from django.db.models import FloatField
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import Subquery
from django.db.models import Sum
from django.db.models import Value
from django.db.models import When
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils import timezone

from tracker_api.audible_sync.api.status import sync_status
from tracker_api.audible_sync.dashboard.chart import DayPoint
from tracker_api.audible_sync.models import AudibleBookMapping
from tracker_api.audible_sync.models import AudibleConflict
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.models import ConflictStatus
from tracker_api.books.models import Book
from tracker_api.books.models import BookStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CHART_DAYS = 30
RECENT_SYNCS = 10
TOP_CONFLICTS = 5
LISTENING_LIMIT = 20
PICKER_LIMIT = 500


def day_bounds(now: datetime, days: int) -> tuple[date, datetime, datetime]:
    """The first local day of the window and the window's [start, end) as aware datetimes.

    The window ends at the end of today in the current time zone, so "today" is a whole day.
    """
    zone = timezone.get_current_timezone()
    today = timezone.localdate(now, zone)
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    return first, start, end


def progress_days(
    user: User, *, now: datetime | None = None, days: int = CHART_DAYS
) -> list[DayPoint]:
    """Each of the last ``days`` local days, oldest first: points gained and books finished.

    Gained: the sum over that day's history rows of ``percent - previous_percent`` where it is
    positive. A row with no previous percent (the first time a title was seen) gains nothing:
    it says where the title stood, not what was heard that day; a backwards move or a re-listen
    restarting gains nothing either. Finished: rows that turned a title finished after it had
    been seen short of 100 %. One query, grouped by day in the database.
    """
    now = now or timezone.now()
    first, start, end = day_bounds(now, days)
    gain = Case(
        When(
            previous_percent__isnull=False,
            percent__gt=F("previous_percent"),
            then=F("percent") - F("previous_percent"),
        ),
        default=Value(0.0),
        output_field=FloatField(),
    )
    finished = Count(
        "id",
        filter=Q(is_finished=True, previous_percent__isnull=False, previous_percent__lt=100),
    )
    rows = (
        AudibleProgressHistory.objects.filter(
            user=user, recorded_at__gte=start, recorded_at__lt=end
        )
        .annotate(day=TruncDate("recorded_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(gained=Sum(gain), finished=finished)
        .order_by()
    )
    by_day = {row["day"]: row for row in rows}
    points = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day) or {}
        points.append(
            DayPoint(
                day=day,
                gained=round(float(row.get("gained") or 0.0), 2),
                finished=int(row.get("finished") or 0),
            )
        )
    return points


def recent_syncs(user: User, limit: int = RECENT_SYNCS) -> list[AudibleSyncLog]:
    """The newest sync logs, without their (possibly long) per-book change lists."""
    return list(
        AudibleSyncLog.objects.filter(user=user)
        .defer("changes")
        .order_by("-started_at", "-id")[:limit]
    )


def open_conflicts(user: User, limit: int = TOP_CONFLICTS) -> list[dict[str, Any]]:
    """The newest open conflicts' id, ASIN, Audible title, recommendation and date."""
    return list(
        AudibleConflict.objects.filter(user=user, status=ConflictStatus.OPEN)
        .annotate(title=KT("item__title"))
        .values("id", "asin", "title", "recommendation", "created_at")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class Listening:
    """A book being listened to: its Audible percent (the book's own when unknown)."""

    book: Book
    asin: str
    percent: float
    updated_at: datetime | None


def currently_listening(user: User, limit: int = LISTENING_LIMIT) -> tuple[list[Listening], bool]:
    """Books with status *reading* linked to an Audible title, most recently moved first.

    Returns up to ``limit`` of them and whether there are more. The last update is the newest
    progress-history row of the title (a subquery on its index), else when it was last seen.
    """
    latest = (
        AudibleProgressHistory.objects.filter(mapping=OuterRef("pk"))
        .order_by("-recorded_at", "-id")
        .values("recorded_at")[:1]
    )
    rows = (
        AudibleBookMapping.objects.filter(
            user=user, ignored=False, book__isnull=False, book__status=BookStatus.READING
        )
        .select_related("book")
        .defer("item")
        .annotate(last_progress_at=Subquery(latest))
        .order_by(F("last_progress_at").desc(nulls_last=True), "book__title", "id")[: limit + 1]
    )
    listening: list[Listening] = []
    seen_books: set[int] = set()
    for mapping in rows:
        if mapping.book is None or mapping.book.pk in seen_books:
            continue  # two Audible editions of one book: show the book once
        seen_books.add(mapping.book.pk)
        percent = mapping.last_percent
        if percent is None:
            percent = mapping.book.progress_percent
        listening.append(
            Listening(
                book=mapping.book,
                asin=mapping.asin,
                percent=round(min(max(float(percent), 0.0), 100.0), 1),
                updated_at=mapping.last_progress_at or mapping.last_seen_at,
            )
        )
    return listening[:limit], len(listening) > limit


@dataclass
class Dashboard:
    """Everything one person's dashboard shows."""

    user: User
    status: dict[str, Any]
    syncs: list[AudibleSyncLog]
    conflicts: list[dict[str, Any]]
    listening: list[Listening]
    more_listening: bool
    days: list[DayPoint]
    totals: dict[str, Any] = field(default_factory=dict)

    @property
    def open_conflict_count(self) -> int:
        return int(self.status["stats"]["open_conflicts"])


def build_dashboard(user: User, *, now: datetime | None = None) -> Dashboard:
    """The whole dashboard for ``user``; the number of queries does not depend on their data."""
    now = now or timezone.now()
    listening, more = currently_listening(user)
    days = progress_days(user, now=now)
    return Dashboard(
        user=user,
        status=sync_status(user, now),
        syncs=recent_syncs(user),
        conflicts=open_conflicts(user),
        listening=listening,
        more_listening=more,
        days=days,
        totals={
            "gained": round(sum(p.gained for p in days), 1),
            "finished": sum(p.finished for p in days),
            "active_days": sum(1 for p in days if p.active),
        },
    )


def picker_users(limit: int = PICKER_LIMIT) -> list[User]:
    """People a superuser can pick: everyone with an Audible config, by name (one query)."""
    model = get_user_model()
    return list(
        model.objects.filter(audible_config__isnull=False)
        .order_by(model.USERNAME_FIELD)
        .only("pk", model.USERNAME_FIELD)[:limit]
    )
