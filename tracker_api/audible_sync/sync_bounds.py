"""Sync frequency bounds: what interval and daily cap a person may choose.

The absolute bounds the database enforces, and env-tightened ones. Whether a sync may start
*now* is :mod:`tracker_api.audible_sync.ratelimit`, which counts the logs against these.

The database checks hold the absolute bounds (an interval of at least 15 minutes, at most 96
syncs a day, which is what that floor allows). The environment may only tighten them:
``AUDIBLE_SYNC_MIN_INTERVAL_MINUTES`` (default 15, at least 15) and
``AUDIBLE_SYNC_MAX_DAILY_CAP`` (default 48, between 1 and 96), read into the Django settings of
the same names by ``tracker_api/config/settings.py``. The settings are read and checked on every
call, so an override (tests, another settings module) is seen at once and held to the bounds.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ABSOLUTE_MIN_SYNC_INTERVAL_MINUTES = 15
ABSOLUTE_MAX_DAILY_SYNC_CAP = 24 * 60 // ABSOLUTE_MIN_SYNC_INTERVAL_MINUTES
PREFERRED_SYNC_INTERVAL_MINUTES = 60
PREFERRED_DAILY_SYNC_CAP = 24


def min_sync_interval_minutes() -> int:
    """The shortest interval a user may choose between automatic syncs."""
    value = int(settings.AUDIBLE_SYNC_MIN_INTERVAL_MINUTES)
    if value < ABSOLUTE_MIN_SYNC_INTERVAL_MINUTES:
        floor = ABSOLUTE_MIN_SYNC_INTERVAL_MINUTES
        raise ImproperlyConfigured(f"AUDIBLE_SYNC_MIN_INTERVAL_MINUTES must be at least {floor}.")
    return value


def max_daily_sync_cap() -> int:
    """The largest daily sync cap a user may choose."""
    value = int(settings.AUDIBLE_SYNC_MAX_DAILY_CAP)
    if value < 1:
        raise ImproperlyConfigured("AUDIBLE_SYNC_MAX_DAILY_CAP must be at least 1.")
    if value > ABSOLUTE_MAX_DAILY_SYNC_CAP:
        raise ImproperlyConfigured(
            f"AUDIBLE_SYNC_MAX_DAILY_CAP must be at most {ABSOLUTE_MAX_DAILY_SYNC_CAP}."
        )
    return value


def default_sync_interval_minutes() -> int:
    """Default for new configs: hourly, or the floor if the floor is longer."""
    return max(PREFERRED_SYNC_INTERVAL_MINUTES, min_sync_interval_minutes())


def default_daily_sync_cap() -> int:
    """Default for new configs: 24 a day, or the cap if the cap is lower."""
    return min(PREFERRED_DAILY_SYNC_CAP, max_daily_sync_cap())
