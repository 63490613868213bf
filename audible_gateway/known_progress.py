"""What the caller already holds for titles in progress, so unchanged titles cost no request.

Each library sync used to ask ``annotations/lastpositions`` for every title in progress,
50 titles a request, even when nothing had been played since the last sync. The caller (the
tracker) already holds the last answer, so it sends, per ASIN, the listening state it holds
and the position that went with it::

    "known_progress": {"B0PZHZFWVU": [23.9, 12345, 1234567, "2025-11-01T20:00:00+00:00"]}

that is ``[percent, time_remaining_s, position_ms, position_updated_at]`` (an array keeps a
10,000-title body far below the body limit). When the library page reports the same percent
and the same time remaining for the title, its listening position cannot have moved, so the
known position is carried into the item and Audible is not asked. Any difference, or an ASIN
the caller does not list, is looked up as before; the answer has the same shape either way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from audible_gateway import errors

FIELD = "known_progress"
MAX_ENTRIES = 20_000  # Audible pages no further than ~10,000 titles
MAX_ASIN_LENGTH = 32
MAX_TIMESTAMP_LENGTH = 40
SHAPE = (
    "[percent 0..100, time_remaining_s (whole or null), position_ms (whole), "
    "position_updated_at (ISO date-time or null)]"
)


@dataclass(frozen=True, slots=True)
class Known:
    """The listening state the caller holds for one title and the position that came with it."""

    percent: float
    time_remaining_s: int | None
    position_ms: int
    position_updated_at: str | None

    def matches(self, progress: dict[str, Any]) -> bool:
        """Whether the page's progress (before any position lookup) is what the caller holds."""
        return (
            progress.get("percent") == self.percent
            and progress.get("time_remaining_s") == self.time_remaining_s
        )

    def carry_into(self, progress: dict[str, Any]) -> None:
        progress["position_ms"] = self.position_ms
        progress["position_updated_at"] = self.position_updated_at


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _entry(value: Any) -> Known | None:
    if not isinstance(value, list) or len(value) != 4:
        return None
    percent, remaining, position, updated = value
    if isinstance(percent, bool) or not isinstance(percent, int | float):
        return None
    if not math.isfinite(percent) or not 0 <= percent <= 100:
        return None
    if remaining is not None and not _whole(remaining):
        return None
    if not _whole(position):
        return None
    if updated is not None:
        if not isinstance(updated, str) or len(updated) > MAX_TIMESTAMP_LENGTH:
            return None
        try:
            datetime.fromisoformat(updated)
        except ValueError:
            return None
    return Known(float(percent), remaining, position, updated)


def parse_known(body: dict[str, Any]) -> dict[str, Known]:
    """The request's ``known_progress`` (absent or null: nothing known); bad input is refused."""
    raw = body.get(FIELD)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise errors.validation_error({FIELD: f"must be an object of ASIN -> {SHAPE}"})
    if len(raw) > MAX_ENTRIES:
        raise errors.validation_error({FIELD: f"at most {MAX_ENTRIES} titles"})
    known: dict[str, Known] = {}
    for asin, value in raw.items():
        entry = _entry(value)
        if not asin or len(asin) > MAX_ASIN_LENGTH or entry is None:
            raise errors.validation_error({FIELD: f"each entry must be ASIN -> {SHAPE}"})
        known[asin] = entry
    return known
