""" "Sync now" on the dashboard, as a person: the run goes in the background, the page follows it.

Real parts: the sandbox and the gateway over HTTP (tests/support/stack.py), the
admin views, the background thread and its progress rows on PostgreSQL (``transaction=True``,
so the thread's own connection sees the test's rows). The sandbox counts every request, so
"Audible was not asked" is read from its counter.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.audible_sync.person_client import logged_in
from tests.audible_sync.person_client import make_person
from tests.audible_sync.person_client import messages_of
from tests.support.factories import BookFactory
from tests.support.factories import ConfigFactory
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.sync.background import THREAD_NAME

pytestmark = pytest.mark.django_db(transaction=True)
LIBRARY = "/1.0/library"
DASHBOARD = "/admin/audible_sync/dashboard/"
SYNC = "/admin/audible_sync/sync/"


def _join_background_runs() -> None:
    for thread in threading.enumerate():
        if thread.name == THREAD_NAME:
            thread.join(timeout=60)


@pytest.fixture
def dana(transactional_db, sealed, gateway_settings, fresh_library):
    user = make_person("dana")
    ConfigFactory(user=user, sealed_auth=sealed)
    yield user
    _join_background_runs()


def library_calls(stack) -> int:
    return stack.state.calls_to(LIBRARY, "GET")


def follow(client, after: int, timeout: float = 30) -> list[dict]:
    """Poll the status JSON as the page does, until the run is over; every answer seen."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.get(f"{SYNC}status/", {"after": after})
        assert answer.status_code == 200
        assert "no-store" in answer["Cache-Control"]
        body = answer.json()
        seen.append(body)
        if body["state"] not in ("waiting", "running"):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"the sync did not end: {seen[-1]}")


def test_sync_now_runs_in_the_background_and_the_page_follows_it(dana, stack):
    stack.state.config.latency_s = 0.05  # each Audible page takes a moment: progress to see
    try:
        client = logged_in(dana)
        board = client.get(DASHBOARD).content.decode()
        assert 'id="sync-now-button"' in board
        assert "Allowed now." in board
        assert 'id="sync-force-button"' not in board  # not an operator
        before = library_calls(stack)

        pressed = client.post(SYNC)

        assert pressed.status_code == 302
        location = pressed["Location"]
        assert location.startswith(f"{DASHBOARD}?sync=")
        after = int(location.split("sync=")[1].split("#")[0])
        page = client.get(location).content.decode()
        assert 'id="sync-progress"' in page
        assert 'data-status-url="/admin/audible_sync/sync/status/"' in page
        states = follow(client, after)
    finally:
        stack.state.config.latency_s = 0.0

    assert {"waiting", "running"} & {s["state"] for s in states[:-1]}, states
    done = states[-1]
    assert done["state"] == "ok", done
    log = AudibleSyncLog.objects.get(pk=done["log_id"])
    assert (log.trigger, log.status) == ("manual", "ok")
    assert done["seen"] == log.items_seen == len(stack.state.items) > 0
    assert done["applied"] == log.items_seen - log.errors
    _join_background_runs()
    log.refresh_from_db()
    assert log.items_applied == log.items_seen  # the run's own record of titles handled
    running = [s for s in states if s["state"] == "running" and s["seen"]]
    assert all(0 <= s["applied"] <= s["seen"] for s in running)
    assert done["text"].startswith(f"Done: {log.items_seen} titles seen, {log.items_seen} applied")
    assert library_calls(stack) > before
    assert not AudibleConfig.objects.get(user=dana).sync_lock_token  # released
    shown = client.get(f"{DASHBOARD}?sync={after}").content.decode()
    assert done["text"].split(":")[0] in shown
    assert 'data-state="ok"' in shown


def test_a_second_press_is_refused_with_the_time(dana, stack):
    client = logged_in(dana)
    first = client.post(SYNC)
    follow(client, int(first["Location"].split("sync=")[1].split("#")[0]))
    before = library_calls(stack)

    again = client.post(SYNC, follow=True)

    text = " ".join(messages_of(again))
    assert "The sync did not start: The last sync was too recent" in text
    assert "the next sync is allowed at 20" in text  # a date and a time
    assert library_calls(stack) == before
    assert AudibleSyncLog.objects.filter(user=dana, status="skipped").count() == 1


