"""A person's sync preferences, changed the one way the API and the admin both use.

:func:`save_preferences` validates with the API's own serializer
(:class:`~tracker_api.audible_sync.api.serializers.ConfigSerializer`), so the admin's
settings page and ``PUT|PATCH /api/audible/config`` accept the same values and refuse the
others with the same sentences, and it reschedules the next automatic sync when the interval
changes.
"""

from __future__ import annotations

from typing import Any

from tracker_api.audible_sync import ratelimit
from tracker_api.audible_sync.models import AudibleConfig

# The preferences a person chooses (the rest of the config is the connection's facts).
PREFERENCE_FIELDS = (
    "enabled",
    "auto_sync",
    "sync_interval_minutes",
    "daily_sync_cap",
    "import_policy",
    "import_podcasts",
)


def save_preferences(user: Any, data: Any, *, partial: bool) -> AudibleConfig:
    """Validate ``data`` as the API does and save it on ``user``'s config (made if missing).

    Raises :class:`rest_framework.exceptions.ValidationError` (field -> sentences) and
    changes nothing when a value is refused.
    """
    from tracker_api.audible_sync.api.serializers import ConfigSerializer

    config, _ = AudibleConfig.objects.get_or_create(user=user)
    interval = config.sync_interval_minutes
    serializer = ConfigSerializer(config, data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    serializer.save()
    if config.sync_interval_minutes != interval:
        ratelimit.reschedule(config)
    return config


def preference_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """The API's sentences for ``data`` without saving anything (field -> sentences)."""
    from tracker_api.audible_sync.api.serializers import ConfigSerializer

    serializer = ConfigSerializer(AudibleConfig(), data=data, partial=True)
    if serializer.is_valid():
        return {}
    return {
        name: [str(message) for message in messages] for name, messages in serializer.errors.items()
    }
