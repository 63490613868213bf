"""The dashboard's bar charts as SVG: well-formed, one bar per non-empty period in order,
heights proportional to the values, time written as people say it, accessible text, escaping,
and the empty state."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tracker_api.audible_sync.dashboard.chart import HOUR_MS
from tracker_api.audible_sync.dashboard.chart import MINUTE_MS
from tracker_api.audible_sync.dashboard.chart import PLOT_H
from tracker_api.audible_sync.dashboard.chart import Bar
from tracker_api.audible_sync.dashboard.chart import count_text
from tracker_api.audible_sync.dashboard.chart import hours_minutes
from tracker_api.audible_sync.dashboard.chart import render_bar_chart
from tracker_api.audible_sync.dashboard.chart import time_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def bars_of(values: list[float]) -> list[Bar]:
    return [
        Bar(key=f"2024-05-{i + 1:02d}", label=f"{i + 1} May", value=v) for i, v in enumerate(values)
    ]


def chart(values: list[float], **extra) -> ET.Element:
    markup = render_bar_chart(
        bars_of(values), chart_id="c", title="Time listened", empty_text="Nothing yet", **extra
    )
    return ET.fromstring(str(markup))  # noqa: S314 - our own markup, parsed to check it


def drawn(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("data-key")]


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0 min"),
        (20_000, "< 1 min"),
        (45 * MINUTE_MS, "45 min"),
        (HOUR_MS, "1 h"),
        (2 * HOUR_MS + 5 * MINUTE_MS, "2 h 05 min"),
        (125 * HOUR_MS + 59 * MINUTE_MS + 40_000, "126 h"),
    ],
)
def test_time_is_written_in_hours_and_minutes(ms, text):
    assert hours_minutes(ms) == text


def test_one_bar_per_period_with_listening_in_order():
    root = chart([0, HOUR_MS, 0, 30 * MINUTE_MS, 0])
    found = drawn(root)
    assert [b.get("data-key") for b in found] == ["2024-05-02", "2024-05-04"]
    assert [b.get("data-value") for b in found] == [str(HOUR_MS), str(30 * MINUTE_MS)]
    assert [b.get("data-text") for b in found] == ["1 h", "30 min"]
    assert [b.get("aria-label") for b in found] == ["2 May: 1 h", "4 May: 30 min"]
    xs = [float(b.get("x")) for b in found]
    assert xs == sorted(xs)


def test_heights_are_proportional_and_stand_on_one_baseline():
    root = chart([HOUR_MS, 2 * HOUR_MS, 4 * HOUR_MS])
    heights = [float(b.get("height")) for b in drawn(root)]
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.02)
    assert heights[2] == pytest.approx(PLOT_H, abs=0.02)  # 4 h is its own round ceiling
    bottoms = {round(float(b.get("y")) + float(b.get("height")), 1) for b in drawn(root)}
    assert len(bottoms) == 1


def test_time_axis_has_round_ticks():
    assert time_ceiling(50 * MINUTE_MS) == 60 * MINUTE_MS
    assert time_ceiling(5 * HOUR_MS) == 8 * HOUR_MS
    root = chart([5 * HOUR_MS])
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-y-axis")
    assert [t.text for t in axis.iter(f"{SVG}text")] == ["0 min", "2 h", "4 h", "6 h", "8 h"]


def test_counts_keep_whole_number_ticks_only():
    root = chart([0, 1, 3], fmt=count_text, ceiling=lambda top: 4.0, integer=True)
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-y-axis")
    assert [t.text for t in axis.iter(f"{SVG}text")] == ["0", "1", "2", "3", "4"]
    assert [b.get("data-text") for b in drawn(root)] == ["1", "3"]


def test_x_labels_count_back_from_the_last_period():
    root = chart([1.0] * 15, label_every=7)
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-x-axis")
    assert [t.text for t in axis.iter(f"{SVG}text")] == ["1 May", "8 May", "15 May"]


def test_accessible_title_and_description_read_the_data():
    root = chart([0, 90 * MINUTE_MS])
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{SVG}title").text == "Time listened"
    assert root.find(f"{SVG}desc").text == "2 May: 1 h 30 min."


def test_text_is_escaped():
    markup = render_bar_chart(
        [Bar("k", "<b>", 5.0)], chart_id="x", title="<script>", empty_text="-", fmt=count_text
    )
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    assert "<b>" not in markup
    ET.fromstring(str(markup))  # noqa: S314 - still well-formed


def test_nothing_to_show_says_so():
    root = chart([0, 0, 0])
    assert drawn(root) == []
    assert any(t.text == "Nothing yet" for t in root.iter(f"{SVG}text"))
