"""Inline SVG charts drawn from the marts' rows; every element carries the value it shows as data attributes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from pipeline.report.html import attr, short, text_width

PALETTE = ("#2f6fdf", "#e0703a", "#2aa876", "#9b59b6", "#c9a227", "#d64550", "#1aa3a3", "#7f8c8d")


def nice_ceiling(value: float) -> tuple[float, float]:
    """An axis maximum >= value and a tick step of 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * math.ceil(value / step), step


# -- charts ------------------------------------------------------------------------------------
def line_chart(chart_id: str, series: dict[str, list[tuple[date, int]]], names: dict[str, str],
               width: int = 960, height: int = 300) -> str:
    """One line per series over a shared, ordered x axis of dates."""
    dates = sorted({d for points in series.values() for d, _ in points})
    if not dates:
        return f'<p class="empty" id="{chart_id}">No content yet.</p>'
    left, right, top, bottom = 48, 16, 12, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for points in series.values() for _, v in points), default=0)
    y_max, step = nice_ceiling(peak)
    index = {d: i for i, d in enumerate(dates)}

    def x(d: date) -> float:
        return left + (plot_w * index[d] / (len(dates) - 1) if len(dates) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    parts = [f'<svg id="{chart_id}" data-chart="{chart_id}" class="chart" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="Pages and blog posts created per month, per space">']
    tick = 0.0
    while tick <= y_max + 1e-9:
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
                     f'<text class="axis" x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>')
        tick += step
    every = max(1, math.ceil(len(dates) / 12))
    for i, d in enumerate(dates):
        if i % every == 0:
            parts.append(f'<text class="axis" x="{x(d):.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                         f'{d.strftime("%b %Y")}</text>')
    for n, (key, points) in enumerate(series.items()):
        color = PALETTE[n % len(PALETTE)]
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        parts.append(f'<g class="series" data-series="{attr(key)}" style="--c:{color}">'
                     f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
        for d, v in points:
            parts.append(f'<circle class="point" cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.5" fill="{color}" '
                         f'data-space="{attr(key)}" data-period="{d.isoformat()}" data-value="{v}">'
                         f'<title>{escape(names.get(key, key))}, {d.strftime("%B %Y")}: {v:,} created</title></circle>')
        parts.append("</g>")
    legend_y, lx = height - 18, float(left)
    for n, key in enumerate(series):
        label = short(names.get(key) or key, 28)
        parts.append(f'<g class="legend-item" data-toggle-series="{attr(key)}" tabindex="0" role="button">'
                     f'<rect x="{lx:.0f}" y="{legend_y - 10}" width="12" height="12" rx="2" '
                     f'fill="{PALETTE[n % len(PALETTE)]}"/>'
                     f'<text x="{lx + 18:.0f}" y="{legend_y}">{escape(label)}<title>{escape(key)}</title></text></g>')
        lx += text_width(label) + 40
    parts.append("</svg>")
    return "".join(parts)


@dataclass
class Bar:
    label: str
    segments: list[tuple[str, int]]
    attrs: dict[str, Any]
    title: str | None = None
    """Full text of the tooltip; defaults to the label."""

    @property
    def total(self) -> int:
        return sum(v for _, v in self.segments)


def bar_chart(chart_id: str, bars: Sequence[Bar], kinds: Sequence[tuple[str, str, str]], aria: str,
              width: int = 560, label_width: int = 180) -> str:
    """Horizontal bars, stacked by ``kinds`` ((key, legend text, colour)); each bar's group carries
    ``data-value`` (its total) and each segment ``data-kind`` and ``data-value``."""
    if not bars:
        return f'<p class="empty" id="{chart_id}">Nothing to show.</p>'
    totals = [b.total for b in bars]
    bar_h, gap, top, value_w = 18, 8, 8, 64
    legend_h = 28 if len(kinds) > 1 else 0
    height = top + len(bars) * (bar_h + gap) + legend_h + 4
    scale = (width - label_width - value_w) / max(max(totals), 1)
    color_of = {key: color for key, _, color in kinds}
    text_of = {key: text.lower() for key, text, _ in kinds}
    parts = [f'<svg id="{chart_id}" data-chart="{chart_id}" class="chart" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{attr(aria)}">']
    for i, (bar, total) in enumerate(zip(bars, totals, strict=True)):
        y = top + i * (bar_h + gap)
        attrs = " ".join(f'data-{k}="{attr(v)}"' for k, v in bar.attrs.items())
        parts.append(f'<g class="bar" {attrs} data-value="{total}">'
                     f'<text class="bar-label" x="{label_width - 8}" y="{y + 13}" text-anchor="end">'
                     f'{escape(short(bar.label, 24))}<title>{escape(bar.title or bar.label)}</title></text>')
        x = float(label_width)
        for kind, value in bar.segments:
            w = value * scale
            parts.append(f'<rect class="segment" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                         f'fill="{color_of[kind]}" data-kind="{kind}" data-value="{value}">'
                         f'<title>{escape(bar.label)}: {value:,} {escape(text_of[kind])}</title></rect>')
            x += w
        parts.append(f'<text class="bar-value" x="{x + 6:.1f}" y="{y + 13}">{total:,}</text></g>')
    if legend_h:
        ly, lx = height - 10, 8.0
        for key, text, color in kinds:
            parts.append(f'<g class="legend-item"><rect x="{lx:.0f}" y="{ly - 10}" width="12" height="12" rx="2" '
                         f'fill="{color}" data-legend="{key}"/><text x="{lx + 18:.0f}" y="{ly}">{escape(text)}</text></g>')
            lx += text_width(text) + 34
    parts.append("</svg>")
    return "".join(parts)
