"""The item normaliser: the one shape the tracker consumes, whatever Audible sends."""

from __future__ import annotations

import pytest

from audible_contract.items import MalformedItem
from audible_contract.items import normalize_item
from audible_contract.items import progress_of


@pytest.mark.parametrize(
    "last_position",
    ["garbage", {"last_position_heard": "Exists"}, {"last_position_heard": {"status": "Nope"}}],
    ids=["not-an-object", "heard-not-an-object", "does-not-exist"],
)
def test_a_position_of_the_wrong_shape_is_ignored(last_position):
    progress = progress_of({"listening_status": {"percent_complete": 12.5}}, last_position)
    assert progress["percent"] == 12.5
    assert progress["position_ms"] is None
    assert progress["position_updated_at"] is None


@pytest.mark.parametrize(
    "heard",
    [
        {"status": "Exists", "position_ms": "x", "last_updated": "2025-01-01 00:00:00"},
        {"status": "Exists", "position_ms": 5, "last_updated": "not a date"},
    ],
    ids=["unreadable-position", "unreadable-date"],
)
def test_an_unreadable_position_raises_for_the_caller_to_report(heard):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is the parser's own
        progress_of({}, {"last_position_heard": heard})


def test_a_readable_last_position_is_kept_in_utc():
    heard = {
        "last_position_heard": {
            "status": "Exists",
            "position_ms": 4542015,
            "last_updated": "2025-06-16 20:23:18.818",
        }
    }
    progress = progress_of({}, heard)
    assert progress["position_ms"] == 4542015
    assert progress["position_updated_at"] == "2025-06-16T20:23:18.818000+00:00"


@pytest.mark.parametrize(
    ("raw", "percent", "finished"),
    [
        ({"percent_complete": 0.0, "listening_status": {"percent_complete": 10.0}}, 10.0, False),
        ({"percent_complete": 35.0}, 35.0, False),
        ({"percent_complete": 250}, 100.0, False),
        ({"percent_complete": -3}, 0.0, False),
        ({"is_finished": True, "percent_complete": 80}, 100.0, True),
        ({"listening_status": {"finished_at_timestamp": "2025-01-02T03:04:05Z"}}, 100.0, True),
    ],
    ids=["listening-status-wins", "top-level-fallback", "clamped-high", "clamped-low",
         "finished-is-100", "finish-date-means-finished"],
)  # fmt: skip
def test_progress_rules(raw, percent, finished):
    progress = progress_of(raw)
    assert progress["percent"] == percent
    assert progress["is_finished"] is finished


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"title": "No asin"}, "no ASIN"),
        ({"asin": "B0X", "title": None}, "no title"),
        ({"asin": "B0X", "title": "T", "authors": "x", "series": "not a list"}, "unreadable"),
        ({"asin": "B0X", "title": "T", "status": "Lost"}, "unknown status"),
    ],
    ids=["no-asin", "no-title", "series-not-a-list", "unknown-status"],
)
def test_malformed_items_are_reported_with_their_asin(raw, reason):
    with pytest.raises(MalformedItem, match=reason) as caught:
        normalize_item(raw)
    assert caught.value.asin == raw.get("asin")


def test_podcasts_are_told_apart():
    item = normalize_item(
        {"asin": "B0P", "title": "Show", "content_type": "Podcast",
         "content_delivery_type": "PodcastParent"}
    )  # fmt: skip
    assert item["is_podcast"] is True
