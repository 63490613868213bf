"""Library pages are normalised into compact JSON at once; Python callers still get dicts."""

from __future__ import annotations

import json
from pathlib import Path

from audible_gateway.library import EncodedItems
from audible_gateway.library import normalise_page

SAMPLE = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "audible_samples"
    / "library_page_3_items.a2a.json"
)


def test_a_page_keeps_finished_titles_encoded_and_titles_in_progress_as_dicts():
    raw = json.loads(SAMPLE.read_text())["items"]
    page = normalise_page([*raw, raw[1], {"title": "no asin"}])
    assert page.count == 5
    assert [e["asin"] for e in page.errors] == [None]  # the ASIN-less item is reported
    in_progress = [e for e in page.entries if isinstance(e, dict)]
    assert [e["asin"] for e in in_progress] == ["B0BLZNZ47B"]  # 10 % heard
    assert set(page.in_progress["B0BLZNZ47B"]) == {
        "listening_status",
        "percent_complete",
        "is_finished",
    }
    assert len(page.entries) == 3  # the duplicate of raw[1] is dropped


def test_encoded_items_decode_on_demand_and_splice_into_json():
    items = EncodedItems([b'{"asin":"A"}', '{"asin":"\u00e9"}'.encode()])
    assert len(items) == 2
    assert items[1] == {"asin": "\u00e9"}
    assert items[:1] == [{"asin": "A"}]
    assert json.loads(items.to_json()) == [{"asin": "A"}, {"asin": "\u00e9"}]
