"""The live stack itself works (tests/support/stack.py): the sample library comes through."""

from __future__ import annotations

from tracker_api.audible_sync import gateway


def test_it_serves_the_sample_library_through_the_gateway(stack, sealed, gateway_settings):
    result = gateway.fetch_library(sealed)
    assert len(result.items) >= 30
    assert {"asin", "title", "progress"} <= set(result.items[0])
