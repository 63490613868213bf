"""``/api/notifications``: the signed-in person's channels, settings and messages.

Another person's channel is a 404, like one that does not exist. Thin: the work is in
:mod:`tracker_api.notifications.testing` and the serializers.
"""

from __future__ import annotations

from typing import Any
from typing import cast

from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from tracker_api.notifications.api import examples
from tracker_api.notifications.api.serializers import ChannelSerializer
from tracker_api.notifications.api.serializers import NotificationSerializer
from tracker_api.notifications.api.serializers import SettingsSerializer
from tracker_api.notifications.api.serializers import TestResultSerializer
from tracker_api.notifications.models import Channel
from tracker_api.notifications.models import Notification
from tracker_api.notifications.models import NotificationSettings
from tracker_api.notifications.testing import send_test


@extend_schema_view(
    list=extend_schema(summary="List my notification channels", examples=examples.CHANNEL_LIST),
    create=extend_schema(
        summary="Add a channel (Apprise URL or e-mail)", examples=examples.CHANNEL_ONE
    ),
    retrieve=extend_schema(summary="One of my channels", examples=examples.CHANNEL_ONE),
    update=extend_schema(summary="Replace a channel", examples=examples.CHANNEL_ONE),
    partial_update=extend_schema(summary="Change a channel", examples=examples.CHANNEL_ONE),
    destroy=extend_schema(summary="Delete a channel"),
)
class ChannelViewSet(viewsets.ModelViewSet):
    serializer_class = ChannelSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Channel]:
        return Channel.objects.filter(user=cast("User", self.request.user)).order_by("name", "id")

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.save(user=cast("User", self.request.user))

    @extend_schema(
        summary="Send a test message to a channel",
        request=None,
        responses={200: TestResultSerializer},
        examples=examples.TEST_RESULT,
    )
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Send a test message to this channel now; answers whether the service took it."""
        return Response(send_test(self.get_object()).to_dict())


class SettingsView(APIView):
    """The person's notification settings (defaults until they change one)."""

    def _settings(self, request: Request) -> NotificationSettings:
        return NotificationSettings.objects.get_or_create(user=cast("User", request.user))[0]

    @extend_schema(
        summary="My notification settings",
        responses={200: SettingsSerializer},
        examples=examples.SETTINGS_EXAMPLES,
    )
    def get(self, request: Request) -> Response:
        found = NotificationSettings.objects.filter(user=cast("User", request.user)).first()
        defaults = NotificationSettings(user=cast("User", request.user))
        return Response(SettingsSerializer(found or defaults).data)

    @extend_schema(
        summary="Change my notification settings",
        request=SettingsSerializer,
        responses={200: SettingsSerializer},
        examples=examples.SETTINGS_EXAMPLES,
    )
    def patch(self, request: Request) -> Response:
        serializer = SettingsSerializer(self._settings(request), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)


@extend_schema_view(
    list=extend_schema(summary="List my notifications", examples=examples.NOTIFICATION_LIST)
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The messages queued for the person, newest first, with each delivery's state."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        return (
            Notification.objects.filter(user=cast("User", self.request.user))
            .prefetch_related("deliveries")
            .order_by("-created_at", "-id")
        )
