"""The 30-day chart as SVG: well-formed, one bar per active day, heights proportional to the
points gained, finish markers, accessible text, escaping, and the empty state."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from datetime import timedelta

import pytest

from tracker_api.audible_sync.dashboard.chart import EMPTY_TEXT
from tracker_api.audible_sync.dashboard.chart import PLOT_H
from tracker_api.audible_sync.dashboard.chart import DayPoint
from tracker_api.audible_sync.dashboard.chart import day_label
from tracker_api.audible_sync.dashboard.chart import nice_ceiling
from tracker_api.audible_sync.dashboard.chart import render_progress_chart

SVG = "{http://www.w3.org/2000/svg}"
FIRST = date(2024, 5, 1)


def month(values: dict[int, tuple[float, int]]) -> list[DayPoint]:
    """30 days from FIRST; ``values`` maps day index -> (gained, finished)."""
    return [DayPoint(FIRST + timedelta(days=i), *values.get(i, (0.0, 0))) for i in range(30)]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own markup, parsed to check it


def bars(root: ET.Element) -> list[ET.Element]:
    return [
        r
        for r in root.iter(f"{SVG}rect")
        if "chart-bar" in r.get("class", "").split() and r.get("data-day")
    ]


def test_one_bar_per_day_with_progress_in_day_order():
    svg = parse(render_progress_chart(month({0: (5.0, 0), 3: (12.5, 0), 29: (40.0, 1)})))
    found = bars(svg)
    assert [b.get("data-day") for b in found] == ["2024-05-01", "2024-05-04", "2024-05-30"]
    assert [b.get("data-gained") for b in found] == ["5", "12.5", "40"]
    xs = [float(b.get("x")) for b in found]
    assert xs == sorted(xs)
    assert xs[2] - xs[1] == pytest.approx((xs[1] - xs[0]) * 26 / 3)  # even day slots


def test_bar_heights_are_proportional_to_points_gained():
    svg = parse(render_progress_chart(month({1: (10.0, 0), 2: (20.0, 0), 3: (40.0, 0)})))
    heights = [float(b.get("height")) for b in bars(svg)]
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.02)
    assert heights[2] == pytest.approx(4 * heights[0], abs=0.02)
    # 40 points on a 50-point scale: four fifths of the plot, standing on the baseline
    assert heights[2] == pytest.approx(PLOT_H * 40 / 50, abs=0.02)
    bottoms = {round(float(b.get("y")) + float(b.get("height")), 1) for b in bars(svg)}
    assert len(bottoms) == 1


def test_y_axis_labels_follow_the_scale():
    svg = parse(render_progress_chart(month({4: (130.0, 0)})))
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"0", "40", "80", "120", "160", "200"} <= set(texts)  # 130 rounds up to 200
    assert "points gained" in texts


def test_x_axis_labels_every_fifth_day_ending_today():
    svg = parse(render_progress_chart(month({0: (1.0, 0)})))
    axis = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "chart-x-axis")
    labels = [t.text for t in axis.iter(f"{SVG}text")]
    assert labels == ["5 May", "10 May", "15 May", "20 May", "25 May", "30 May"]


def test_finished_books_are_markers_with_their_count():
    svg = parse(render_progress_chart(month({2: (30.0, 2), 7: (0.0, 1)})))
    markers = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "chart-finished-day"]
    assert [(m.get("data-day"), m.get("data-finished")) for m in markers] == [
        ("2024-05-03", "2"),
        ("2024-05-08", "1"),
    ]
    assert [m.find(f"{SVG}text").text for m in markers] == ["2", "1"]
    assert len(bars(svg)) == 1  # a day with a finish but no gain has a marker, no bar


def test_accessible_title_description_and_labels():
    svg = parse(render_progress_chart(month({3: (12.5, 1)})))
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text == "Listening progress, 1 May to 30 May"
    assert desc.text.startswith("12.5 percentage points gained over 30 days, on 1 day; 1 book")
    assert "4 May: 12.5 percentage points, 1 book finished" in desc.text
    bar = bars(svg)[0]
    assert bar.get("aria-label") == "4 May: 12.5 percentage points, 1 book finished"
    assert bar.find(f"{SVG}title").text == bar.get("aria-label")


@pytest.mark.parametrize("days", [month({}), []])
def test_no_listening_renders_the_empty_state(days):
    markup = render_progress_chart(days)
    svg = parse(markup)
    assert bars(svg) == []
    assert EMPTY_TEXT in [t.text for t in svg.iter(f"{SVG}text")]
    assert svg.find(f"{SVG}desc").text == EMPTY_TEXT + "."


def test_the_markup_is_safe_and_escapes_text(monkeypatch):
    from tracker_api.audible_sync.dashboard import chart

    monkeypatch.setattr(chart, "EMPTY_TEXT", '<script>alert("x")</script> & co')
    markup = render_progress_chart(month({}))
    assert hasattr(markup, "__html__")  # SafeString: templates insert it as it is
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    parse(markup)  # still well-formed XML


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 10), (0.3, 0.5), (1, 1), (7, 10), (12.5, 20), (21, 25), (99.9, 100), (101, 200)],
)
def test_nice_ceiling(value, ceiling):
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_day_label():
    assert day_label(date(2024, 12, 3)) == "3 Dec"
