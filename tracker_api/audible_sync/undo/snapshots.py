"""Rows as JSON and back: the ``before``/``after`` values of the change log.

Only the fields an action can write are kept (``BOOK``, ``READ``, ``MAPPING``); date-times are
ISO 8601 in UTC so two snapshots of one row compare equal whatever time zone the value was
read in.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from django.db import models

BOOK = ("status", "progress_percent", "started_at", "finished_at", "updated_at")
READ = ("book_id", "status", "started_at", "finished_at", "percent", "source", "updated_at")
MAPPING = (
    "book_id", "match_method", "confidence", "ignored", "in_library", "item", "last_percent",
    "last_is_finished", "last_position_ms", "last_finished_at", "last_seen_at", "updated_at",
)  # fmt: skip


def encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def snapshot(obj: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    """``obj``'s values of ``names`` as JSON (attribute names: ``book_id``, not ``book``)."""
    return {name: encode(getattr(obj, name)) for name in names}


def decode(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """A snapshot back as field values for ``QuerySet.update``."""
    out = {}
    for name, value in values.items():
        field = model._meta.get_field(name[:-3] if name.endswith("_id") else name)
        if value is not None and isinstance(field, models.DateTimeField):
            value = field.to_python(value)
        out[field.attname] = value
    return out


def current(model: type[models.Model], ids: list[int], names: set[str]) -> dict[int, dict]:
    """The rows ``ids`` as they are now (missing rows are absent), as snapshots."""
    if not ids:
        return {}
    fields = sorted(names)
    return {
        obj.pk: snapshot(obj, tuple(fields))
        for obj in model._default_manager.filter(pk__in=ids).only(
            *{f[:-3] if f.endswith("_id") else f for f in fields}
        )
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """The fields that changed (and ``updated_at``), on both sides."""
    names = [n for n in after if before.get(n) != after[n] or n == "updated_at"]
    return {n: before.get(n) for n in names}, {n: after[n] for n in names}
