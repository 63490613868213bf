"""Audible's timestamps as the progress writer reads them (no database, no processes)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from tracker_api.audible_sync.progress import _when


def test_a_timestamp_without_an_offset_is_read_as_utc():
    # Found by the type checker: this path called ``django.utils.timezone.UTC``, which does not
    # exist, so a naive timestamp raised AttributeError instead of being read.
    assert _when("2024-01-02T03:04:05") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_timestamp_with_an_offset_keeps_it_and_nothing_is_none():
    assert _when("2024-01-02T03:04:05+00:00") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert _when(None) is None
