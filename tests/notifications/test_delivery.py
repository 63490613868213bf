"""Delivering the outbox to real receivers on loopback: Apprise (json://, ntfy://) and e-mail.

No mocks: the HTTP receiver and the SMTP server are real servers; a receiver that is down is a
closed port. Time is passed in (``now=``) to step over the back-off instead of sleeping.
"""

from __future__ import annotations

import threading
from datetime import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.notifications.conftest import MAIL_PASSWORD
from tests.notifications.conftest import NTFY_TOKEN
from tests.notifications.conftest import TOPIC
from tests.notifications.conftest import apprise_channel
from tests.notifications.conftest import email_channel
from tests.notifications.conftest import json_url
from tests.notifications.conftest import ntfy_url
from tests.notifications.receivers import HttpReceiver
from tests.notifications.receivers import decoded_subject
from tests.support.factories import UserFactory
from tracker_api.notifications import delivery
from tracker_api.notifications import outbox
from tracker_api.notifications.models import Channel
from tracker_api.notifications.models import Delivery
from tracker_api.notifications.models import NotificationSettings

pytestmark = pytest.mark.django_db


def queue(user, n: int = 1, code: str = "conflicts_waiting", now=None):
    return [
        outbox.enqueue(
            user_id=user.pk,
            event=code,
            subject=f"Subject {i}",
            body=f"Body {i}",
            link="/admin/audible_sync/audibleconflict/",
            dedupe_key=f"test:{user.pk}:{code}:{i}",
            now=now,
        )
        for i in range(n)
    ]


def test_json_ntfy_and_email_each_receive_the_message_once(
    person, http_receiver, smtp_receiver, settings
):
    settings.TRACKER_PUBLIC_URL = "https://tracker.example.com"
    apprise_channel(person, json_url(http_receiver), name="hook")
    apprise_channel(person, ntfy_url(http_receiver), name="ntfy")
    email_channel(person)
    (notification,) = queue(person)

    counts = delivery.send_due()

    assert (counts.delivered, counts.failed, counts.gave_up) == (3, 0, 0)
    got = http_receiver.messages()
    hook = next(m for m in got if m["path"] == "/hook")
    assert hook["json"]["title"] == "Subject 0"
    assert "Body 0" in hook["json"]["message"]
    assert (
        "https://tracker.example.com/admin/audible_sync/audibleconflict/" in hook["json"]["message"]
    )
    ntfy = next(m for m in got if m["path"] != "/hook")
    assert ntfy["json"]["topic"] == TOPIC
    assert ntfy["headers"]["Authorization"] == f"Bearer {NTFY_TOKEN}"
    (mail,) = smtp_receiver.messages
    assert mail["to"] == ["alice@example.com"]
    assert decoded_subject(mail["data"]) == "Subject 0"
    assert smtp_receiver.logins
    assert smtp_receiver.logins[-1].endswith(":ok")
    assert set(notification.deliveries.values_list("status", flat=True)) == {"delivered"}
    # nothing is due any more: a second run sends nothing
    assert delivery.send_due().attempted == 0
    assert len(http_receiver.messages()) == 2
    assert len(smtp_receiver.messages) == 1


def test_receiver_down_then_up_is_retried_with_backoff_and_delivered_once(person):
    receiver = HttpReceiver()  # not started: its port is closed
    channel = apprise_channel(person, json_url(receiver))
    now = timezone.now()
    queue(person, now=now)

    first = delivery.send_due(now=now)
    assert (first.failed, first.delivered) == (1, 0)
    row = Delivery.objects.get()
    assert row.attempts == 1
    assert row.status == "pending"
    assert row.next_attempt_at == now + timedelta(minutes=1)
    assert "Connection" in row.last_error or "connect" in row.last_error.lower()
    channel.refresh_from_db()
    assert channel.failing
    assert channel.consecutive_failures == 1
    assert channel.last_error

    # not due again before its back-off: nothing is tried
    assert delivery.send_due(now=now + timedelta(seconds=30)).attempted == 0

    second = delivery.send_due(now=now + timedelta(minutes=1, seconds=5))
    assert second.failed == 1
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at == now + timedelta(minutes=1, seconds=5) + timedelta(minutes=2)

    receiver.start()
    try:
        third = delivery.send_due(now=now + timedelta(minutes=10))
        assert third.delivered == 1
        assert delivery.send_due(now=now + timedelta(hours=7)).attempted == 0
        assert len(receiver.messages()) == 1
    finally:
        receiver.stop()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("delivered", 3, "")
    channel.refresh_from_db()
    assert not channel.failing
    assert channel.last_success_at is not None


