"""The events, through the real sync: the live sandbox and gateway over HTTP, the real outbox,
and a real HTTP receiver that Apprise delivers to.

Each test runs real syncs (``run_sync``, ``audible_sync --all``, the cron URL), then delivers
with ``send_due`` and reads what the receiver got.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from tests.notifications.conftest import apprise_channel
from tests.notifications.conftest import json_url
from tests.notifications.receivers import HttpReceiver
from tests.support.factories import BookFactory
from tracker_api.audible_sync import signals
from tracker_api.audible_sync.connecting import store_credentials
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.models import AudibleSyncLog
from tracker_api.audible_sync.sync import run_sync
from tracker_api.notifications import delivery
from tracker_api.notifications.models import Delivery
from tracker_api.notifications.models import Notification
from tracker_api.notifications.models import NotificationSettings
from tracker_api.notifications.models import SchedulerHeartbeat

pytestmark = pytest.mark.django_db
LOOKALIKES = [
    ("Inferno", "Dante Alighieri"),
    ("The Stranger", "Harlan Coben"),
    ("Dune", "Brian Herbert"),
    ("Quiet", "Jason Rekulak"),
]
IN_PROGRESS = "B0PZHZFWVU"  # The Name of the Wind, 23.9 % in the sample library


@pytest.fixture
def inbox(listener, http_receiver):
    """The listener's json:// channel at the live receiver; ``inbox()`` delivers and reads."""
    apprise_channel(listener, json_url(http_receiver))

    def read() -> list[dict]:
        delivery.send_due()
        return [m["json"] for m in http_receiver.messages()]

    return read


def codes(user, *only: str) -> list[str]:
    rows = Notification.objects.filter(user=user).order_by("id")
    if only:
        rows = rows.filter(code__in=only)
    return list(rows.values_list("code", flat=True))


STREAK = ("sync_failing", "sync_recovered")


def sync(user) -> AudibleSyncLog:
    return run_sync(user, trigger="manual", force=True).log


def test_relogin_needed_is_told_once_until_the_person_reconnects(listener, inbox, stack):
    # a device of its own: reconnecting deregisters it (the module's shared one stays good)
    AudibleConfig.objects.filter(user=listener).update(sealed_auth=stack.connect())
    NotificationSettings.objects.create(user=listener, sync_failing=False)
    stack.state.arm_fault(path="/1.0/library", status=401, count=None)
    for _ in range(3):
        assert sync(listener).status == "failed"
    assert AudibleConfig.objects.get(user=listener).needs_relogin
    messages = inbox()
    assert [m["title"] for m in messages] == ["Audible needs you to sign in again"]
    assert "/admin/audible_sync/dashboard/" in messages[0]["message"]

    # scheduled runs skip the account now; the person's own syncs still fail, silently
    call_command("audible_sync", "--all")
    assert sync(listener).status == "failed"
    assert len(inbox()) == 1

    # reconnecting is a new connection: the next refusal is told again, once
    stack.state.clear_faults()
    store_credentials(listener, stack.connect(), {})
    stack.state.arm_fault(path="/1.0/library", status=401, count=None)
    assert sync(listener).status == "failed"
    assert sync(listener).status == "failed"
    assert len(inbox()) == 2
    assert codes(listener) == ["relogin_needed", "relogin_needed"]


def test_failing_after_n_in_a_row_then_recovered(listener, inbox, stack):
    NotificationSettings.objects.create(user=listener, failure_threshold=2)
    stack.state.arm_fault(path="/1.0/library", status=500, count=None)
    assert sync(listener).status == "failed"
    assert codes(listener, *STREAK) == []  # one failure is not news
    assert sync(listener).status == "failed"
    assert sync(listener).status == "failed"
    assert codes(listener, *STREAK) == ["sync_failing"]  # once per streak
    stack.state.clear_faults()
    assert sync(listener).status == "ok"
    assert sync(listener).status == "ok"
    assert codes(listener, *STREAK) == ["sync_failing", "sync_recovered"]
    titles = [m["title"] for m in inbox() if "sync" in m["title"]]
    assert titles == [
        "Your Audible syncs have failed 2 times in a row",
        "Your Audible syncs work again",
    ]
    # a new streak is a new message
    stack.state.arm_fault(path="/1.0/library", status=500, count=None)
    sync(listener)
    sync(listener)
    assert codes(listener, *STREAK)[-1] == "sync_failing"


def test_new_conflicts_are_one_message_per_sync(listener, inbox, stack):
    # same titles, other authors: close, but not clearly the same book
    for title, author in LOOKALIKES:
        BookFactory(user=listener, title=title, authors=[author])
    first = sync(listener)
    assert first.conflicts_opened >= 2
    assert sync(listener).conflicts_opened == 0
    assert codes(listener) == ["conflicts_waiting"]
    (message,) = inbox()
    assert message["title"].startswith(f"{first.conflicts_opened} Audible titles need")
    assert f"({first.conflicts_opened} waiting in all)" in message["message"]
    assert "/admin/audible_sync/audibleconflict/?status__exact=open" in message["message"]


