"""Bar charts as inline SVG, drawn on the server (no charting library, no front-end build).

:func:`render_bar_chart` is pure: bars in, markup out. The dashboard draws three with it: time
listened per day and per month (Audible's aggregates) and books finished per month. Every
piece of text goes through ``format_html``, so the result is safe in a template as it is.
Colours come from CSS classes (``dashboard.css`` maps them to the admin's theme variables, so
the dark theme works); the presentation attributes are the fallback for the SVG on its own.
The drawing is 600 units wide with 13-unit text, so on a 390 px phone the labels still read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

WIDTH = 600
HEIGHT = 220
LEFT = 68  # room for the y tick labels ("1 h 30 min")
RIGHT = 8
TOP = 12
BOTTOM = 28  # x tick labels
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_H
BAR_FILL = 0.72  # share of a slot the bar covers
MIN_BAR_PX = 1.5  # a tiny value still shows
FONT = 13
Y_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS


@dataclass(frozen=True)
class Bar:
    """One period: ``key`` (ISO date or ``YYYY-MM``), its axis ``label`` and its ``value``."""

    key: str
    label: str
    value: float
    long_label: str = ""

    @property
    def spoken_label(self) -> str:
        return self.long_label or self.label


def hours_minutes(ms: float) -> str:
    """Milliseconds as people say them: "0 min", "< 1 min", "45 min", "2 h 05 min", "3 h"."""
    if ms <= 0:
        return "0 min"
    minutes = round(ms / MINUTE_MS)
    if minutes == 0:
        return "< 1 min"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest:02d} min"


def count_text(value: float) -> str:
    return str(int(value))


def nice_ceiling(value: float, steps: Sequence[float] = (1, 2, 2.5, 5, 10)) -> float:
    """The smallest of ``steps`` times a power of ten at or above ``value``; 1 for nothing."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in steps:
        if value <= step * magnitude + 1e-9:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the last step always fits


def time_ceiling(ms: float) -> float:
    """A round top for a time axis: 15/30/60 min, then 2, 4, 8, ... hours (quarters are round)."""
    for minutes in (4, 8, 20, 40, 60):
        if ms <= minutes * MINUTE_MS:
            return float(minutes * MINUTE_MS)
    hours = 2
    while ms > hours * HOUR_MS:
        hours *= 2
    return float(hours * HOUR_MS)


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _join(parts: Sequence[SafeString]) -> SafeString:
    """Concatenate markup made by ``format_html`` (already safe, so not escaped again)."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _y_axis(scale: float, fmt: Callable[[float], str], integer: bool) -> SafeString:
    parts = []
    for fraction in Y_TICKS:
        value = scale * fraction
        if integer and value != int(value):
            continue
        y = BASELINE - fraction * PLOT_H
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ddd"/>'
                '<text class="chart-text" x="{}" y="{}" font-size="{}" text-anchor="end" '
                'fill="#666">{}</text>',
                LEFT,
                _num(y),
                WIDTH - RIGHT,
                _num(y),
                LEFT - 5,
                _num(y + 4),
                FONT - 1,
                fmt(value),
            )
        )
    return format_html('<g class="chart-y-axis" aria-hidden="true">{}</g>', _join(parts))


def _x_axis(bars: Sequence[Bar], slot: float, label_every: int) -> SafeString:
    parts = [
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>',
            LEFT,
            BASELINE,
            WIDTH - RIGHT,
            BASELINE,
        )
    ]
    last = len(bars) - 1
    for index, bar in enumerate(bars):
        if (last - index) % label_every:
            continue
        centre = LEFT + (index + 0.5) * slot
        parts.append(
            format_html(
                '<text class="chart-text" x="{}" y="{}" font-size="{}" text-anchor="middle" '
                'fill="#666">{}</text>',
                _num(centre),
                BASELINE + 18,
                FONT - 1,
                bar.label,
            )
        )
    return format_html('<g class="chart-x-axis" aria-hidden="true">{}</g>', _join(parts))


def _bars(
    bars: Sequence[Bar], slot: float, scale: float, fmt: Callable[[float], str]
) -> SafeString:
    width = slot * BAR_FILL
    parts = []
    for index, bar in enumerate(bars):
        if bar.value <= 0:
            continue
        height = max(bar.value / scale * PLOT_H, MIN_BAR_PX)
        sentence = f"{bar.spoken_label}: {fmt(bar.value)}"
        parts.append(
            format_html(
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" rx="1.5" '
                'fill="#417690" data-key="{}" data-value="{}" data-text="{}" aria-label="{}">'
                "<title>{}</title></rect>",
                _num(LEFT + index * slot + (slot - width) / 2),
                _num(BASELINE - height),
                _num(width),
                _num(height),
                bar.key,
                _num(bar.value),
                fmt(bar.value),
                sentence,
                sentence,
            )
        )
    return format_html('<g class="chart-bars">{}</g>', _join(parts))


def _empty_state(text: str) -> SafeString:
    return format_html(
        '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>'
        '<text class="chart-text chart-empty" x="{}" y="{}" font-size="{}" '
        'text-anchor="middle" fill="#666">{}</text>',
        LEFT,
        BASELINE,
        WIDTH - RIGHT,
        BASELINE,
        _num(LEFT + PLOT_W / 2),
        _num(TOP + PLOT_H / 2),
        FONT + 2,
        text,
    )


def render_bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    empty_text: str,
    fmt: Callable[[float], str] = hours_minutes,
    ceiling: Callable[[float], float] = time_ceiling,
    label_every: int = 1,
    integer: bool = False,
) -> SafeString:
    """Inline SVG of ``bars`` (oldest first), or ``empty_text`` when every value is 0.

    ``fmt`` writes a value (ticks, tooltips, the description); ``ceiling`` picks the y axis's
    top; ``label_every`` labels every n-th bar counted back from the last; ``integer`` keeps only
    whole-number ticks (counts).
    """
    bars = list(bars)
    active = [bar for bar in bars if bar.value > 0]
    if active:
        slot = PLOT_W / len(bars)
        scale = ceiling(max(bar.value for bar in bars))
        body = _join(
            [
                _y_axis(scale, fmt, integer),
                _x_axis(bars, slot, label_every),
                _bars(bars, slot, scale, fmt),
            ]
        )
        desc = "; ".join(f"{bar.spoken_label}: {fmt(bar.value)}" for bar in active) + "."
    else:
        body = _empty_state(empty_text)
        desc = empty_text + "."
    return format_html(
        '<svg class="dash-bar-chart" id="{}" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMidYMid meet" '
        'role="img" aria-labelledby="{}-title {}-desc" font-family="sans-serif">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        chart_id,
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
        body,
    )
