"""The dashboard's listening panel: time per day and month from the stored aggregates, books
finished per month, the streak, recently finished, time left; and the page shows exactly those
figures (no Audible call: nothing here has a gateway)."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from tests.support.factories import BookFactory
from tests.support.factories import MappingFactory
from tracker_api.audible_sync.dashboard.chart import HOUR_MS
from tracker_api.audible_sync.dashboard.chart import MINUTE_MS
from tracker_api.audible_sync.dashboard.data import currently_listening
from tracker_api.audible_sync.dashboard.listening_panel import listened
from tracker_api.audible_sync.models import AudibleListening
from tracker_api.books.models import BookRead

pytestmark = pytest.mark.django_db
TODAY = date(2024, 6, 30)


def heard(user, period: str, starts_on: date, ms: int) -> None:
    AudibleListening.objects.create(user=user, period=period, starts_on=starts_on, listened_ms=ms)


def finished(user, title: str, on: datetime) -> BookRead:
    book = BookFactory(user=user, title=title, status="read")
    return BookRead.objects.create(book=book, status="read", percent=100, finished_at=on)


def test_days_and_months_come_from_the_stored_aggregates(alice, bob):
    heard(alice, "day", TODAY, 2 * HOUR_MS)
    heard(alice, "day", TODAY - timedelta(days=1), 30 * MINUTE_MS)
    heard(alice, "day", TODAY - timedelta(days=30), HOUR_MS)  # 31 days ago: outside
    heard(alice, "month", date(2024, 6, 1), 5 * HOUR_MS)
    heard(alice, "month", date(2023, 7, 1), HOUR_MS)  # the 12th month back
    heard(alice, "month", date(2023, 6, 1), HOUR_MS)  # the 13th: outside
    heard(bob, "day", TODAY, 9 * HOUR_MS)
    got = listened(alice, today=TODAY)
    assert len(got.by_day) == 30
    assert got.by_day[0].key == "2024-06-01"
    assert got.by_day[-1].value == 2 * HOUR_MS
    assert got.days_total_ms == 2 * HOUR_MS + 30 * MINUTE_MS
    assert got.active_days == 2
    assert [b.key for b in got.by_month][:1] == ["2023-07"]
    assert got.by_month[-1].key == "2024-06"
    assert got.months_total_ms == 6 * HOUR_MS
    assert got.streak_days == 2
    assert got.streak_ends_on == TODAY


def test_finished_per_month_and_recently_finished(alice, bob):
    finished(alice, "Old", datetime(2023, 6, 20, tzinfo=UTC))  # 13 months back: outside
    finished(alice, "May one", datetime(2024, 5, 3, tzinfo=UTC))
    finished(alice, "May two", datetime(2024, 5, 30, tzinfo=UTC))
    finished(alice, "June", datetime(2024, 6, 2, tzinfo=UTC))
    finished(bob, "Bob's", datetime(2024, 6, 2, tzinfo=UTC))
    got = listened(alice, today=TODAY)
    counts = {b.key: b.value for b in got.finished_by_month if b.value}
    assert counts == {"2024-05": 2, "2024-06": 1}
    assert got.finished_total == 3
    assert [r.book.title for r in got.recently_finished] == ["June", "May two", "May one", "Old"]


def test_time_left_from_runtime_and_position(alice):
    book = BookFactory(user=alice, title="Long", status="reading")
    MappingFactory(
        user=alice,
        book=book,
        last_percent=25.0,
        last_position_ms=3 * HOUR_MS,
        item={"title": "Long", "runtime_min": 600},
    )
    other = BookFactory(user=alice, title="No position", status="reading")
    MappingFactory(user=alice, book=other, last_percent=50.0, item={"runtime_min": 120})
    unknown = BookFactory(user=alice, title="No runtime", status="reading")
    MappingFactory(user=alice, book=unknown, last_percent=50.0, item={})
    rows = {row.book.title: row.left_ms for row in currently_listening(alice)[0]}
    assert rows == {"Long": 7 * HOUR_MS, "No position": HOUR_MS, "No runtime": None}


def test_the_page_shows_what_the_database_holds(admin_client, alice):
    today = datetime.now(UTC).date()
    minutes = [0, 47, 0, 95, 12]  # today, yesterday, ...
    for ago, n in enumerate(minutes):
        heard(alice, "day", today - timedelta(days=ago), n * MINUTE_MS)
    heard(alice, "month", today.replace(day=1), 154 * MINUTE_MS)
    finished(alice, "Dune", datetime.now(UTC) - timedelta(hours=1))
    book = BookFactory(user=alice, title="In progress", status="reading")
    MappingFactory(user=alice, book=book, last_percent=40.0, item={"runtime_min": 300})

    page = admin_client.get(f"/admin/audible_sync/dashboard/{alice.pk}/").content.decode()

    stored_days = sum(
        AudibleListening.objects.filter(
            user=alice, period="day", starts_on__gt=today - timedelta(days=30)
        ).values_list("listened_ms", flat=True)
    )
    assert f'id="fig-days-total" data-ms="{stored_days}">2 h 34 min<' in page
    assert 'id="fig-months-total" data-ms="9240000">2 h 34 min<' in page
    assert '<span id="fig-active-days">3</span> days' in page
    # the streak: yesterday, then a gap the day before (today has nothing yet)
    assert 'id="fig-streak" data-days="1">1 day<' in page
    assert 'id="fig-finished" data-count="1">1<' in page
    day_bars = re.findall(
        r'data-key="([\d-]+)" data-value="(\d+)"', page.split('id="chart-months"')[0]
    )
    assert day_bars == [
        ((today - timedelta(days=ago)).isoformat(), str(n * MINUTE_MS))
        for ago, n in reversed(list(enumerate(minutes)))
        if n
    ]
    assert 'data-key="' + today.strftime("%Y-%m") + '" data-value="9240000"' in page
    assert "Dune" in page.split('id="dash-finished"')[1]
    assert 'class="dash-left" data-ms="10800000">3 h left<' in page
    assert "percentage points" not in page
