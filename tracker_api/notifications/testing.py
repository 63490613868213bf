"""The "send a test" button: one message to one channel, now, through the outbox like any other.

The test is queued (a ``test`` notification with one delivery) and delivered at once, outside
quiet hours and without retries, so the person sees the service's answer right away and the
channel's status (working / failing, with the scrubbed error) is updated as by any delivery.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tracker_api.notifications import delivery
from tracker_api.notifications import links
from tracker_api.notifications import outbox
from tracker_api.notifications.models import Channel
from tracker_api.notifications.models import Delivery


@dataclass(frozen=True)
class TestOutcome:
    delivered: bool
    error: str
    notification_id: int

    def to_dict(self) -> dict[str, object]:
        return {
            "delivered": self.delivered,
            "error": self.error,
            "notification_id": self.notification_id,
        }


def send_test(channel: Channel) -> TestOutcome:
    now = timezone.now()
    with transaction.atomic():
        notification = outbox.enqueue(
            user_id=channel.user_id,
            event=delivery.TEST_CODE,
            subject="Test from your book tracker",
            body=f"This is the test you asked for. Notifications reach your channel "
            f"\u201c{channel.name}\u201d.",
            link=links.admin_path("notifications_channel_change", channel.pk),
            dedupe_key=f"user:{channel.user_id}:test:{uuid.uuid4().hex}",
            now=now,
            only_channel=channel,
        )
    if notification is None:  # pragma: no cover - a fresh random key is never a duplicate
        raise RuntimeError("the test message could not be queued")
    row = Delivery.objects.get(notification=notification, channel=channel)
    outcome, error = delivery.send_one(row.pk)
    return TestOutcome(outcome == "delivered", error, notification.pk)
