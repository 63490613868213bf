"""The dashboard's data: each panel from the right rows, days in the local time zone, and a
query count that does not grow with the person's library or history."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import HistoryFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory
from tracker_api.audible_sync.dashboard.data import build_dashboard
from tracker_api.audible_sync.dashboard.data import currently_listening
from tracker_api.audible_sync.dashboard.data import open_conflicts
from tracker_api.audible_sync.dashboard.data import picker_users
from tracker_api.audible_sync.dashboard.data import recent_syncs
from tracker_api.audible_sync.models import AudibleListening

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 6, 30, 15, 0, tzinfo=UTC)


def at(days_ago: int, hour: int = 12) -> datetime:
    return (NOW - timedelta(days=days_ago)).replace(hour=hour)


def history(user, days_ago: int, percent: float, previous: float | None, **extra):
    mapping = extra.pop("mapping", None) or MappingFactory(user=user)
    return HistoryFactory(
        mapping=mapping,
        percent=percent,
        previous_percent=previous,
        recorded_at=at(days_ago, extra.pop("hour", 12)),
        **extra,
    )


# --- the other panels ---------------------------------------------------------------------------


def test_currently_listening_reading_books_newest_movement_first(alice, bob):
    older = BookFactory(user=alice, title="Older", status="reading", progress_percent=30.0)
    newer = BookFactory(user=alice, title="Newer", status="reading", progress_percent=10.0)
    quiet = BookFactory(user=alice, title="Quiet", status="reading", progress_percent=5.0)
    old_map = MappingFactory(user=alice, book=older, last_percent=35.0)
    new_map = MappingFactory(user=alice, book=newer, last_percent=12.345)
    MappingFactory(user=alice, book=quiet)  # never seen: the book's own percent
    history(alice, 5, 35.0, 20.0, mapping=old_map)
    history(alice, 2, 12.345, 0.0, mapping=new_map)
    MappingFactory(user=alice, book=BookFactory(user=alice, status="read"), last_percent=100)
    MappingFactory(user=alice, book=BookFactory(user=alice, status="reading"), ignored=True)
    BookFactory(user=alice, status="reading")  # not on Audible
    MappingFactory(user=bob, book=BookFactory(user=bob, status="reading"))

    rows, more = currently_listening(alice)
    assert [(r.book.title, r.percent) for r in rows] == [
        ("Newer", 12.3),
        ("Older", 35.0),
        ("Quiet", 5.0),
    ]
    assert rows[0].updated_at == at(2)
    assert not more
    rows, more = currently_listening(alice, limit=2)
    assert len(rows) == 2
    assert more


def test_open_conflicts_newest_five_with_their_audible_title(alice, bob):
    for n in range(7):
        ConflictFactory(user=alice, item={"title": f"Title {n}"})
    ConflictFactory(user=alice, status="resolved", resolution="ignored", item={"title": "Done"})
    ConflictFactory(user=bob, item={"title": "Bob's"})
    rows = open_conflicts(alice)
    assert [r["title"] for r in rows] == [f"Title {n}" for n in (6, 5, 4, 3, 2)]


def test_recent_syncs_newest_ten(alice, bob):
    for n in range(12):
        SyncLogFactory(user=alice, started_at=at(n), items_seen=n)
    SyncLogFactory(user=bob)
    assert [log.items_seen for log in recent_syncs(alice)] == list(range(10))


def test_picker_lists_people_with_a_config(alice, bob, django_user_model):
    ConfigFactory(user=bob)
    ConfigFactory(user=alice)
    django_user_model.objects.create(username="no-config")
    assert [u.username for u in picker_users()] == ["alice", "bob"]


def test_build_dashboard_puts_the_panels_together(alice):
    ConfigFactory(user=alice, account={"customer_name": "Alice A."})
    SyncLogFactory(user=alice, status="failed", error="Audible did not answer.")
    ConflictFactory(user=alice)
    AudibleListening.objects.create(user=alice, period="day", starts_on=NOW.date(), listened_ms=5)
    board = build_dashboard(alice, now=NOW)
    assert board.status["connection"]["state"] == "connected"
    assert board.open_conflict_count == 1
    assert board.syncs[0].error == "Audible did not answer."
    assert board.listened.days_total_ms == 5
    assert board.listened.by_day[-1].key == "2024-06-30"


# --- queries -----------------------------------------------------------------------------------


def _fill(user, books: int) -> None:
    for n in range(books):
        book = BookFactory(user=user, status="reading", progress_percent=n % 100)
        mapping = MappingFactory(user=user, book=book, last_percent=float(n % 100))
        history(user, n % 30, float(n % 100), 0.0, mapping=mapping)
        SyncLogFactory(user=user, started_at=at(n % 30))
        ConflictFactory(user=user)


def _count(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        board = build_dashboard(user, now=NOW)
        # touch everything a template reads
        [(row.book.title, row.percent) for row in board.listening]
        [(log.status, log.error) for log in board.syncs]
    return len(queries)


def test_queries_do_not_grow_with_books_and_history(alice, django_assert_max_num_queries):
    ConfigFactory(user=alice)
    _fill(alice, 5)
    few = _count(alice)
    _fill(alice, 45)
    with django_assert_max_num_queries(few):
        board = build_dashboard(alice, now=NOW)
        [(row.book.title, row.percent) for row in board.listening]
        [(log.status, log.error) for log in board.syncs]
    assert len(board.listening) == 20
    assert board.more_listening
    assert board.open_conflict_count == 50
