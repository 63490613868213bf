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

# Size budgets per field, in characters, checked before anything parses the text: the
# matcher, the catalogue and the gateway's encoder then never see more than this. Real
# Audible values are far shorter (titles rarely pass 200); an item over a budget is reported
# as malformed, like any other unreadable item, never truncated into another book.
ASIN_LIMIT = 20
TITLE_LIMIT = 1000  # title and subtitle
NAME_LIMIT = 300  # one author or narrator
NAMES_LIMIT = 100  # people per list
NAMES_TEXT_LIMIT = NAMES_LIMIT * (NAME_LIMIT + 2)  # an export's comma list
SERIES_LIMIT = 50  # series per item
SERIES_TITLE_LIMIT = 500
CATEGORY_LADDERS_LIMIT = 50  # category ladders per item
CATEGORY_DEPTH_LIMIT = 20  # categories per ladder
CATEGORY_NAME_LIMIT = 300
SHORT_LIMIT = 64  # sequence, ISBN, language, types, status, dates, numbers as text

PODCAST_CONTENT_TYPES = frozenset({"podcast", "episode", "show"})
PODCAST_DELIVERY_TYPES = frozenset({"podcastparent", "podcastepisode", "podcastseason"})


class MalformedItem(ValueError):
    """An item Audible sent that cannot be read; reported per item, never a crash."""

    def __init__(self, asin: str | None, reason: str) -> None:
        super().__init__(reason)
        self.asin = asin
        self.reason = reason


class TooLong(ValueError):
    """A field over its size budget (a ValueError: reported like any unreadable field)."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} is longer than {limit} characters")


def _bounded(value: Any, what: str, limit: int) -> Any:
    if isinstance(value, str) and len(value) > limit:
        raise TooLong(what, limit)
    return value


def _text(value: Any, what: str = "a text field", limit: int = SHORT_LIMIT) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise TypeError("expected text")
    text = str(_bounded(value, what, limit)).strip()
    return text or None


def _names(value: Any, what: str) -> list[str]:
    """``[{asin, name}]`` (API) or a comma list (exports) -> names, in order."""
    if value is None:
        return []
    if isinstance(value, str):
        _bounded(value, what, NAMES_TEXT_LIMIT)
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise TypeError("expected a list of people")
    if len(value) > NAMES_LIMIT:
        raise ValueError(f"{what} lists more than {NAMES_LIMIT} people")
    names: list[str] = []
    for person in value:
        name = person.get("name") if isinstance(person, dict) else person
        text = _text(name, f"a name in {what}", NAME_LIMIT)
        if text:
            names.append(text)
    return names


def _series(value: Any) -> list[dict[str, str | None]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError("expected a list of series")
    if len(value) > SERIES_LIMIT:
        raise ValueError(f"series lists more than {SERIES_LIMIT} entries")
    out = []
    for entry in value:
        if not isinstance(entry, dict):
            raise TypeError("expected a series object")
        title = _text(entry.get("title"), "a series title", SERIES_TITLE_LIMIT)
        if title:
            out.append({"title": title, "sequence": _text(entry.get("sequence"), "a sequence")})
    return out


def _categories(value: Any) -> list[list[str]]:
    """``category_ladders`` -> one list of names per ladder, broadest first, e.g.
    ``[["Children's Audiobooks", "Literature & Fiction"]]``. A ladder or rung that is not the
    documented object is passed over (categories only route titles; the item stays readable);
    sizes over budget still fail like any other field."""
    if not isinstance(value, list):
        return []
    if len(value) > CATEGORY_LADDERS_LIMIT:
        raise ValueError(f"category_ladders lists more than {CATEGORY_LADDERS_LIMIT} ladders")
    out = []
    for entry in value:
        ladder = entry.get("ladder") if isinstance(entry, dict) else None
        if not isinstance(ladder, list):
            continue
        if len(ladder) > CATEGORY_DEPTH_LIMIT:
            raise ValueError(f"a category ladder is deeper than {CATEGORY_DEPTH_LIMIT}")
        texts = [
            _text(rung.get("name"), "a category name", CATEGORY_NAME_LIMIT)
            for rung in ladder
            if isinstance(rung, dict) and isinstance(rung.get("name"), str)
        ]
        names = [name for name in texts if name]
        if names and names not in out:
            out.append(names)
    return out


def _percent(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(_bounded(value, "a percentage", SHORT_LIMIT))
    if math.isnan(number):
        return None
    return min(100.0, max(0.0, number))


def _int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    number = int(float(_bounded(value, "a number", SHORT_LIMIT)))
    return number if number >= 0 else None


def _iso_datetime(value: Any) -> str | None:
    """Audible timestamps come as ISO strings (with or without ms/Z) or epoch ms."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=UTC).isoformat()
    text = str(_bounded(value, "a timestamp", SHORT_LIMIT)).strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


def _iso_date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(_bounded(value, "a date", SHORT_LIMIT)).strip()
    return datetime.fromisoformat(text[:10]).date().isoformat()


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
    if len(asin) > ASIN_LIMIT:
        raise MalformedItem(None, f"item has an ASIN longer than {ASIN_LIMIT} characters")
    asin = asin.strip()
    try:
        title = _text(raw.get("title"), "the title", TITLE_LIMIT)
        content_type = _text(raw.get("content_type"))
        delivery_type = _text(raw.get("content_delivery_type"))
        status = _text(raw.get("status")) or "Active"
        item = {
            "asin": asin,
            "title": title,
            "subtitle": _text(raw.get("subtitle"), "the subtitle", TITLE_LIMIT),
            "authors": _names(raw.get("authors"), "authors"),
            "narrators": _names(raw.get("narrators"), "narrators"),
            "series": _series(raw.get("series")),
            "categories": _categories(raw.get("category_ladders")),
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
