"""Recommendation tiers, as in beets: none < low < medium < strong."""

from __future__ import annotations

from enum import IntEnum


class Recommendation(IntEnum):
    """How sure the engine is about its best candidate; only ``strong`` may auto-link."""

    none = 0
    low = 1
    medium = 2
    strong = 3

    @classmethod
    def parse(cls, value: str | int | Recommendation) -> Recommendation:
        """Accept the enum, its name or its number (settings arrive as JSON)."""
        if isinstance(value, Recommendation):
            return value
        if isinstance(value, int):
            return cls(value)
        try:
            return cls[str(value).strip().lower()]
        except KeyError:
            raise ValueError(f"unknown recommendation: {value!r}") from None
