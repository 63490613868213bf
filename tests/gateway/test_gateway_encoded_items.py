"""Library pages are normalised into compact JSON at once; Python callers still get dicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audible_gateway.known_progress import Known
from audible_gateway.library import EncodedItems
from audible_gateway.library import Pending
from audible_gateway.library import normalise_page

SAMPLE = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "audible_samples"
    / "library_page_3_items.a2a.json"
)


def test_a_page_keeps_finished_titles_encoded_and_titles_in_progress_pending():
    raw = json.loads(SAMPLE.read_text())["items"]
    page = normalise_page([*raw, raw[1], {"title": "no asin"}])
    assert page.count == 5
    assert [e["asin"] for e in page.errors] == [None]  # the ASIN-less item is reported
    in_progress = [e for e in page.entries if isinstance(e, Pending)]
    assert [e.asin for e in in_progress] == ["B0BLZNZ47B"]  # 10 % heard
    whole = json.loads(in_progress[0].encode())
    assert list(whole)[-1] == "progress"
    assert whole["progress"] == in_progress[0].progress
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


@pytest.mark.parametrize("count", [0, 1, 2, 7, 300])
@pytest.mark.parametrize("size", [1, 40, 1 << 16])
def test_the_answer_is_written_in_blocks_that_make_the_same_json(count, size):
    """/api/library writes ``json_blocks`` with ``json_length`` as its Content-Length."""
    texts = [f'{{"asin":"A{n}","t":"\u00e9{"x" * (n % 13)}"}}' for n in range(count)]
    items = EncodedItems([text.encode() for text in texts])
    blocks = list(items.json_blocks(size))
    assert b"".join(blocks) == items.to_json()
    assert items.json_length() == len(items.to_json())
    if size == 1 and count > 1:
        assert len(blocks) >= count  # bounded blocks, not one joined body
    assert all(len(block) < size + 64 for block in blocks[:-1])


def test_a_title_in_progress_the_caller_holds_unchanged_is_done_at_once():
    raw = json.loads(SAMPLE.read_text())["items"]
    first = normalise_page(raw)
    progress = next(e for e in first.entries if isinstance(e, Pending)).progress
    held = Known(progress["percent"], progress["time_remaining_s"], 4242, None)
    page = normalise_page(raw, known={"B0BLZNZ47B": held})
    assert page.in_progress == {}
    assert all(isinstance(e, bytes) for e in page.entries)
    done = next(json.loads(e) for e in page.entries if b"B0BLZNZ47B" in e)
    assert done["progress"]["position_ms"] == 4242
    moved = Known(progress["percent"] + 1, progress["time_remaining_s"], 4242, None)
    assert set(normalise_page(raw, known={"B0BLZNZ47B": moved}).in_progress) == {"B0BLZNZ47B"}
