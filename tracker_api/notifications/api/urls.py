from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from tracker_api.notifications.api import views

router = SimpleRouter(trailing_slash=False)
router.register("notifications/channels", views.ChannelViewSet, basename="notification-channel")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("notifications/settings", views.SettingsView.as_view(), name="notification-settings"),
    *router.urls,
]
