"""Retention: old logs go; old history keeps status changes and one snapshot per day."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.support.factories import HistoryFactory
from tests.support.factories import MappingFactory
from tests.support.factories import SyncLogFactory
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.retention import drop_old_sync_logs
from tracker_api.audible_sync.retention import thin_progress_history

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 6, 30, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


def test_old_logs_are_dropped_and_history_keeps_its_data(alice):
    old = SyncLogFactory(user=alice, started_at=NOW - timedelta(days=100))
    recent = SyncLogFactory(user=alice, started_at=NOW - timedelta(days=10))
    snapshot = HistoryFactory(mapping=MappingFactory(user=alice), sync_log=old)
    assert drop_old_sync_logs(90, now=NOW) == 1
    assert list(AudibleSyncLog.objects.values_list("pk", flat=True)) == [recent.pk]
    snapshot.refresh_from_db()
    assert snapshot.sync_log is None
    assert drop_old_sync_logs(90, now=NOW) == 0


def test_history_is_thinned_to_status_changes_and_one_per_day(alice):
    mapping = MappingFactory(user=alice)
    other = MappingFactory(user=alice)
    day = NOW - timedelta(days=60)
    at = lambda hours: day.replace(hour=0) + timedelta(hours=hours)  # noqa: E731
    morning = HistoryFactory(mapping=mapping, percent=10, recorded_at=at(8))
    started = HistoryFactory(
        mapping=mapping,
        percent=11,
        recorded_at=at(9),
        status_before="want_to_read",
        status_after="reading",
    )
    HistoryFactory(mapping=mapping, percent=12, recorded_at=at(10))
    evening = HistoryFactory(mapping=mapping, percent=20, recorded_at=at(20))
    next_day = HistoryFactory(mapping=mapping, percent=30, recorded_at=at(30))
    other_title = HistoryFactory(mapping=other, percent=5, recorded_at=at(9))
    recent = [
        HistoryFactory(mapping=mapping, percent=40 + n, recorded_at=NOW - timedelta(hours=n))
        for n in range(3)
    ]

    removed = thin_progress_history(30, now=NOW)

    kept = set(AudibleProgressHistory.objects.values_list("pk", flat=True))
    assert removed == 2
    assert kept == {started.pk, evening.pk, next_day.pk, other_title.pk} | {r.pk for r in recent}
    assert morning.pk not in kept
    assert thin_progress_history(30, now=NOW) == 0


def test_the_command_prints_what_it_removed_and_is_idempotent(alice):
    SyncLogFactory(user=alice, started_at=timezone.now() - timedelta(days=400))
    mapping = MappingFactory(user=alice)
    old = timezone.now() - timedelta(days=200)
    HistoryFactory(mapping=mapping, recorded_at=old)
    HistoryFactory(mapping=mapping, recorded_at=old + timedelta(minutes=1))
    out = StringIO()
    call_command("audible_cleanup", "--logs-days", "365", "--history-days", "100", stdout=out)
    assert out.getvalue().strip() == (
        "Removed 1 sync logs older than 365 days and 1 progress snapshots older than 100 days."
    )
    out = StringIO()
    call_command("audible_cleanup", stdout=out)
    assert "Removed 0 sync logs older than 90 days and 0 progress snapshots" in out.getvalue()
