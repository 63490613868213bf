"""Query-string filters shared by the list endpoints, each a 400 naming the parameter when bad.

``?since=2025-01-01`` (a date is its midnight, UTC) and ``?until=`` bound a time column;
``?status=`` picks a choice; ``?dry_run=true``. Values are bounded: a filter never reaches the
database with something it cannot be.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import time
from typing import Any
from typing import TypeVar

from django.db.models import QuerySet
from django.utils.dateparse import parse_date
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

Q = TypeVar("Q", bound=QuerySet[Any])
MAX_VALUE_CHARS = 64
TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}


def _bad(name: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({name: [message]})


def _value(params: Any, name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if len(value) > MAX_VALUE_CHARS:
        raise _bad(name, f"At most {MAX_VALUE_CHARS} characters.")
    return str(value)


def moment(params: Any, name: str) -> datetime | None:
    """An ISO date-time (naive is UTC) or date (its midnight, UTC) from the query string."""
    value = _value(params, name)
    if value is None:
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.combine(day, time.min) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise _bad(name, "Must be an ISO date (2025-01-31) or date-time (2025-01-31T12:00:00Z).")
    # In UTC, so the database never sees an offset it refuses (PostgreSQL takes at most
    # +-15:59, Python up to +-23:59); a moment that leaves years 1..9999 is refused here.
    try:
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        raise _bad(name, "Must be between the years 1 and 9999.") from None


def time_range(queryset: Q, params: Any, column: str) -> Q:
    """``since`` (inclusive) and ``until`` (exclusive) on ``column``."""
    since, until = moment(params, "since"), moment(params, "until")
    if since is not None:
        queryset = queryset.filter(**{f"{column}__gte": since})
    if until is not None:
        queryset = queryset.filter(**{f"{column}__lt": until})
    return queryset


def choice(queryset: Q, params: Any, name: str, values: list[str], column: str = "") -> Q:
    value = _value(params, name)
    if value is None:
        return queryset
    if value not in values:
        raise _bad(name, f"Must be one of: {', '.join(values)}.")
    return queryset.filter(**{column or name: value})


def flag(params: Any, name: str) -> bool | None:
    value = _value(params, name)
    if value is None:
        return None
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise _bad(name, "Must be true or false.")


def boolean(queryset: Q, params: Any, name: str, column: str = "") -> Q:
    value = flag(params, name)
    return queryset if value is None else queryset.filter(**{column or name: value})


def integer(params: Any, name: str) -> int | None:
    value = _value(params, name)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 12:
        raise _bad(name, "Must be a whole number.")
    return int(value)


def asin(params: Any, name: str) -> str | None:
    """An ASIN (1 to 20 letters and digits, upper-cased)."""
    value = _value(params, name)
    if value is None:
        return None
    if not (value.isascii() and value.isalnum() and len(value) <= 20):
        raise _bad(name, "Must be an ASIN: 1 to 20 letters and digits.")
    return value.upper()


def one_of(params: Any, name: str, values: list[str] | tuple[str, ...]) -> str | None:
    """A value from ``values``, or None when absent."""
    value = _value(params, name)
    if value is not None and value not in values:
        raise _bad(name, f"Must be one of: {', '.join(values)}.")
    return value
