"""Writing the outbox: one :class:`Notification` and a :class:`Delivery` per channel.

Called inside the transaction of the event (the sync's, a reconnect's), in a savepoint of its
own, so the message exists exactly when the event does: a rolled-back sync queues nothing, a
committed one cannot lose its message even if the process dies right after the commit. Nothing
is sent here; :mod:`delivery` sends later, outside every sync.

``dedupe_key`` is unique: an event that would be queued twice (two workers, a repeated manual
sync, the same digest week) is queued once.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone

from tracker_api.notifications import channels
from tracker_api.notifications import quiet
from tracker_api.notifications.models import Channel
from tracker_api.notifications.models import Delivery
from tracker_api.notifications.models import Notification
from tracker_api.notifications.models import NotificationSettings


def settings_for(user_id: int) -> NotificationSettings:
    """The person's settings, or the defaults (unsaved) when they never changed any."""
    found = NotificationSettings.objects.filter(user_id=user_id).first()
    return found if found is not None else NotificationSettings(user_id=user_id)


def _queue_once(
    *,
    user_id: int | None,
    event: str,
    subject: str,
    body: str,
    link: str,
    dedupe_key: str,
    now: datetime,
    deliveries: Callable[[Notification], Iterable[Delivery]],
) -> Notification | None:
    """Create the message and its deliveries in one savepoint, once per ``dedupe_key``."""
    try:
        with transaction.atomic():
            if Notification.objects.filter(dedupe_key=dedupe_key).exists():
                return None
            notification = Notification.objects.create(
                user_id=user_id,
                code=event,
                subject=subject[:200],
                body=body,
                link=link,
                dedupe_key=dedupe_key,
                created_at=now,
            )
            Delivery.objects.bulk_create(deliveries(notification))
    except IntegrityError:  # another worker queued the same key a moment ago
        return None
    return notification


def enqueue(
    *,
    user_id: int,
    event: str,
    subject: str,
    body: str,
    link: str = "",
    dedupe_key: str,
    now: datetime | None = None,
    only_channel: Channel | None = None,
) -> Notification | None:
    """Queue a message for a person; None when it was queued before (same ``dedupe_key``)."""
    now = now or timezone.now()

    def deliveries(notification: Notification) -> list[Delivery]:
        if only_channel is not None:
            targets, start = [only_channel], now
        else:
            targets = list(Channel.objects.filter(user_id=user_id, enabled=True))
            start = quiet.next_allowed(settings_for(user_id), now)
        return [
            Delivery(
                notification=notification,
                channel=channel,
                label=channel.target_label[:300],
                next_attempt_at=start,
                created_at=now,
            )
            for channel in targets
        ]

    return _queue_once(
        user_id=user_id, event=event, subject=subject, body=body, link=link,
        dedupe_key=dedupe_key, now=now, deliveries=deliveries,
    )  # fmt: skip


def enqueue_operator(
    *,
    event: str,
    subject: str,
    body: str,
    link: str = "",
    dedupe_key: str,
    now: datetime | None = None,
) -> Notification | None:
    """Queue an operational message for every URL of NOTIFY_OPERATOR_URLS (no quiet hours)."""
    moment = now or timezone.now()

    def deliveries(notification: Notification) -> list[Delivery]:
        rows = {}
        for url in channels.operator_urls():
            try:
                label = channels.mask_url(url)
            except channels.InvalidChannelURL:
                label = "an operator URL Apprise does not know"
            rows[channels.fingerprint(url)] = label
        return [
            Delivery(
                notification=notification,
                target=target,
                label=label[:300],
                next_attempt_at=moment,
                created_at=moment,
            )
            for target, label in rows.items()
        ]

    return _queue_once(
        user_id=None, event=event, subject=subject, body=body, link=link,
        dedupe_key=dedupe_key, now=moment, deliveries=deliveries,
    )  # fmt: skip
