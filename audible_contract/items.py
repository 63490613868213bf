"""Normalise Audible library items into the one documented shape the tracker consumes.

This module is pure (no Flask, no network) so the gateway, the tracker's file readers and the
tests can all use it. The shape is documented in ``docs/gateway.md`` ("The item shape").

Progress: real responses disagree between the top-level ``percent_complete`` and
``listening_status.percent_complete`` (sample: 0.0 vs 10.0 for a title with 80,622 of
89,580 seconds left, i.e. exactly 10 % heard). ``listening_status`` is computed from the
listening position (it carries ``time_remaining_seconds``), while the top-level value lags,
so ``listening_status`` wins whenever it is present; the top-level fields are the fallback.
"""

from __future__ import annotations

import math
from datetime import UTC
from datetime import datetime
from typing import Any

PODCAST_CONTENT_TYPES = frozenset({"podcast", "episode", "show"})
PODCAST_DELIVERY_TYPES = frozenset({"podcastparent", "podcastepisode", "podcastseason"})


class MalformedItem(ValueError):
    """An item Audible sent that cannot be read; reported per item, never a crash."""

    def __init__(self, asin: str | None, reason: str) -> None:
        super().__init__(reason)
        self.asin = asin
        self.reason = reason


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise TypeError("expected text")
    text = str(value).strip()
    return text or None


def _names(value: Any) -> list[str]:
    """``[{asin, name}]`` (API) or a comma list (exports) -> names, in order."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise TypeError("expected a list of people")
    names: list[str] = []
    for person in value:
        name = person.get("name") if isinstance(person, dict) else person
        text = _text(name)
        if text:
            names.append(text)
    return names


def _series(value: Any) -> list[dict[str, str | None]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError("expected a list of series")
    out = []
    for entry in value:
        if not isinstance(entry, dict):
            raise TypeError("expected a series object")
        title = _text(entry.get("title"))
        if title:
            out.append({"title": title, "sequence": _text(entry.get("sequence"))})
    return out


def _percent(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    if math.isnan(number):
        return None
    return min(100.0, max(0.0, number))


def _int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    number = int(float(value))
    return number if number >= 0 else None


def _iso_datetime(value: Any) -> str | None:
    """Audible timestamps come as ISO strings (with or without ms/Z) or epoch ms."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=UTC).isoformat()
    text = str(value).strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


def _iso_date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    return datetime.fromisoformat(str(value).strip()[:10]).date().isoformat()


def is_podcast(content_type: str | None, delivery_type: str | None) -> bool:
    """Podcasts and their episodes are told apart by content and delivery type."""
    return (content_type or "").lower() in PODCAST_CONTENT_TYPES or (
        delivery_type or ""
    ).lower() in PODCAST_DELIVERY_TYPES


def progress_of(raw: dict[str, Any], last_position: dict[str, Any] | None = None) -> dict[str, Any]:
    """Percent, finished flag and dates, with ``listening_status`` winning (see module doc)."""
    status = raw.get("listening_status")
    status = status if isinstance(status, dict) else {}
    percent = _percent(status.get("percent_complete"))
    if percent is None:
        percent = _percent(raw.get("percent_complete"))
    finished = status.get("is_finished")
    if finished is None:
        finished = raw.get("is_finished")
    finished_at = _iso_datetime(status.get("finished_at_timestamp"))
    is_finished = bool(finished) or finished_at is not None
    if is_finished:
        percent = 100.0
    position_ms = None
    position_updated_at = None
    heard = last_position.get("last_position_heard") if isinstance(last_position, dict) else None
    if isinstance(heard, dict) and heard.get("status") == "Exists":
        # Unreadable values raise (ValueError/TypeError): the caller reports them per title.
        position_ms = _int(heard.get("position_ms"))
        position_updated_at = _iso_datetime(heard.get("last_updated"))
    return {
        "percent": percent if percent is not None else 0.0,
        "is_finished": is_finished,
        "finished_at": finished_at,
        "position_ms": position_ms,
        "position_updated_at": position_updated_at,
        "time_remaining_s": _int(status.get("time_remaining_seconds")),
    }


def normalize_item(
    raw: dict[str, Any], last_position: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One Audible library item (API shape) -> the documented item shape.

    Raises MalformedItem with the ASIN (when readable) and a reason a person understands.
    """
    if not isinstance(raw, dict):
        raise MalformedItem(None, "item is not a JSON object")
    asin = raw.get("asin")
    if not isinstance(asin, str) or not asin.strip():
        raise MalformedItem(None, "item has no ASIN")
    asin = asin.strip()
    try:
        title = _text(raw.get("title"))
        content_type = _text(raw.get("content_type"))
        delivery_type = _text(raw.get("content_delivery_type"))
        status = _text(raw.get("status")) or "Active"
        item = {
            "asin": asin,
            "title": title,
            "subtitle": _text(raw.get("subtitle")),
            "authors": _names(raw.get("authors")),
            "narrators": _names(raw.get("narrators")),
            "series": _series(raw.get("series")),
            "isbn": _text(raw.get("isbn")),
            "language": _text(raw.get("language")),
            "release_date": _iso_date(raw.get("release_date") or raw.get("issue_date")),
            "purchase_date": _iso_datetime(raw.get("purchase_date")),
            "runtime_min": _int(raw.get("runtime_length_min")),
            "content_type": content_type,
            "content_delivery_type": delivery_type,
            "format_type": _text(raw.get("format_type")),
            "is_podcast": is_podcast(content_type, delivery_type),
            "origin_type": _text(raw.get("origin_type")),
            "status": status,
            "progress": progress_of(raw, last_position),
        }
    except (TypeError, ValueError, OverflowError) as exc:
        raise MalformedItem(asin, f"item {asin} has an unreadable field: {exc}") from exc
    if title is None:
        raise MalformedItem(asin, f"item {asin} has no title")
    if status not in ("Active", "Revoked"):
        raise MalformedItem(asin, f"item {asin} has an unknown status {status!r}")
    return item
