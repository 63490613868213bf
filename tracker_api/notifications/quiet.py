"""Quiet hours: a person's nightly window in which nothing is sent to them.

The window is read in the person's time zone and may cross midnight (22:00 to 07:00). A message
due inside it waits until the window ends; nothing is dropped. Operational messages and the
"send a test" button ignore quiet hours.
"""

from __future__ import annotations

from datetime import datetime
from datetime import time
from datetime import timedelta

from tracker_api.notifications.models import NotificationSettings


def _inside(start: time, end: time, moment: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end  # across midnight


def next_allowed(prefs: NotificationSettings, now: datetime) -> datetime:
    """``now`` outside quiet hours, else the moment they end (an aware datetime)."""
    start, end = prefs.quiet_start, prefs.quiet_end
    if start is None or end is None:
        return now
    local = now.astimezone(prefs.zone())
    if not _inside(start, end, local.time().replace(tzinfo=None)):
        return now
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if ends <= local:
        ends += timedelta(days=1)
    return ends
