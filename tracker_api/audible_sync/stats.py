"""A person's listening and reading statistics, from the tracker's own tables only.

* time listened per day and per month: Audible's aggregates as the sync stored them
  (``AudibleListening``, see :mod:`tracker_api.audible_sync.listening`); every period of the
  window is present, 0 when nothing was heard or nothing is known;
* books finished per month and per year: the person's finished reads (``BookRead`` with status
  ``read`` and a finish), whatever recorded them (the sync, an import, by hand);
* the current streak: consecutive days with listening, ending today, or yesterday when
  today has none yet (a streak is not broken before the day is over).

Days and months are UTC, as Audible's aggregates are. Plain functions of (person, today):
``/api/stats`` serves :func:`person_stats`, and a dashboard can call the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.db.models import Max
from django.db.models.functions import TruncMonth
from django.db.models.functions import TruncYear
from django.utils import timezone

from tracker_api.audible_sync.models import AudibleListening
from tracker_api.audible_sync.models import ListeningPeriod
from tracker_api.books.models import BookRead
from tracker_api.books.models import ReadStatus

MAX_DAYS = 366
MAX_MONTHS = 120


@dataclass(frozen=True)
class Streak:
    days: int
    ends_on: date | None


def _month_starts(today: date, months: int) -> list[date]:
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def listened(user: Any, period: str, starts: list[date]) -> list[dict[str, Any]]:
    """``[{"starts_on", "listened_ms"}]`` for each of ``starts`` (0 where nothing is stored)."""
    stored = dict(
        AudibleListening.objects.filter(
            user=user, period=period, starts_on__gte=starts[0], starts_on__lte=starts[-1]
        ).values_list("starts_on", "listened_ms")
    )
    return [{"starts_on": day, "listened_ms": int(stored.get(day, 0))} for day in starts]


def current_streak(user: Any, today: date) -> Streak:
    """Consecutive listening days ending today (or yesterday, when today has none yet)."""
    heard = set(
        AudibleListening.objects.filter(
            user=user,
            period=ListeningPeriod.DAY,
            listened_ms__gt=0,
            starts_on__lte=today,
            starts_on__gt=today - timedelta(days=MAX_DAYS * 3),
        ).values_list("starts_on", flat=True)
    )
    end = today if today in heard else today - timedelta(days=1)
    if end not in heard:
        return Streak(0, None)
    day, count = end, 0
    while day in heard:
        count += 1
        day -= timedelta(days=1)
    return Streak(count, end)


def finished_counts(user: Any) -> dict[str, list[dict[str, Any]]]:
    """Finished reads per month and per year, oldest first (only periods with a finish)."""
    finished = BookRead.objects.filter(
        book__user=user, status=ReadStatus.READ, finished_at__isnull=False
    )

    def per(trunc: Any) -> list[tuple[date, int]]:
        rows = (
            finished.annotate(period=trunc("finished_at"))
            .values("period")
            .annotate(n=Count("id"))
            .order_by("period")
        )
        return [(row["period"].date(), row["n"]) for row in rows]

    return {
        "by_month": [
            {"month": f"{d.year:04d}-{d.month:02d}", "count": n} for d, n in per(TruncMonth)
        ],
        "by_year": [{"year": d.year, "count": n} for d, n in per(TruncYear)],
    }


def person_stats(
    user: Any, *, days: int = 30, months: int = 12, today: date | None = None
) -> dict[str, Any]:
    """Everything ``/api/stats`` answers (see the module docstring)."""
    today = today or timezone.now().date()
    day_starts = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    by_day = listened(user, ListeningPeriod.DAY, day_starts)
    by_month = listened(user, ListeningPeriod.MONTH, _month_starts(today, months))
    streak = current_streak(user, today)
    fetched: datetime | None = AudibleListening.objects.filter(user=user).aggregate(
        last=Max("fetched_at")
    )["last"]
    finished = finished_counts(user)
    return {
        "listening": {
            "by_day": [{"date": r["starts_on"], "listened_ms": r["listened_ms"]} for r in by_day],
            "by_month": [
                {"month": r["starts_on"].strftime("%Y-%m"), "listened_ms": r["listened_ms"]}
                for r in by_month
            ],
            "days_total_ms": sum(r["listened_ms"] for r in by_day),
            "months_total_ms": sum(r["listened_ms"] for r in by_month),
            "fetched_at": fetched,
        },
        "finished": {
            **finished,
            "this_year": next(
                (r["count"] for r in finished["by_year"] if r["year"] == today.year), 0
            ),
        },
        "streak": {"days": streak.days, "ends_on": streak.ends_on},
    }
