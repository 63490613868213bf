from __future__ import annotations

from django.apps import AppConfig


class AudibleSyncConfig(AppConfig):
    name = "tracker_api.audible_sync"
    label = "audible_sync"
    verbose_name = "Audible sync"
    default_auto_field = "django.db.models.BigAutoField"
