"""The weekly digest: its figures are what the database says, computed a second way here.

Real syncs through the live stack make the history: a first sync (dated before the window),
then listening moved forward on two titles, one finished and one moved backwards. The digest
is made on the person's digest day; the test computes the same three figures with SQL of its
own (a window function for the listening time) and compares, then reads the delivered message.
"""

from __future__ import annotations

from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.notifications.conftest import apprise_channel
from tests.notifications.conftest import json_url
from tests.notifications.test_events import LOOKALIKES
from tests.support.factories import BookFactory
from tracker_api.audible_sync.models import AudibleProgressHistory
from tracker_api.audible_sync.sync import run_sync
from tracker_api.notifications import delivery
from tracker_api.notifications import digest
from tracker_api.notifications.models import Notification
from tracker_api.notifications.models import NotificationSettings

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
NAME_OF_THE_WIND = "B0PZHZFWVU"  # 23.9 %
SAPIENS = "B0R2RJL14R"  # 55 %
RED_RISING = "B0H7O4SDZ6"  # 88.4 %

LISTENED_SQL = """
SELECT COALESCE(SUM(position_ms - previous), 0) FROM (
    SELECT recorded_at, position_ms,
           LAG(position_ms) OVER (PARTITION BY mapping_id ORDER BY recorded_at, id) AS previous
    FROM audible_progress_history
    WHERE user_id = %s AND position_ms IS NOT NULL AND recorded_at < %s
) moves
WHERE recorded_at >= %s AND previous IS NOT NULL AND position_ms > previous
"""
FINISHED_SQL = """
SELECT b.title FROM book_reads r JOIN books b ON b.id = r.book_id
WHERE b.user_id = %s AND r.status = 'read' AND r.finished_at >= %s AND r.finished_at < %s
ORDER BY r.finished_at, r.id
"""


def _scalar(sql: str, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_the_digest_figures_match_the_database(listener, stack, http_receiver):
    for title, author in LOOKALIKES:
        BookFactory(user=listener, title=title, authors=[author])
    assert run_sync(listener, trigger="manual").log.status in ("ok", "partial")
    AudibleProgressHistory.objects.filter(user=listener).update(
        recorded_at=timezone.now() - timedelta(days=10)
    )
    stack.state.update_progress(NAME_OF_THE_WIND, percent=40.0)
    stack.state.update_progress(RED_RISING, is_finished=True)
    stack.state.update_progress(SAPIENS, percent=30.0)  # backwards: adds nothing
    assert run_sync(listener, trigger="manual", force=True).log.updated >= 3

    zone = timezone.get_default_timezone()
    tomorrow = timezone.localdate() + timedelta(days=1)
    prefs = NotificationSettings.objects.create(user=listener, digest_day=tomorrow.weekday())
    apprise_channel(listener, json_url(http_receiver))
    start = datetime.combine(tomorrow - timedelta(days=7), time.min, tzinfo=zone)
    end = datetime.combine(tomorrow, time.min, tzinfo=zone)

    found = digest.figures(prefs, tomorrow)

    ((listened,),) = _scalar(LISTENED_SQL, listener.pk, end, start)
    finished = [title for (title,) in _scalar(FINISHED_SQL, listener.pk, start, end)]
    ((waiting,),) = _scalar(
        "SELECT COUNT(*) FROM audible_conflicts WHERE user_id = %s AND status = 'open'",
        listener.pk,
    )
    assert (found.start, found.end) == (start, end)
    assert found.listened_ms == listened > 0
    assert found.books_finished == finished
    assert "Red Rising" in finished
    assert found.conflicts_waiting == waiting >= 2

    morning = datetime.combine(tomorrow, time(9, 0), tzinfo=zone)
    assert digest.queue_due_digests(now=morning - timedelta(days=1)) == 0  # not the day
    assert digest.queue_due_digests(now=morning) == 1
    assert digest.queue_due_digests(now=morning + timedelta(hours=3)) == 0  # once a week
    delivery.send_due(now=morning)
    (message,) = [m["json"] for m in http_receiver.messages() if "week" in m["json"]["title"]]
    minutes = int(listened) // 60000
    assert f"{len(finished)} book{'s' if len(finished) != 1 else ''} finished" in message["message"]
    assert f"{minutes // 60} h {minutes % 60:02d} min listened" in message["message"]
    assert f"{waiting} conflicts waiting" in message["message"]
    assert Notification.objects.filter(user=listener, code="weekly_digest").count() == 1
