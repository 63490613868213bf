from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tracker_api.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tracker_api.notifications import receivers
        from tracker_api.notifications import redaction

        # Before anything can send: Apprise and urllib3 log URLs with tokens in them.
        redaction.install()
        receivers.connect()
