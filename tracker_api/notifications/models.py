"""The notification tables: channels, per-person settings, the outbox and its deliveries.

* :class:`Channel` is where one person is told things: an Apprise URL (ntfy, Gotify, Discord,
  a webhook, ``mailto://``...) sealed in ``url_sealed`` and shown only masked, or plain e-mail
  through Django's mail settings.
* :class:`NotificationSettings` says which events a person wants, their quiet hours, digest
  day and how many failed syncs in a row make a message.
* :class:`Notification` is the outbox row, written in the same transaction as the event that
  caused it; ``dedupe_key`` is unique, so an event can never be queued twice.
* :class:`Delivery` is one notification to one channel (or one operator URL), claimed by one
  worker at a time (``claimed_at`` is a lease), retried with back-off, given up after
  ``NOTIFY_MAX_ATTEMPTS``.
* :class:`SchedulerHeartbeat` records the last scheduled run per source (the cron command, the
  cron URL), so "cron is not running" can be told.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ChannelKind(models.TextChoices):
    APPRISE = "apprise", "Apprise URL (ntfy, Gotify, Discord, webhooks, ...)"
    EMAIL = "email", "E-mail (the tracker's mail server)"


class Channel(models.Model):
    """One person's place to be notified. The Apprise URL is never stored or shown in clear."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_channels"
    )
    name = models.CharField(max_length=100, help_text="Your own name for it, e.g. 'phone'.")
    kind = models.CharField(max_length=10, choices=ChannelKind.choices, default=ChannelKind.APPRISE)
    url_sealed = models.TextField(blank=True, default="", editable=False)
    url_masked = models.CharField("URL", max_length=300, blank=True, default="", editable=False)
    email = models.EmailField(blank=True, default="", help_text="For e-mail channels.")
    enabled = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_failure_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "notification_channels"
        ordering = ["user", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ChannelKind.values), name="notification_channel_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.target_label})"

    @property
    def target_label(self) -> str:
        """What the person may see of the target: the masked URL or the address."""
        return self.email if self.kind == ChannelKind.EMAIL else self.url_masked

    @property
    def failing(self) -> bool:
        return self.consecutive_failures > 0


def validate_time_zone(value: str) -> None:
    """An IANA time zone name (Europe/Berlin), or empty for the server's."""
    from zoneinfo import available_timezones

    if value and value not in available_timezones():
        raise ValidationError("Not a time zone name (e.g. Europe/Berlin).")


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


DEFAULT_FAILURE_THRESHOLD = 3


class NotificationSettings(models.Model):
    """Which events one person wants, and when. No row means the defaults below."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    relogin_needed = models.BooleanField(
        "Audible needs a new login", default=True, help_text="Once, until you reconnect."
    )
    sync_failing = models.BooleanField(
        "syncs failing / recovered",
        default=True,
        help_text="After the number of failed syncs in a row below, and when they work again.",
    )
    failure_threshold = models.PositiveSmallIntegerField(
        "failed syncs in a row", default=DEFAULT_FAILURE_THRESHOLD
    )
    conflicts_waiting = models.BooleanField(
        "new conflicts waiting", default=True, help_text="One message per sync, not per title."
    )
    book_finished = models.BooleanField("a book finished", default=False)
    digest_day = models.PositiveSmallIntegerField(
        "weekly digest on",
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text="Empty: no weekly digest.",
    )
    quiet_start = models.TimeField(
        null=True, blank=True, help_text="Quiet hours: nothing is sent between start and end."
    )
    quiet_end = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        validators=[validate_time_zone],
        help_text="For quiet hours and the digest day (e.g. Europe/Berlin); empty: the "
        "server's TIME_ZONE.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "notification_settings"
        verbose_name = "notification settings"
        verbose_name_plural = "notification settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(failure_threshold__gte=1) & Q(failure_threshold__lte=100),
                name="notification_settings_threshold_1_100",
            ),
            models.CheckConstraint(
                condition=Q(digest_day__isnull=True)
                | (Q(digest_day__gte=0) & Q(digest_day__lte=6)),
                name="notification_settings_digest_day_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification settings of {self.user}"

    def wants(self, code: str) -> bool:
        """Whether this person wants events of ``code`` (tests and unknown codes: yes)."""
        from tracker_api.notifications import events

        field = events.SETTING_OF.get(code)
        return True if field is None else bool(getattr(self, field))

    def zone(self) -> dt.tzinfo:
        from zoneinfo import ZoneInfo

        if self.time_zone:
            try:
                return ZoneInfo(self.time_zone)
            except (ValueError, KeyError):
                pass
        return timezone.get_default_timezone()


class Notification(models.Model):
    """An outbox row: one event told to one person (``user`` empty: an operational event)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    code = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True, default="")
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "notifications"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "code", "-created_at"], name="notifications_user_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.subject}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    GAVE_UP = "gave_up", "Gave up"


class Delivery(models.Model):
    """One notification to one channel (``channel``) or one operator URL (``target``).

    ``claimed_at``/``claim_token`` are a lease: a worker that claims the row owns it until it
    records the outcome or the lease runs out (a worker that died). ``last_error`` is scrubbed
    of every part of the channel's URL and of the mail password before it is stored.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    target = models.CharField(
        max_length=64, blank=True, default="", help_text="Operator URL fingerprint."
    )
    label = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "notification_deliveries"
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_delivery_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values),
                name="notification_delivery_status_valid",
            ),
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=Q(channel__isnull=False),
                name="notification_delivery_one_per_channel",
            ),
            models.UniqueConstraint(
                fields=["notification", "target"],
                condition=Q(channel__isnull=True),
                name="notification_delivery_one_per_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification.code} to {self.label} ({self.status})"


class SchedulerHeartbeat(models.Model):
    """The last scheduled run of one source (``command``: ``audible_sync --all``; ``cron_view``:
    ``GET /api/cron/audible-sync``). Nobody's data: only operators see it (on the dashboard)."""

    source = models.CharField(max_length=20, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_synced = models.PositiveIntegerField(default=0)
    last_failed = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "notification_scheduler_heartbeats"

    def __str__(self) -> str:
        return f"{self.source}: {self.last_started_at}"
