"""Listening statistics: fetched from Audible's aggregates during a real sync (sandbox, real
gateway), stored per day and month, and served by ``GET /api/stats`` with the books finished
and the current streak, without asking Audible again."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from audible_gateway.sandbox import clock
from tests.core.test_schema import assert_conforms
from tests.support.factories import BookFactory
from tests.support.factories import UserFactory
from tests.support.people import token_client
from tracker_api.audible_sync import stats
from tracker_api.audible_sync.models import AudibleListening
from tracker_api.audible_sync.sync import run_sync
from tracker_api.books.models import BookRead

pytestmark = pytest.mark.django_db
AGGREGATES = "/1.0/stats/aggregates"
HOUR = 3_600_000
IN_PROGRESS = "B0PZHZFWVU"


def _listened(stack, *entries: tuple[int, int]) -> None:
    """``(days ago, ms)`` heard at noon UTC, replacing what the sample implied."""
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    with stack.state.lock:
        stack.state.listening_log[:] = [
            (clock.epoch_ms(noon - timedelta(days=ago)), ms) for ago, ms in entries
        ]


def test_a_sync_stores_the_figures_and_the_api_serves_them(listener, stack, schema):
    _listened(stack, (0, 2 * HOUR), (1, HOUR), (2, HOUR // 2), (4, HOUR), (45, 3 * HOUR))
    stack.state.reset_calls()
    row = run_sync(listener, trigger="manual", force=True).log
    assert row.status == "ok", row.error
    assert stack.state.calls_to(AGGREGATES) == 2
    today = datetime.now(UTC).date()
    days = dict(
        AudibleListening.objects.filter(user=listener, period="day").values_list(
            "starts_on", "listened_ms"
        )
    )
    assert len(days) == 30
    assert days[today] == 2 * HOUR
    assert days[today - timedelta(days=3)] == 0

    answer = token_client(listener).get("/api/stats")
    assert answer.status_code == 200
    assert_conforms(schema, "/api/stats", "get", answer)
    body = answer.json()
    assert body["listening"]["by_day"][-1] == {"date": today.isoformat(), "listened_ms": 2 * HOUR}
    assert body["listening"]["days_total_ms"] == 4 * HOUR + HOUR // 2
    assert body["listening"]["months_total_ms"] == 7 * HOUR + HOUR // 2
    assert body["listening"]["by_month"][-1]["month"] == today.strftime("%Y-%m")
    assert body["streak"] == {"days": 3, "ends_on": today.isoformat()}
    finished = BookRead.objects.filter(book__user=listener, status="read").exclude(finished_at=None)
    assert sum(r["count"] for r in body["finished"]["by_year"]) == finished.count() > 0
    assert sum(r["count"] for r in body["finished"]["by_month"]) == finished.count()
    assert body["finished"]["this_year"] == finished.filter(finished_at__year=today.year).count()


def test_an_unchanged_resync_does_not_ask_again_and_a_changed_one_does(listener, stack):
    _listened(stack, (0, HOUR))
    run_sync(listener, trigger="manual", force=True)
    stack.state.reset_calls()
    again = run_sync(listener, trigger="manual", force=True).log
    assert stack.state.calls_to(AGGREGATES) == 0
    assert again.audible_requests == stack.state.calls_to("/1.0/library") + stack.state.calls_to(
        "/1.0/annotations/lastpositions"
    )  # the library only
    stack.state.update_progress(IN_PROGRESS, percent=60.0)  # listening between syncs
    stack.state.reset_calls()
    moved = run_sync(listener, trigger="manual", force=True).log
    assert stack.state.calls_to(AGGREGATES) == 2
    assert moved.audible_requests == stack.state.calls_to("/1.0/library") + stack.state.calls_to(
        "/1.0/annotations/lastpositions"
    ) + stack.state.calls_to(AGGREGATES)
    today = datetime.now(UTC).date()
    assert (
        AudibleListening.objects.get(user=listener, period="day", starts_on=today).listened_ms
        > HOUR
    )  # the listening between syncs was added


def test_a_failing_stats_fetch_never_fails_the_sync(listener, stack):
    stack.state.arm_fault(path=AGGREGATES, status=500, count=None)
    try:
        row = run_sync(listener, trigger="manual", force=True).log
    finally:
        stack.state.clear_faults()
    assert row.status == "ok", row.error
    assert not AudibleListening.objects.filter(user=listener).exists()
    body = token_client(listener).get("/api/stats").json()
    assert body["listening"]["fetched_at"] is None
    assert body["streak"] == {"days": 0, "ends_on": None}


def test_the_streak_survives_a_day_not_yet_listened_and_breaks_on_a_gap(db):
    person = UserFactory(username="streaky")
    today = date(2026, 11, 25)

    def heard(*days_ago: int) -> None:
        AudibleListening.objects.filter(user=person).delete()
        for ago in days_ago:
            AudibleListening.objects.create(
                user=person, period="day", starts_on=today - timedelta(days=ago), listened_ms=60000
            )

    heard(1, 2, 3, 5)
    assert stats.current_streak(person, today) == stats.Streak(3, today - timedelta(days=1))
    heard(0, 1, 3)
    assert stats.current_streak(person, today) == stats.Streak(2, today)
    heard(2, 3)
    assert stats.current_streak(person, today) == stats.Streak(0, None)


def test_books_finished_per_month_and_year_and_bad_windows(api, alice, schema):
    book = BookFactory(user=alice)
    for moment in ("2024-12-31T23:59:00", "2025-01-01T00:01:00", "2025-01-20T10:00:00"):
        BookRead.objects.create(
            book=book,
            status="read",
            percent=100,
            finished_at=datetime.fromisoformat(moment).replace(tzinfo=UTC),
        )
    BookRead.objects.create(book=book, status="reading")
    body = api.get("/api/stats?days=7&months=2").json()
    assert body["finished"]["by_year"] == [{"year": 2024, "count": 1}, {"year": 2025, "count": 2}]
    assert body["finished"]["by_month"] == [
        {"month": "2024-12", "count": 1},
        {"month": "2025-01", "count": 2},
    ]
    assert len(body["listening"]["by_day"]) == 7
    assert len(body["listening"]["by_month"]) == 2
    for bad in ("?days=0", "?days=367", "?months=121", "?days=x"):
        refused = api.get(f"/api/stats{bad}")
        assert refused.status_code == 400, bad
        assert_conforms(schema, "/api/stats", "get", refused)
    assert (
        token_client(UserFactory(username="other")).get("/api/stats").json()["finished"]["by_year"]
        == []
    )
