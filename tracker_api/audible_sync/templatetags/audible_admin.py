"""Template filters for the admin pages: the few display rules people read everywhere.

One place decides how a duration, a confidence and a status are written, so the dashboard,
the lists and the detail pages say the same thing the same way.
"""

from __future__ import annotations

from typing import Any

from django import template

from tracker_api.audible_sync.dashboard.chart import hours_minutes

register = template.Library()


@register.filter
def listening_time(ms: Any) -> str:
    """Milliseconds as "2 h 05 min" (see :func:`~.chart.hours_minutes`)."""
    try:
        return hours_minutes(float(ms))
    except (TypeError, ValueError):
        return "—"