def test_a_person_forcing_gets_403_and_audible_is_not_asked(dana, stack):
    before = library_calls(stack)
    answer = logged_in(dana).post(SYNC, {"force": "1"})
    assert answer.status_code == 403
    assert library_calls(stack) == before
    assert not AudibleSyncLog.objects.filter(user=dana).exists()
    assert not AudibleConfig.objects.get(user=dana).sync_lock_token


def test_during_audibles_back_off_every_sync_is_refused_with_the_time(
    dana, stack, django_user_model
):
    until = timezone.now().replace(microsecond=0) + timedelta(minutes=40)
    AudibleConfig.objects.filter(user=dana).update(rate_limited_until=until)
    client = logged_in(dana)
    board = client.get(DASHBOARD).content.decode()
    assert "Audible asked us to wait: no sync before" in board
    before = library_calls(stack)

    refused = client.post(SYNC, follow=True)

    when = timezone.localtime(until).strftime("%Y-%m-%d %H:%M")
    text = " ".join(messages_of(refused))
    assert f"Audible asked us to wait; the next sync is allowed at {when}" in text
    assert library_calls(stack) == before
    skipped = AudibleSyncLog.objects.get(user=dana)
    assert skipped.status == "skipped"
    assert when in skipped.error

    # an operator's forced sync is refused the same way (force skips our limit, not Audible's)
    olga = django_user_model.objects.create_superuser("olga", "o@example.com", "olga-pass-1234")
    ConfigFactory(user=olga, sealed_auth=AudibleConfig.objects.get(user=dana).sealed_auth)
    AudibleConfig.objects.filter(user=olga).update(rate_limited_until=until)
    operator = logged_in_as(olga, "olga-pass-1234")
    assert 'id="sync-force-button"' in operator.get(DASHBOARD).content.decode()
    forced = operator.post(SYNC, {"force": "1"}, follow=True)
    assert "Audible asked us to wait" in " ".join(messages_of(forced))
    assert library_calls(stack) == before


def logged_in_as(user, password):
    from django.test import Client

    client = Client()
    assert client.login(username=user.username, password=password)
    return client


def test_an_operator_may_force_past_our_rate_limit(dana, stack, django_user_model):
    olga = django_user_model.objects.create_superuser("olga", "o@example.com", "olga-pass-1234")
    ConfigFactory(user=olga, sealed_auth=AudibleConfig.objects.get(user=dana).sealed_auth)
    client = logged_in_as(olga, "olga-pass-1234")
    first = client.post(SYNC)
    follow(client, int(first["Location"].split("sync=")[1].split("#")[0]))
    forced = client.post(SYNC, {"force": "1"})
    assert forced["Location"].startswith(f"{DASHBOARD}?sync=")
    assert (
        follow(client, int(forced["Location"].split("sync=")[1].split("#")[0]))[-1]["state"] == "ok"
    )
    _join_background_runs()


def test_not_connected_says_so(transactional_db):
    erin = make_person("erin")
    client = logged_in(erin)
    assert "Connect Audible first" in client.get(DASHBOARD).content.decode()
    answer = client.post(SYNC, follow=True)
    assert "No Audible account is connected" in " ".join(messages_of(answer))


def test_progress_written_mid_run_is_seen_by_other_connections(dana):
    """The apply transaction's writes are invisible elsewhere until it commits; the progress
    goes through a second connection, so another worker sees it while the run goes."""
    from django.db import connections
    from django.db import transaction

    from tracker_api.audible_sync.sync.background import ProgressReporter

    row = AudibleSyncLog.objects.create(user=dana, trigger="manual", status="running")
    reporter = ProgressReporter(every_s=0)
    reporter.started(row)
    reporter.total(40)
    other = connections.create_connection("default")
    try:
        with transaction.atomic():
            book = BookFactory(user=dana)  # the apply's own writes, not yet committed
            reporter.item(17)
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT items_seen, items_applied FROM audible_sync_logs WHERE id = %s",
                    [row.pk],
                )
                assert cursor.fetchone() == (40, 17)
                cursor.execute("SELECT count(*) FROM books WHERE id = %s", [book.pk])
                assert cursor.fetchone() == (0,)
        reporter.finish()
    finally:
        other.close()
    row.refresh_from_db()
    assert (row.items_seen, row.items_applied) == (40, 17)
