"""Strict request bodies: a key the endpoint does not take is a 400 naming it, never ignored.

DRF drops keys a serializer does not declare and read-only keys without a word, so a client that
misspells ``sync_intervall_minutes`` or sends ``connected: false`` gets a 200 and believes the
change was made. Every request serializer mixes in :class:`StrictBodyMixin`:

* a key no field has        -> 400 ``unknown_field``   (``fields.<key>: ["Unknown field."]``)
* a key of a read-only field -> 400 ``read_only_field`` (``fields.<key>: ["This field is
  read-only."]``)

Both name every offending key in the message and in ``fields``. Bodies that are not JSON at all
are refused earlier, by the parser settings (415 ``unsupported_media_type``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker_api.core.errors import ApiError

UNKNOWN = "Unknown field."
READ_ONLY = "This field is read-only."
MAX_NAMED_KEYS = 20  # a body of ten thousand unknown keys names the first twenty


def unexpected_keys(fields: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, list[str]]:
    """``{key: [why]}`` for each key of ``data`` that ``fields`` (a serializer's) will not take."""
    problems: dict[str, list[str]] = {}
    for key in data:
        field = fields.get(key)
        if field is None:
            problems[str(key)] = [UNKNOWN]
        elif field.read_only:
            problems[str(key)] = [READ_ONLY]
        if len(problems) >= MAX_NAMED_KEYS:
            break
    return problems


def refuse_unexpected(problems: dict[str, list[str]]) -> ApiError:
    """``unknown_field`` when any key is unknown (all keys named), else ``read_only_field``."""
    unknown = [key for key, why in problems.items() if why == [UNKNOWN]]
    if unknown:
        return ApiError("unknown_field", _sentence("Unknown", unknown), fields=problems)
    return ApiError("read_only_field", _sentence("Read-only", list(problems)), fields=problems)


def _sentence(what: str, keys: list[str]) -> str:
    return f"{what} {'field' if len(keys) == 1 else 'fields'}: {', '.join(keys)}."


class StrictBodyMixin:
    """Mix into a ``Serializer`` that reads a request body (put it first in the bases)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            problems = unexpected_keys(self.fields, data)  # type: ignore[attr-defined]
            if problems:
                raise refuse_unexpected(problems)
        return super().to_internal_value(data)  # type: ignore[misc]
