from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _keep_person_group_current(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Once per ``migrate``: after the post_migrate of the last app that has models (this app
    has none, so Django never sends post_migrate for it), when every permission exists."""
    from django.apps import apps

    from tracker_api.core.roles import sync_person_group

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if with_models and sender is with_models[-1]:
        sync_person_group(using=using)


class CoreConfig(AppConfig):
    name = "tracker_api.core"
    label = "core"
    verbose_name = "Core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the startup checks (secrets, PORT): tracker_api.core.checks.
        from tracker_api.core import checks  # noqa: F401

        # The <id:...> path converter every URL conf uses for database ids: core.converters.
        from tracker_api.core import converters  # noqa: F401

        # After every migrate: the person group holds exactly roles.PERSON_PERMISSIONS.
        post_migrate.connect(_keep_person_group_current, dispatch_uid="core.person_group")
