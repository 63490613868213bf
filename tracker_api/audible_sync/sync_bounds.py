"""Sync frequency bounds: what interval and daily cap a person may choose.

The absolute bounds the database enforces, and env-tightened ones. Whether a sync may start
*now* is :mod:`tracker_api.audible_sync.ratelimit`, which counts the logs against these.

The database checks hold the absolute bounds (an interval of at least 15 minutes, at most 96
syncs a day, which is what that floor allows). The environment may only tighten them:
``AUDIBLE_SYNC_MIN_INTERVAL_MINUTES`` (default 15, at least 15) and
``AUDIBLE_SYNC_MAX_DAILY_CAP`` (default 48, between 1 and 96). Values are read on every call so
a changed environment is seen without a restart of the code that asks.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from tracker_api.config.env import env_int

ABSOLUTE_MIN_SYNC_INTERVAL_MINUTES = 15
ABSOLUTE_MAX_DAILY_SYNC_CAP = 24 * 60 // ABSOLUTE_MIN_SYNC_INTERVAL_MINUTES
PREFERRED_SYNC_INTERVAL_MINUTES = 60
PREFERRED_DAILY_SYNC_CAP = 24


def min_sync_interval_minutes() -> int:
    """The shortest interval a user may choose between automatic syncs."""
    return env_int(
        "AUDIBLE_SYNC_MIN_INTERVAL_MINUTES",
        ABSOLUTE_MIN_SYNC_INTERVAL_MINUTES,
        minimum=ABSOLUTE_MIN_SYNC_INTERVAL_MINUTES,
    )


def max_daily_sync_cap() -> int:
    """The largest daily sync cap a user may choose."""
    value = env_int("AUDIBLE_SYNC_MAX_DAILY_CAP", 48, minimum=1)
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
