from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tracker_api.core"
    label = "core"
    verbose_name = "Core"
    default_auto_field = "django.db.models.BigAutoField"