def test_books_finished_are_told_when_asked_for(listener, inbox, stack):
    sync(listener)
    assert codes(listener, "book_finished") == []  # off by default
    NotificationSettings.objects.create(user=listener, book_finished=True)
    stack.state.update_progress(IN_PROGRESS, is_finished=True)
    sync(listener)
    assert codes(listener, "book_finished") == ["book_finished"]
    (message,) = [m for m in inbox() if m["title"].startswith("You finished")]
    assert message["title"] == "You finished The Name of the Wind"


def test_a_dry_run_tells_nobody(listener, inbox, stack):
    stack.state.arm_fault(path="/1.0/library", status=401, count=None)
    run_sync(listener, trigger="manual", force=True, dry_run=True)
    assert codes(listener) == []


def test_a_sync_never_fails_because_a_channel_or_a_receiver_fails(listener, settings, closed_port):
    dead = HttpReceiver()  # never started: connection refused
    apprise_channel(listener, json_url(dead))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port  # no mail server
    settings.EMAIL_TIMEOUT = 2
    from tests.notifications.conftest import email_channel

    email_channel(listener)
    NotificationSettings.objects.create(user=listener, book_finished=True)

    def broken_receiver(sender, **kwargs):
        raise RuntimeError("a receiver with a bug")

    signals.sync_finished.connect(broken_receiver, dispatch_uid="test.broken")
    try:
        AudibleConfig.objects.filter(user=listener).update(next_sync_at=None)
        call_command("audible_sync", "--all")  # raises CommandError if a sync failed
    finally:
        signals.sync_finished.disconnect(dispatch_uid="test.broken")
    log = AudibleSyncLog.objects.get(user=listener)
    assert log.status == "ok"
    # the run delivered after the sync: both channels failed and wait for their retry
    rows = Delivery.objects.filter(notification__user=listener)
    assert rows.exists()
    assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}
    assert all(r.last_error for r in rows)
    assert SchedulerHeartbeat.objects.get(source="command").last_finished_at is not None


def test_the_cron_url_records_its_heartbeat_and_delivers(listener, inbox, stack, settings):
    NotificationSettings.objects.create(user=listener, failure_threshold=1)
    stack.state.arm_fault(path="/1.0/library", status=500, count=None)
    AudibleConfig.objects.filter(user=listener).update(next_sync_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {settings.CRON_SECRET}")
    answer = client.get("/api/cron/audible-sync")
    assert answer.status_code == 200
    assert answer.json()["failed"] == 1
    beat = SchedulerHeartbeat.objects.get(source="cron_view")
    assert beat.last_started_at <= beat.last_finished_at
    assert beat.last_failed == 1
    # the cron run itself delivered: the receiver has it before anyone runs send_due
    assert Delivery.objects.get().status == "delivered"
    assert [m["title"] for m in inbox()] == ["Your Audible syncs have failed 1 time in a row"]


def test_operators_hear_of_a_failing_gateway_once_and_of_its_return(
    listener, http_receiver, settings, closed_port
):
    settings.NOTIFY_OPERATOR_URLS = [json_url(http_receiver, "ops")]
    good = settings.AUDIBLE_SERVICE_URL
    settings.AUDIBLE_SERVICE_URL = f"http://127.0.0.1:{closed_port}"
    settings.AUDIBLE_GATEWAY_CONNECT_TIMEOUT_S = 1
    for _ in range(2):
        AudibleConfig.objects.filter(user=listener).update(next_sync_at=None)
        AudibleSyncLog.objects.all().delete()
        with pytest.raises(Exception, match="failed"):
            call_command("audible_sync", "--all")
    settings.AUDIBLE_SERVICE_URL = good
    AudibleConfig.objects.filter(user=listener).update(next_sync_at=None)
    AudibleSyncLog.objects.all().delete()
    call_command("audible_sync", "--all")
    ops = [m["json"]["title"] for m in http_receiver.messages() if m["path"] == "/ops"]
    assert ops == ["The Audible gateway is failing", "The Audible gateway works again"]


def test_cron_not_running_turns_the_dashboard_red_and_tells_operators_once(
    listener, http_receiver, settings, admin_client
):
    settings.NOTIFY_OPERATOR_URLS = [json_url(http_receiver, "ops")]
    settings.AUDIBLE_CRON_INTERVAL_MINUTES = 15
    AudibleConfig.objects.filter(user=listener).update(
        connected_at=timezone.now() - timedelta(hours=2)
    )
    page = admin_client.get(f"/admin/audible_sync/dashboard/{listener.pk}/")
    assert b"dash-cron-stale" in page.content
    assert b"No scheduled sync has ever run" in page.content
    call_command("send_notifications")
    call_command("send_notifications")
    ops = [m["json"]["title"] for m in http_receiver.messages() if m["path"] == "/ops"]
    assert ops == ["No scheduled Audible sync is running"]

    call_command("audible_sync", "--all")  # a scheduled run: cron works
    page = admin_client.get(f"/admin/audible_sync/dashboard/{listener.pk}/")
    assert b"dash-cron-stale" not in page.content
    SchedulerHeartbeat.objects.update(last_started_at=timezone.now() - timedelta(minutes=31))
    assert b"dash-cron-stale" in admin_client.get("/admin/audible_sync/dashboard/").content
    call_command("send_notifications")  # a new silence: told again
    ops = [m["json"]["title"] for m in http_receiver.messages() if m["path"] == "/ops"]
    assert ops == ["No scheduled Audible sync is running"] * 2
