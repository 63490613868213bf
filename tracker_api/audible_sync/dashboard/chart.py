"""The 30-day listening chart as inline SVG, drawn on the server (no charting library, no build).

:func:`render_progress_chart` is pure: days in, markup out. Bars are the percentage points
gained each day; a marker above a day counts the books finished that day. Every piece of text
goes through ``format_html``, so the result is safe to put in a template as it is. Colours come
from CSS classes (``dashboard.css`` maps them to the admin's theme variables, so dark mode
works); the presentation attributes are the fallback when the SVG is shown on its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

WIDTH = 720
HEIGHT = 250
LEFT = 48  # room for the y tick labels and the rotated axis title
RIGHT = 12
TOP = 56  # legend row, then the row of "finished" markers
BOTTOM = 34  # x tick labels
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_H
MARKER_Y = 40
BAR_FILL = 0.72  # share of a day's slot the bar covers
MIN_BAR_PX = 1.0  # a tiny gain still shows
LABEL_EVERY = 5  # an x label every fifth day, counted back from the last
Y_TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # fifths of a nice ceiling are round numbers
TITLE_ID = "audible-progress-chart-title"
DESC_ID = "audible-progress-chart-desc"
EMPTY_TEXT = "No listening in the last 30 days"


@dataclass(frozen=True)
class DayPoint:
    """One day of listening: percentage points gained across books, books finished."""

    day: date
    gained: float = 0.0
    finished: int = 0

    @property
    def active(self) -> bool:
        return self.gained > 0 or self.finished > 0


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 (times a power of ten) at or above ``value``; 10 for 0."""
    if value <= 0:
        return 10.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude + 1e-9:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def points(value: float) -> str:
    """12.5 -> "12.5", 20.0 -> "20": the gain as people write it."""
    return f"{value:.1f}".removesuffix(".0")


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _join(parts: Sequence[SafeString]) -> SafeString:
    """Concatenate markup made by ``format_html`` (already safe, so not escaped again)."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _day_sentence(point: DayPoint) -> str:
    words = [f"{day_label(point.day)}: {points(point.gained)} percentage points"]
    if point.finished:
        words.append(f"{point.finished} book{'s' if point.finished != 1 else ''} finished")
    return ", ".join(words)


def _description(days: Sequence[DayPoint]) -> str:
    active = [p for p in days if p.active]
    if not active:
        return EMPTY_TEXT + "."
    total = sum(p.gained for p in days)
    finished = sum(p.finished for p in days)
    head = (
        f"{points(total)} percentage points gained over {len(days)} days, on {len(active)} "
        f"day{'s' if len(active) != 1 else ''}; {finished} book"
        f"{'s' if finished != 1 else ''} finished."
    )
    return head + " " + "; ".join(_day_sentence(p) for p in active) + "."


def _legend() -> SafeString:
    return format_html(
        '<g class="chart-legend" aria-hidden="true">'
        '<rect class="chart-bar chart-key" x="{}" y="6" width="10" height="10" rx="1" '
        'fill="#417690"/>'
        '<text class="chart-text" x="{}" y="15" font-size="11" fill="#666">'
        "Percentage points gained</text>"
        '<circle class="chart-finished" cx="{}" cy="11" r="5" fill="#2e7d32"/>'
        '<text class="chart-text" x="{}" y="15" font-size="11" fill="#666">Books finished</text>'
        "</g>",
        LEFT,
        LEFT + 14,
        LEFT + 180,
        LEFT + 189,
    )


def _y_axis(scale: float) -> SafeString:
    parts = []
    for fraction in Y_TICKS:
        y = BASELINE - fraction * PLOT_H
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ddd"/>'
                '<text class="chart-text" x="{}" y="{}" font-size="10" text-anchor="end" '
                'fill="#666">{}</text>',
                LEFT,
                _num(y),
                WIDTH - RIGHT,
                _num(y),
                LEFT - 6,
                _num(y + 3.5),
                points(scale * fraction),
            )
        )
    middle = TOP + PLOT_H / 2
    parts.append(
        format_html(
            '<text class="chart-text chart-axis-title" x="12" y="{}" font-size="10" '
            'text-anchor="middle" fill="#666" transform="rotate(-90 12 {})">{}</text>',
            _num(middle),
            _num(middle),
            "points gained",
        )
    )
    return format_html('<g class="chart-y-axis" aria-hidden="true">{}</g>', _join(parts))


def _x_axis(days: Sequence[DayPoint], slot: float) -> SafeString:
    parts = [
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>',
            LEFT,
            BASELINE,
            WIDTH - RIGHT,
            BASELINE,
        )
    ]
    last = len(days) - 1
    for index, point in enumerate(days):
        if (last - index) % LABEL_EVERY:
            continue
        centre = LEFT + (index + 0.5) * slot
        parts.append(
            format_html(
                '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>'
                '<text class="chart-text" x="{}" y="{}" font-size="10" text-anchor="middle" '
                'fill="#666">{}</text>',
                _num(centre),
                BASELINE,
                _num(centre),
                BASELINE + 4,
                _num(centre),
                BASELINE + 16,
                day_label(point.day),
            )
        )
    return format_html('<g class="chart-x-axis" aria-hidden="true">{}</g>', _join(parts))


def _bars(days: Sequence[DayPoint], slot: float, scale: float) -> SafeString:
    width = slot * BAR_FILL
    parts = []
    for index, point in enumerate(days):
        if point.gained <= 0:
            continue
        height = max(point.gained / scale * PLOT_H, MIN_BAR_PX)
        sentence = _day_sentence(point)
        parts.append(
            format_html(
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" rx="1" '
                'fill="#417690" data-day="{}" data-gained="{}" aria-label="{}">'
                "<title>{}</title></rect>",
                _num(LEFT + index * slot + (slot - width) / 2),
                _num(BASELINE - height),
                _num(width),
                _num(height),
                point.day.isoformat(),
                points(point.gained),
                sentence,
                sentence,
            )
        )
    return format_html('<g class="chart-bars">{}</g>', _join(parts))


def _finished_markers(days: Sequence[DayPoint], slot: float) -> SafeString:
    parts = []
    radius = min(8.0, slot / 2 - 1)
    for index, point in enumerate(days):
        if point.finished <= 0:
            continue
        centre = LEFT + (index + 0.5) * slot
        sentence = _day_sentence(point)
        parts.append(
            format_html(
                '<g class="chart-finished-day" data-day="{}" data-finished="{}" aria-label="{}">'
                "<title>{}</title>"
                '<line class="chart-finished-guide" x1="{}" y1="{}" x2="{}" y2="{}" '
                'stroke="#2e7d32" stroke-dasharray="2 3"/>'
                '<circle class="chart-finished" cx="{}" cy="{}" r="{}" fill="#2e7d32"/>'
                '<text class="chart-finished-count" x="{}" y="{}" font-size="10" '
                'font-weight="bold" text-anchor="middle" fill="#fff">{}</text></g>',
                point.day.isoformat(),
                point.finished,
                sentence,
                sentence,
                _num(centre),
                _num(MARKER_Y + radius),
                _num(centre),
                BASELINE,
                _num(centre),
                MARKER_Y,
                _num(radius),
                _num(centre),
                MARKER_Y + 3.5,
                point.finished,
            )
        )
    return format_html('<g class="chart-finished-days">{}</g>', _join(parts))


def _empty_state() -> SafeString:
    return format_html(
        '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>'
        '<text class="chart-text chart-empty" x="{}" y="{}" font-size="14" '
        'text-anchor="middle" fill="#666">{}</text>',
        LEFT,
        BASELINE,
        WIDTH - RIGHT,
        BASELINE,
        _num(LEFT + PLOT_W / 2),
        _num(TOP + PLOT_H / 2),
        EMPTY_TEXT,
    )


def render_progress_chart(days: list[DayPoint]) -> SafeString:
    """Inline SVG of ``days`` (oldest first): bars of points gained, markers for finishes.

    Without any gain or finish the chart says "No listening in the last 30 days" instead.
    """
    days = list(days)
    title = "Listening progress, last 30 days"
    if days:
        title = f"Listening progress, {day_label(days[0].day)} to {day_label(days[-1].day)}"
    if any(p.active for p in days):
        slot = PLOT_W / len(days)
        scale = nice_ceiling(max(p.gained for p in days))
        body = _join(
            [
                _legend(),
                _y_axis(scale),
                _x_axis(days, slot),
                _bars(days, slot, scale),
                _finished_markers(days, slot),
            ]
        )
    else:
        body = _empty_state()
    return format_html(
        '<svg class="audible-progress-chart" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMidYMid meet" '
        'role="img" aria-labelledby="{} {}" font-family="sans-serif">'
        '<title id="{}">{}</title><desc id="{}">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        TITLE_ID,
        DESC_ID,
        TITLE_ID,
        title,
        DESC_ID,
        _description(days),
        body,
    )
