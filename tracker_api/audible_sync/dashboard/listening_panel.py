"""The dashboard's listening figures: time listened, books finished, the streak.

Everything comes from the tracker's own tables (no Audible call while a page renders): time
listened is Audible's aggregates as the sync stored them (``AudibleListening``, read through
:mod:`tracker_api.audible_sync.stats`, the same functions ``/api/stats`` uses), books finished
are the person's finished reads. Days and months are UTC, as Audible's aggregates are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.db.models import Max
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tracker_api.audible_sync import stats
from tracker_api.audible_sync.dashboard.chart import Bar
from tracker_api.audible_sync.models import AudibleListening
from tracker_api.audible_sync.models import ListeningPeriod
from tracker_api.books.models import BookRead
from tracker_api.books.models import ReadStatus

DAYS = 30
MONTHS = 12
RECENTLY_FINISHED = 5


@dataclass(frozen=True)
class Listened:
    """One person's listening on the dashboard (the charts' bars and the figures beside them)."""

    by_day: list[Bar]
    by_month: list[Bar]
    finished_by_month: list[Bar]
    days_total_ms: int
    months_total_ms: int
    active_days: int
    finished_total: int
    streak_days: int
    streak_ends_on: date | None
    fetched_at: datetime | None
    recently_finished: list[BookRead]


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def _finished_per_month(user: Any, starts: list[date]) -> dict[date, int]:
    since = datetime(starts[0].year, starts[0].month, 1, tzinfo=UTC)
    rows = (
        BookRead.objects.filter(book__user=user, status=ReadStatus.READ, finished_at__gte=since)
        .annotate(month=TruncMonth("finished_at", tzinfo=UTC))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["month"].date(): int(row["n"]) for row in rows}


def recently_finished(user: Any, limit: int = RECENTLY_FINISHED) -> list[BookRead]:
    """The newest finished reads with their book (one query)."""
    return list(
        BookRead.objects.filter(book__user=user, status=ReadStatus.READ, finished_at__isnull=False)
        .select_related("book")
        .order_by("-finished_at", "-id")[:limit]
    )


def listened(user: Any, *, today: date | None = None) -> Listened:
    """The last 30 days and 12 months of listening, finishes per month, the streak."""
    today = today or timezone.now().astimezone(UTC).date()
    day_starts = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    months = month_starts(today)
    days = stats.listened(user, ListeningPeriod.DAY, day_starts)
    per_month = stats.listened(user, ListeningPeriod.MONTH, months)
    finished = _finished_per_month(user, months)
    streak = stats.current_streak(user, today)
    fetched = AudibleListening.objects.filter(user=user).aggregate(last=Max("fetched_at"))["last"]
    return Listened(
        by_day=[
            Bar(
                key=row["starts_on"].isoformat(),
                label=f"{row['starts_on'].day} {row['starts_on']:%b}",
                value=row["listened_ms"],
            )
            for row in days
        ],
        by_month=[
            Bar(
                key=f"{row['starts_on']:%Y-%m}",
                label=f"{row['starts_on']:%b}",
                long_label=f"{row['starts_on']:%B %Y}",
                value=row["listened_ms"],
            )
            for row in per_month
        ],
        finished_by_month=[
            Bar(
                key=f"{start:%Y-%m}",
                label=f"{start:%b}",
                long_label=f"{start:%B %Y}",
                value=finished.get(start, 0),
            )
            for start in months
        ],
        days_total_ms=sum(row["listened_ms"] for row in days),
        months_total_ms=sum(row["listened_ms"] for row in per_month),
        active_days=sum(1 for row in days if row["listened_ms"] > 0),
        finished_total=sum(finished.get(start, 0) for start in months),
        streak_days=streak.days,
        streak_ends_on=streak.ends_on,
        fetched_at=fetched,
        recently_finished=recently_finished(user),
    )
