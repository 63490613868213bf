"""Listening time from Audible's own aggregates (``GET 1.0/stats/aggregates``).

Audible sums the milliseconds listened per day (at most 30 days a request), per month (at most
12) and in total. Two requests: the days, and the months with the total. Each goes through the
same retry policy and error translation as every other Audible call. The answer is
``{"days": [{"date", "listened_ms"}], "months": [{"month", "listened_ms"}], "total_ms"}``,
oldest first, every interval present (0 when nothing was heard).
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import audible
import httpx
from audible import exceptions as ax

from audible_gateway import errors
from audible_gateway.retry import RetryPolicy
from audible_gateway.retry import translate
from audible_gateway.upstream import Upstream

MAX_DAYS = 30
MAX_MONTHS = 12
REQUESTS = 2


def _months_back(today: date, months: int) -> str:
    year, month = divmod(today.year * 12 + today.month - 1 - (months - 1), 12)
    return f"{year:04d}-{month + 1:02d}"


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise errors.bad_upstream("an aggregated_sum that is not a non-negative number")
    return int(value)


def _intervals(answer: Any, key: str, width: int) -> list[tuple[str, int]]:
    rows = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(rows, list):
        raise errors.bad_upstream(f"no {key} list")
    found = []
    for row in rows:
        ident = row.get("interval_identifier") if isinstance(row, dict) else None
        if not isinstance(ident, str) or len(ident) != width:
            raise errors.bad_upstream(f"an interval_identifier that is not {width} characters")
        found.append((ident, _whole(row.get("aggregated_sum", 0))))
    return sorted(found)


def listening_stats(
    upstream: Upstream,
    policy: RetryPolicy,
    auth: audible.Authenticator,
    *,
    days: int = MAX_DAYS,
    months: int = MAX_MONTHS,
    today: date | None = None,
) -> dict[str, Any]:
    """The last ``days`` days and ``months`` months (this one included) of listening."""
    today = today or datetime.now(UTC).date()
    daily = {
        "daily_listening_interval_duration": str(days),
        "daily_listening_interval_start_date": (today - timedelta(days=days - 1)).isoformat(),
        "store": "Audible",
    }
    monthly = {
        "monthly_listening_interval_duration": str(months),
        "monthly_listening_interval_start_date": _months_back(today, months),
        "response_groups": "total_listening_stats",
        "store": "Audible",
    }
    with upstream.api_client(auth) as client:
        try:
            by_day = policy.call(lambda: client.get("stats/aggregates", params=daily))
            by_month = policy.call(lambda: client.get("stats/aggregates", params=monthly))
        except (ax.AudibleError, httpx.HTTPError) as exc:
            raise translate(exc) from None
    total = by_month.get("aggregated_total_listening_stats") if isinstance(by_month, dict) else None
    return {
        "days": [
            {"date": ident, "listened_ms": ms}
            for ident, ms in _intervals(by_day, "aggregated_daily_listening_stats", 10)
        ],
        "months": [
            {"month": ident, "listened_ms": ms}
            for ident, ms in _intervals(by_month, "aggregated_monthly_listening_stats", 7)
        ],
        "total_ms": _whole(total.get("aggregated_sum", 0)) if isinstance(total, dict) else None,
    }
