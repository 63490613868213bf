"""The four SQL views read back what the tables hold, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tests.support.factories import ConflictFactory
from tests.support.factories import HistoryFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory

pytestmark = pytest.mark.django_db


def rows(view: str, where: str = "", params: tuple = ()) -> list[dict]:
    with connection.cursor() as cursor:
        # Only the fixed view names of these tests are interpolated; values go as parameters.
        cursor.execute(f"SELECT * FROM {view} {where}", params)  # noqa: S608
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_sync_stats_sums_up_each_user(alice, bob):
    ConfigFactory(user=alice)
    now = timezone.now()
    SyncLogFactory(user=alice, status="ok", started_at=now - timedelta(hours=3), finished_at=now)
    SyncLogFactory(user=alice, status="failed", started_at=now - timedelta(hours=2))
    SyncLogFactory(user=alice, status="partial", started_at=now - timedelta(hours=1))
    SyncLogFactory(user=bob, status="ok")
    book = BookFactory(user=alice)
    MappingFactory(user=alice, book=book, match_method="isbn")
    MappingFactory(user=alice, ignored=True)
    MappingFactory(user=alice)
    ConflictFactory(user=alice)
    ConflictFactory(user=alice, status="resolved", resolution="ignored")

    stats = rows("audible_sync_stats", "WHERE user_id = %s", (alice.pk,))[0]
    assert stats["syncs_total"] == 3
    assert stats["syncs_ok"] == 1
    assert stats["syncs_failed"] == 1
    assert stats["syncs_partial"] == 1
    assert stats["last_sync_status"] == "partial"
    assert stats["last_sync_at"] is not None
    assert stats["last_ok_sync_at"] is not None
    assert (stats["mapped_count"], stats["ignored_count"], stats["unmapped_count"]) == (1, 1, 1)
    assert stats["open_conflicts"] == 1
    assert {r["user_id"] for r in rows("audible_sync_stats")} == {alice.pk, bob.pk}


def test_sync_activity_counts_the_last_30_days_per_day(alice):
    now = timezone.now().replace(hour=12)
    SyncLogFactory(user=alice, started_at=now, updated=3, created=1, items_seen=10)
    SyncLogFactory(user=alice, started_at=now - timedelta(minutes=5), updated=2, status="failed")
    SyncLogFactory(user=alice, started_at=now, updated=50, dry_run=True)
    SyncLogFactory(user=alice, started_at=now - timedelta(days=2), updated=7)
    SyncLogFactory(user=alice, started_at=now - timedelta(days=45), updated=99)

    days = rows("audible_sync_activity", "WHERE user_id = %s ORDER BY day DESC", (alice.pk,))
    assert len(days) == 2
    today, earlier = days
    assert today["syncs"] == 3
    assert today["syncs_failed"] == 1
    assert today["items_updated"] == 5  # the dry run's 50 did not happen
    assert today["items_created"] == 1
    assert earlier["items_updated"] == 7
    assert str(today["day"]) == now.date().isoformat()


def test_currently_reading_lists_linked_books_being_read(alice):
    reading = BookFactory(user=alice, title="Now playing", status="reading", progress_percent=42)
    done = BookFactory(user=alice, title="Done", status="read")
    unlinked = BookFactory(user=alice, title="Paper only", status="reading")
    mapping = MappingFactory(user=alice, book=reading, match_method="fuzzy", last_percent=42)
    MappingFactory(user=alice, book=done, match_method="isbn")
    moment = timezone.now() - timedelta(hours=1)
    HistoryFactory(mapping=mapping, percent=42, recorded_at=moment)

    listed = rows("audible_currently_reading")
    assert [r["title"] for r in listed] == ["Now playing"]
    assert listed[0]["percent"] == 42
    assert listed[0]["asin"] == mapping.asin
    assert listed[0]["last_update"] is not None
    assert unlinked.pk not in [r["book_id"] for r in listed]


def test_unmapped_books_lists_open_conflicts_and_unlinked_titles(alice):
    conflict = ConflictFactory(user=alice, asin="B0CONFLIC1", recommendation="medium")
    ConflictFactory(user=alice, asin="B0RESOLVED", status="resolved", resolution="ignored")
    unlinked = MappingFactory(user=alice, asin="B0UNLINKED")
    MappingFactory(user=alice, asin="B0IGNORED1", ignored=True)
    MappingFactory(user=alice, asin="B0LINKED01", book=BookFactory(user=alice))
    # An unlinked mapping with an open conflict is listed once, as the conflict.
    MappingFactory(user=alice, asin="B0CONFLIC1")

    listed = {r["asin"]: r for r in rows("audible_unmapped_books")}
    assert set(listed) == {"B0CONFLIC1", "B0UNLINKED"}
    assert listed["B0CONFLIC1"]["kind"] == "conflict"
    assert listed["B0CONFLIC1"]["conflict_id"] == conflict.pk
    assert listed["B0CONFLIC1"]["title"] == "Conflicted B0CONFLIC1"
    assert listed["B0UNLINKED"]["kind"] == "unlinked"
    assert listed["B0UNLINKED"]["mapping_id"] == unlinked.pk
    assert listed["B0UNLINKED"]["title"] == "Audible B0UNLINKED"
