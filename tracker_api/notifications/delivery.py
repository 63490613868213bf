"""Delivering the outbox: claim, send, record; retried with back-off; given up at the end.

* **Claim.** Due rows (pending, ``next_attempt_at`` passed, no live lease) are read with
  ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL and each is taken by a compare-and-set on
  ``claimed_at`` (which alone decides on SQLite). Two workers never hold the same row, so a
  message is not sent twice by two runs. A worker that dies holding a claim frees it when the
  lease (:data:`LEASE`) runs out; only a death in the seconds between the service accepting
  a message and the row being marked can repeat that one message.
* **Send** outside every transaction (a slow service holds no lock on anything else).
* **Record** under the claim token: delivered, or failed with the attempt counted and the next
  one set ``backoff(attempts)`` later, or given up after ``NOTIFY_MAX_ATTEMPTS``. The channel
  keeps its last success, last failure and the scrubbed error, so the admin shows a failing
  channel.

Quiet hours move a due message to the end of the window without counting an attempt.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db import transaction
from django.db.models import Q
from django.db.models import QuerySet
from django.utils import timezone

from tracker_api.notifications import channels
from tracker_api.notifications import links
from tracker_api.notifications import quiet
from tracker_api.notifications import sealing
from tracker_api.notifications.models import Channel
from tracker_api.notifications.models import ChannelKind
from tracker_api.notifications.models import Delivery
from tracker_api.notifications.models import DeliveryStatus
from tracker_api.notifications.outbox import settings_for

log = logging.getLogger("tracker_api.notifications")

LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
TEST_CODE = "test"


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 6))


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4, 8 ... minutes, at most 6 hours."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


@dataclass
class Counts:
    """What one delivery run did (the command prints it)."""

    delivered: int = 0
    failed: int = 0
    gave_up: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.delivered + self.failed + self.gave_up

    def add(self, outcome: str, error: str = "") -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if error:
            self.errors.append(error)


def _due(now: datetime) -> QuerySet[Delivery]:
    return Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE)
    )


def _take(pk: int, claimed_at: datetime | None, now: datetime) -> str | None:
    """Compare-and-set the claim of one row; the token, or None when someone else has it."""
    token = uuid.uuid4().hex
    taken = (
        Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING, claimed_at=claimed_at).update(
            claimed_at=now, claim_token=token
        )
        if claimed_at is not None
        else Delivery.objects.filter(
            pk=pk, status=DeliveryStatus.PENDING, claimed_at__isnull=True
        ).update(claimed_at=now, claim_token=token)
    )
    return token if taken else None


def claim(limit: int, now: datetime | None = None) -> list[tuple[int, str]]:
    """Take up to ``limit`` due deliveries: ``[(delivery_id, token)]``."""
    now = now or timezone.now()
    claimed: list[tuple[int, str]] = []
    with transaction.atomic():
        rows = _due(now).order_by("next_attempt_at", "id")
        if connection.vendor == "postgresql":
            rows = rows.select_for_update(skip_locked=True)
        for pk, claimed_at in list(rows.values_list("pk", "claimed_at")[:limit]):
            token = _take(pk, claimed_at, now)
            if token is not None:
                claimed.append((pk, token))
    return claimed


def _message(delivery: Delivery) -> tuple[str, str]:
    notification = delivery.notification
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{links.absolute(notification.link)}"
    return notification.subject, body


def _send(delivery: Delivery) -> channels.SendResult:
    subject, body = _message(delivery)
    channel = delivery.channel
    if channel is None:
        for url in channels.operator_urls():
            if channels.fingerprint(url) == delivery.target:
                return channels.send_apprise(url, subject, body)
        return channels.SendResult(False, "This operator URL is no longer in NOTIFY_OPERATOR_URLS.")
    if channel.kind == ChannelKind.EMAIL:
        address = channel.email or getattr(channel.user, "email", "")
        if not address:
            return channels.SendResult(False, "The e-mail channel has no address.")
        return channels.send_email(address, subject, body)
    try:
        url = sealing.open_sealed(channel.url_sealed)
    except sealing.CannotOpen as exc:
        return channels.SendResult(False, str(exc))
    return channels.send_apprise(url, subject, body)


def deliver(delivery_id: int, token: str, now: datetime | None = None) -> tuple[str, str]:
    """Send one claimed delivery and record it: ``(outcome, error)``; outcome is one of
    ``delivered``, ``failed``, ``gave_up``, ``deferred`` (quiet hours), ``lost`` (the claim
    was taken over meanwhile)."""
    now = now or timezone.now()
    delivery = (
        Delivery.objects.select_related("notification", "channel", "channel__user")
        .filter(pk=delivery_id, claim_token=token, status=DeliveryStatus.PENDING)
        .first()
    )
    if delivery is None:
        return "lost", ""
    notification = delivery.notification
    mine = Delivery.objects.filter(pk=delivery_id, claim_token=token)
    if delivery.channel is not None and notification.code != TEST_CODE:
        if not delivery.channel.enabled:
            mine.update(
                status=DeliveryStatus.GAVE_UP,
                claimed_at=None,
                last_error="The channel was switched off before this message was sent.",
            )
            return "gave_up", ""
        allowed = quiet.next_allowed(settings_for(delivery.channel.user_id), now)
        if allowed > now:
            mine.update(next_attempt_at=allowed, claimed_at=None, claim_token="")
            return "deferred", ""
    result = _send(delivery)
    return _record(delivery, token, result, now)


def _record(
    delivery: Delivery, token: str, result: channels.SendResult, now: datetime
) -> tuple[str, str]:
    mine = Delivery.objects.filter(pk=delivery.pk, claim_token=token)
    attempts = delivery.attempts + 1
    with transaction.atomic():
        if result.ok:
            mine.update(
                status=DeliveryStatus.DELIVERED,
                attempts=attempts,
                delivered_at=now,
                claimed_at=None,
                last_error="",
            )
            outcome = "delivered"
        else:
            gave_up = attempts >= max_attempts() or delivery.notification.code == TEST_CODE
            mine.update(
                status=DeliveryStatus.GAVE_UP if gave_up else DeliveryStatus.PENDING,
                attempts=attempts,
                next_attempt_at=now + backoff(attempts),
                claimed_at=None,
                claim_token="",
                last_error=result.error,
            )
            outcome = "gave_up" if gave_up else "failed"
        if delivery.channel_id is not None:
            _channel_outcome(delivery.channel_id, result, now)
    if not result.ok:
        log.warning(
            "notification %s to %s: attempt %s %s: %s",
            delivery.notification_id,
            delivery.label,
            attempts,
            "gave up" if outcome == "gave_up" else "failed",
            result.error,
        )
    return outcome, result.error


def _channel_outcome(channel_id: int, result: channels.SendResult, now: datetime) -> None:
    channel = Channel.objects.filter(pk=channel_id)
    if result.ok:
        channel.update(consecutive_failures=0, last_success_at=now)
        return
    row = channel.values_list("consecutive_failures", flat=True).first() or 0
    channel.update(consecutive_failures=row + 1, last_failure_at=now, last_error=result.error)


def send_due(
    *, limit: int = 200, now: datetime | None = None, budget_s: float | None = None
) -> Counts:
    """Deliver what is due, in batches, until nothing is due, ``limit`` were tried or
    ``budget_s`` seconds have passed (the cron URL must answer in time)."""
    counts = Counts()
    clock = time.monotonic()
    handled = 0
    while handled < limit:
        if budget_s is not None and time.monotonic() - clock > budget_s:
            break
        batch = claim(min(20, limit - handled), now)
        if not batch:
            break
        for delivery_id, token in batch:
            handled += 1
            outcome, error = deliver(delivery_id, token, now)
            if outcome != "lost":
                counts.add(outcome, error)
    return counts


def send_one(delivery_id: int) -> tuple[str, str]:
    """Deliver one row now, whatever its schedule ("send a test")."""
    now = timezone.now()
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        next_attempt_at=now
    )
    with transaction.atomic():
        row = _due(now).filter(pk=delivery_id).values_list("claimed_at", flat=True)
        if connection.vendor == "postgresql":
            row = row.select_for_update(skip_locked=True)
        found = list(row)
        token = _take(delivery_id, found[0], now) if found else None
    if token is None:
        return "lost", "Another worker is sending this message."
    return deliver(delivery_id, token, now)
