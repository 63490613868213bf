"""A member's dashboard follows the household's connection: its state, its lock, its run.

A member has no blob of their own, yet their *Sync now* runs the household's sync; the status
and the progress the dashboard polls must say so (connected, running while the connection's
lock is held, the household run's counts until the member's own row is committed).
"""

from __future__ import annotations

import pytest

from tests.support.factories import ConfigFactory
from tests.support.factories import UserFactory
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.status import sync_status
from tracker_api.audible_sync.sync import lock
from tracker_api.audible_sync.sync.background import progress
from tracker_api.households import membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    pat, sam, kim = (UserFactory(username=n) for n in ("pat", "sam", "kim"))
    connection = ConfigFactory(user=pat, sealed_auth="sealed-blob-of-pat")
    household = membership.create_household(pat)
    membership.accept(membership.invite(household, sam, by=pat), by=sam)
    return connection, pat, sam, kim


def test_a_member_sees_the_connection_they_sync_on(home):
    connection, _pat, sam, kim = home
    status = sync_status(sam)
    assert status["connection"]["state"] == "connected"
    assert status["connection"]["account"] == {}  # the owner's account details stay theirs
    assert status["sync_running"] is False
    token = lock.acquire(connection.pk)
    assert token
    assert sync_status(sam)["sync_running"] is True
    assert sync_status(kim)["connection"]["state"] == "not_connected"  # outside: as before
    assert sync_status(kim)["sync_running"] is False


def test_a_member_follows_the_household_run_until_their_own_row_ends_it(home):
    connection, pat, sam, _kim = home
    before = AudibleSyncLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert progress(sam, before)["state"] == "none"
    token = lock.acquire(connection.pk)
    assert progress(sam, before)["state"] == "waiting"
    run = AudibleSyncLog.objects.create(user=pat, trigger="manual", status="running")
    assert progress(sam, before)["text"].startswith("Running the household's sync: fetching")
    AudibleSyncLog.objects.filter(pk=run.pk).update(items_seen=41, items_applied=12)
    answer = progress(sam, before)
    assert (answer["state"], answer["seen"], answer["applied"]) == ("running", 41, 12)
    assert answer["text"] == "Running the household's sync: 41 titles seen, 12 applied…"
    assert "log_id" not in answer  # never the owner's row itself
    mine = AudibleSyncLog.objects.create(
        user=sam, trigger="manual", status="ok", items_seen=7, linked=7
    )
    answer = progress(sam, before)
    assert (answer["state"], answer["log_id"]) == ("running", mine.pk)  # lock still held
    lock.release(connection.pk, token)
    answer = progress(sam, before)
    assert (answer["state"], answer["seen"]) == ("ok", 7)
    assert progress(pat, before)["log_id"] == run.pk  # the owner follows their own row
