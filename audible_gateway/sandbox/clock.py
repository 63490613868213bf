"""Timestamps in the exact textual forms the Audible API uses."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime


def now() -> datetime:
    return datetime.now(UTC)


def api_timestamp(moment: datetime) -> str:
    """``2026-01-02T12:57:43.960Z`` (purchase_date, finished_at_timestamp, stats)."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def position_timestamp(moment: datetime) -> str:
    """``2025-06-16 20:23:18.818`` (lastpositions ``last_updated``: UTC, no zone, space)."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
    )


def parse_timestamp(value: object) -> datetime | None:
    """Any timestamp the API or a control call may carry (ISO with/without Z, space, epoch ms)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    text = str(value).strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1]
        if not (len(text) > 19 and ("+" in text[19:] or "-" in text[19:])):
            text += "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