def test_it_gives_up_after_notify_max_attempts(person, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    apprise_channel(person, json_url(HttpReceiver()))  # never started
    now = timezone.now()
    queue(person, now=now)
    outcomes = [delivery.send_due(now=now + timedelta(hours=step)) for step in range(5)]
    assert [c.failed for c in outcomes] == [1, 1, 0, 0, 0]
    assert [c.gave_up for c in outcomes] == [0, 0, 1, 0, 0]
    row = Delivery.objects.get()
    assert (row.status, row.attempts) == ("gave_up", 3)


def test_a_service_that_answers_an_error_is_a_failure(person, http_receiver):
    http_receiver.status = 500
    apprise_channel(person, json_url(http_receiver))
    queue(person)
    assert delivery.send_due().failed == 1
    assert len(http_receiver.messages()) == 1
    assert "500" in Delivery.objects.get().last_error


def test_a_wrong_mail_password_is_reported_without_the_password(person, smtp_receiver, settings):
    settings.EMAIL_HOST_PASSWORD = "Wrong-Mail-Password-0000"
    email_channel(person)
    queue(person)
    assert delivery.send_due().failed == 1
    row = Delivery.objects.get()
    assert "Authentication" in row.last_error or "535" in row.last_error
    assert "Wrong-Mail-Password-0000" not in row.last_error
    assert MAIL_PASSWORD not in row.last_error
    assert smtp_receiver.messages == []


def test_quiet_hours_hold_messages_until_they_end(person, http_receiver):
    NotificationSettings.objects.create(
        user=person, quiet_start=time(22, 0), quiet_end=time(7, 0), time_zone="UTC"
    )
    apprise_channel(person, json_url(http_receiver))
    night = timezone.now().replace(hour=23, minute=30, second=0, microsecond=0)
    queue(person, now=night)
    row = Delivery.objects.get()
    morning = (night + timedelta(days=1)).replace(hour=7, minute=0)
    assert row.next_attempt_at == morning
    assert delivery.send_due(now=night + timedelta(hours=2)).attempted == 0
    assert http_receiver.messages() == []
    assert delivery.send_due(now=morning + timedelta(minutes=1)).delivered == 1
    assert len(http_receiver.messages()) == 1


def test_quiet_hours_set_after_queueing_defer_without_counting_an_attempt(person, http_receiver):
    apprise_channel(person, json_url(http_receiver))
    night = timezone.now().replace(hour=2, minute=0, second=0, microsecond=0)
    queue(person, now=night)
    NotificationSettings.objects.create(
        user=person, quiet_start=time(1, 0), quiet_end=time(6, 0), time_zone="UTC"
    )
    counts = delivery.send_due(now=night)
    assert (counts.deferred, counts.attempted) == (1, 0)
    row = Delivery.objects.get()
    assert row.attempts == 0
    assert row.next_attempt_at == night.replace(hour=6)


def test_a_message_is_queued_once_per_dedupe_key(person, http_receiver):
    apprise_channel(person, json_url(http_receiver))
    first = outbox.enqueue(user_id=person.pk, event="x", subject="s", body="b", dedupe_key="k")
    again = outbox.enqueue(user_id=person.pk, event="x", subject="s", body="b", dedupe_key="k")
    assert first is not None
    assert again is None
    assert delivery.send_due().delivered == 1
    assert len(http_receiver.messages()) == 1


def test_a_switched_off_channel_gets_nothing(person, http_receiver):
    channel = apprise_channel(person, json_url(http_receiver))
    queue(person)
    Channel.objects.filter(pk=channel.pk).update(enabled=False)
    counts = delivery.send_due()
    assert counts.gave_up == 1
    assert http_receiver.messages() == []
    queue(person, n=2)  # a disabled channel is not even queued for
    assert Delivery.objects.count() == 1


def test_a_live_claim_is_not_taken_and_an_expired_one_is(person, http_receiver):
    apprise_channel(person, json_url(http_receiver))
    queue(person)
    now = timezone.now()
    (claimed,) = delivery.claim(10, now)
    assert delivery.claim(10, now + timedelta(minutes=1)) == []  # the lease holds
    # the worker died: after the lease another run takes it over, and the dead one's token
    # can no longer record anything
    (taken,) = delivery.claim(10, now + delivery.LEASE + timedelta(seconds=1))
    assert taken[0] == claimed[0]
    assert taken[1] != claimed[1]
    assert delivery.deliver(*claimed) == ("lost", "")
    assert delivery.deliver(*taken)[0] == "delivered"
    assert len(http_receiver.messages()) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_running_at_once_deliver_every_message_exactly_once(http_receiver):
    user = UserFactory(username="crowd")
    apprise_channel(user, json_url(http_receiver))
    queue(user, n=30)
    totals: list[delivery.Counts] = []

    def worker() -> None:
        try:
            totals.append(delivery.send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    bodies = sorted(m["json"]["title"] for m in http_receiver.messages())
    assert bodies == sorted(f"Subject {i}" for i in range(30))
    assert sum(c.delivered for c in totals) == 30
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
