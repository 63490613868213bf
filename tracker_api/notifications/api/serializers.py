"""Request and answer shapes of ``/api/notifications``. A channel's URL is write-only: the
answer holds only ``url_masked``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tracker_api.core.strict import StrictBodyMixin
from tracker_api.notifications import channels
from tracker_api.notifications.api.wall_clock import WallClockTimeField
from tracker_api.notifications.models import Channel
from tracker_api.notifications.models import ChannelKind
from tracker_api.notifications.models import Delivery
from tracker_api.notifications.models import Notification
from tracker_api.notifications.models import NotificationSettings


class ChannelSerializer(StrictBodyMixin, serializers.ModelSerializer):
    url = serializers.CharField(
        write_only=True,
        required=False,
        max_length=channels.MAX_URL_LENGTH,
        help_text="Apprise URL (apprise channels); sealed, never answered back.",
    )
    status = serializers.SerializerMethodField(help_text="ok, failing or untested.")

    class Meta:
        model = Channel
        fields = [
            "id",
            "name",
            "kind",
            "url",
            "url_masked",
            "email",
            "enabled",
            "status",
            "consecutive_failures",
            "last_success_at",
            "last_failure_at",
            "last_error",
            "created_at",
        ]
        read_only_fields = [
            "url_masked",
            "consecutive_failures",
            "last_success_at",
            "last_failure_at",
            "last_error",
            "created_at",
        ]

    def get_status(self, channel: Channel) -> str:
        if channel.failing:
            return "failing"
        return "ok" if channel.last_success_at else "untested"

    def validate_url(self, value: str) -> str:
        try:
            return channels.validate_url(value)
        except channels.InvalidChannelURL as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs.get("kind", getattr(self.instance, "kind", ChannelKind.APPRISE))
        has_url = bool(attrs.get("url") or getattr(self.instance, "url_sealed", ""))
        if kind == ChannelKind.APPRISE and not has_url:
            raise serializers.ValidationError({"url": ["An Apprise channel needs its URL."]})
        email = attrs.get("email", getattr(self.instance, "email", ""))
        if kind == ChannelKind.EMAIL and not email:
            raise serializers.ValidationError({"email": ["An e-mail channel needs an address."]})
        return attrs

    def _with_url(self, channel: Channel, url: str | None) -> Channel:
        if url:
            channels.store_url(channel, url)
        return channel

    def create(self, validated_data: dict[str, Any]) -> Channel:
        url = validated_data.pop("url", None)
        channel = self._with_url(Channel(**validated_data), url)
        channel.save()
        return channel

    def update(self, instance: Channel, validated_data: dict[str, Any]) -> Channel:
        url = validated_data.pop("url", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        self._with_url(instance, url)
        instance.save()
        return instance


class TestResultSerializer(serializers.Serializer):
    delivered = serializers.BooleanField()
    error = serializers.CharField(help_text="The service's answer, scrubbed; empty when sent.")
    notification_id = serializers.IntegerField()


class SettingsSerializer(StrictBodyMixin, serializers.ModelSerializer):
    quiet_start = WallClockTimeField(
        required=False,
        allow_null=True,
        help_text="Quiet hours start (HH:MM, the person's time zone): nothing is sent between "
        "start and end.",
    )
    quiet_end = WallClockTimeField(
        required=False, allow_null=True, help_text="Quiet hours end (HH:MM)."
    )

    class Meta:
        model = NotificationSettings
        fields = [
            "relogin_needed",
            "sync_failing",
            "failure_threshold",
            "conflicts_waiting",
            "book_finished",
            "digest_day",
            "quiet_start",
            "quiet_end",
            "time_zone",
        ]
        extra_kwargs = {"failure_threshold": {"min_value": 1, "max_value": 100}}


class DeliverySerializer(serializers.ModelSerializer):
    channel_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Delivery
        fields = [
            "channel_id",
            "label",
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "last_error",
        ]


class NotificationSerializer(serializers.ModelSerializer):
    deliveries = DeliverySerializer(many=True, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "code", "subject", "body", "link", "created_at", "deliveries"]
