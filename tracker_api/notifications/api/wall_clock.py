"""Quiet hours as wall-clock times: ``"22:00"`` in the person's own time zone.

A UTC offset would contradict the separate ``time_zone`` setting, and seconds mean nothing for
a nightly window, so the API takes ``HH:MM`` (``HH:MM:SS`` is accepted, its seconds dropped) and
answers ``HH:MM``. The schema says so with a pattern, not JSON Schema's ``format: time``, which
requires an offset.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

_WALL_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?", re.ASCII)
PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"


@extend_schema_field({"type": "string", "pattern": PATTERN, "example": "22:00", "nullable": True})
class WallClockTimeField(serializers.Field):
    default_error_messages = {
        "invalid": "Give a wall-clock time as HH:MM (24-hour, no UTC offset), e.g. 22:00.",
    }

    def to_internal_value(self, data: Any) -> time:
        match = _WALL_CLOCK.fullmatch(data) if isinstance(data, str) else None
        if match is None:
            self.fail("invalid")
        return time(int(match.group(1)), int(match.group(2)))

    def to_representation(self, value: time) -> str:
        return f"{value.hour:02d}:{value.minute:02d}"
