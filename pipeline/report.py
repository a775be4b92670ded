"""The report: one self-contained HTML file with inline SVG charts drawn here from the marts.

Nothing is loaded from elsewhere (no fonts, stylesheets, scripts or images), so it opens offline in
any browser and can be mailed around. Every chart element carries data attributes with the value it
shows (``data-value``) and what it stands for (``data-space``, ``data-label``...), so tests and
people inspecting the page read the numbers, not the pixels. The one small script only toggles
series on click; the charts are complete without it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from typing import Any

from pipeline.changes import StreamChange
from pipeline.marts import ReportData
from pipeline.summary import count_phrase

PALETTE = ("#2f6fdf", "#e0703a", "#2aa876", "#9b59b6", "#c9a227", "#d64550", "#1aa3a3", "#7f8c8d")
CONTRIBUTION_KINDS = (("created", "Created", "#2f6fdf"), ("updated", "Updated", "#86b3ff"),
                      ("comments", "Comments", "#e0703a"), ("tasks", "Tasks completed", "#2aa876"))
TASK_KINDS = (("completed", "Completed", "#2aa876"), ("open_not_overdue", "Open", "#b8c4d0"),
              ("overdue", "Overdue", "#d64550"))


@dataclass
class RunInfo:
    """What the page says about the run that produced it."""

    heading: str
    subtitle: str = ""
    site_url: str | None = None
    changes: list[StreamChange] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    applied: dict[str, int] = field(default_factory=dict)
    """Changes made in Confluence since the previous run, when known (the demo scripts them)."""


def _attr(value: Any) -> str:
    return escape(str(value), quote=True)


def _fmt_int(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _fmt_time(value: datetime | date | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _text_width(text: str) -> float:
    """Rough width in pixels of 12 px sans-serif text; enough to space legend entries."""
    return 7.0 * len(text)


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
        parts.append(f'<g class="series" data-series="{_attr(key)}" style="--c:{color}">'
                     f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
        for d, v in points:
            parts.append(f'<circle class="point" cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.5" fill="{color}" '
                         f'data-space="{_attr(key)}" data-period="{d.isoformat()}" data-value="{v}">'
                         f'<title>{escape(names.get(key, key))}, {d.strftime("%B %Y")}: {v:,} created</title></circle>')
        parts.append("</g>")
    legend_y, lx = height - 18, float(left)
    for n, key in enumerate(series):
        label = _short(names.get(key) or key, 28)
        parts.append(f'<g class="legend-item" data-toggle-series="{_attr(key)}" tabindex="0" role="button">'
                     f'<rect x="{lx:.0f}" y="{legend_y - 10}" width="12" height="12" rx="2" '
                     f'fill="{PALETTE[n % len(PALETTE)]}"/>'
                     f'<text x="{lx + 18:.0f}" y="{legend_y}">{escape(label)}<title>{escape(key)}</title></text></g>')
        lx += _text_width(label) + 40
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
             f'width="{width}" height="{height}" role="img" aria-label="{_attr(aria)}">']
    for i, (bar, total) in enumerate(zip(bars, totals, strict=True)):
        y = top + i * (bar_h + gap)
        attrs = " ".join(f'data-{k}="{_attr(v)}"' for k, v in bar.attrs.items())
        parts.append(f'<g class="bar" {attrs} data-value="{total}">'
                     f'<text class="bar-label" x="{label_width - 8}" y="{y + 13}" text-anchor="end">'
                     f'{escape(_short(bar.label, 24))}<title>{escape(bar.title or bar.label)}</title></text>')
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
            lx += _text_width(text) + 34
    parts.append("</svg>")
    return "".join(parts)


# -- sections ----------------------------------------------------------------------------------
def _kpis(data: ReportData) -> str:
    cards = (
        ("live_content", "Live pages and blog posts"),
        ("comments", "Comments"),
        ("open_tasks", "Open tasks"),
        ("overdue_tasks", "Overdue tasks"),
        ("stale_pages", "Stale pages"),
        ("deleted", "Deleted in Confluence"),
    )
    items = "".join(f'<div class="kpi" data-kpi="{key}" data-value="{data.totals[key]}">'
                    f'<span class="kpi-value">{data.totals[key]:,}</span><span class="kpi-label">{label}</span></div>'
                    for key, label in cards)
    return f'<section class="kpis" id="kpis">{items}</section>'


def _changes(run: RunInfo) -> str:
    if not run.changes:
        return ""
    initial = all(c.initial for c in run.changes)
    title = "First sync: everything is new" if initial else "What changed in this sync"
    applied = ""
    if run.applied:
        items = ", ".join(f'<span data-applied="{_attr(what)}" data-value="{n}">{escape(count_phrase(n, what))}</span>'
                          for what, n in run.applied.items())
        applied = f'<p class="hint" id="applied">Changes made in Confluence since the last run: {items}.</p>'
    rows = "".join(
        f'<tr data-stream="{c.stream}" data-records="{c.records}" data-changed="{0 if c.initial else c.changed}">'
        f'<td>{c.stream}</td><td class="num">{c.records:,}</td><td>{escape(c.describe())}</td>'
        f'<td class="num">{c.rows:,}</td></tr>'
        for c in run.changes)
    return (f'<section id="changes"><h2>{title}</h2>{applied}'
            '<table class="data"><thead><tr><th>stream</th><th class="num">records received</th>'
            f'<th>change</th><th class="num">ids held</th></tr></thead><tbody>{rows}</tbody></table></section>')


def _link(title: str | None, url: str | None) -> str:
    text = escape(title or "(untitled)")
    return f'<a href="{_attr(url)}">{text}</a>' if url else text


def _recent(data: ReportData) -> str:
    rows = "".join(
        f'<tr data-rank="{r["recency_rank"]}"><td class="num">{r["recency_rank"]}</td>'
        f'<td>{_link(r["title"], r["web_url"])}{" <span class=tag>new</span>" if r["is_new_content"] else ""}</td>'
        f'<td>{escape(r["space_key"] or "-")}</td><td>{escape(r["content_type"].replace("_", " "))}</td>'
        f'<td>{escape(r["last_updated_by_name"] or "-")}</td><td class="num">{r["version_number"]}</td>'
        f'<td>{_fmt_time(r["updated_at"])}</td></tr>'
        for r in data.recent)
    return ('<section id="recent"><h2>Recent updates</h2><table class="data" id="table-recent"><thead><tr>'
            '<th class="num">#</th><th>title</th><th>space</th><th>type</th><th>last edited by</th>'
            f'<th class="num">version</th><th>updated (UTC)</th></tr></thead><tbody>{rows}</tbody></table></section>')


def _stale(data: ReportData) -> str:
    bars = [Bar(r["space_name"] or r["space_key"], [("stale", r["pages"])], {"space": r["space_key"]},
                title=f'{r["space_name"]} ({r["space_key"]})') for r in data.stale_by_space]
    chart = bar_chart("chart-stale", bars, (("stale", "Stale pages", "#c9a227"),), "Stale pages per space")
    rows = "".join(
        f'<tr><td>{_link(r["title"], r["web_url"])}<div class="path">{escape(r["page_path_titles"] or "")}</div></td>'
        f'<td>{escape(r["space_key"] or "-")}</td><td>{escape(r["owner_name"] or "-")}</td>'
        f'<td>{_fmt_time(r["last_updated_at"])}</td><td class="num">{r["days_since_update"]:,}</td></tr>'
        for r in data.stale)
    return (f'<section id="stale"><h2>Stale content <span class="count">{data.stale_total:,} pages</span></h2>'
            '<p class="hint">Current pages not updated for 180 days or more (dbt var <code>stale_after_days</code>).</p>'
            f'{chart}<table class="data" id="table-stale"><thead><tr><th>page</th><th>space</th><th>owner</th>'
            f'<th>last updated (UTC)</th><th class="num">days</th></tr></thead><tbody>{rows}</tbody></table></section>')


def _tasks(data: ReportData) -> str:
    bars = [Bar(r["space_name"] or r["space_key"],
                [("completed", r["completed"]), ("open_not_overdue", r["open"] - r["overdue"]), ("overdue", r["overdue"])],
                {"space": r["space_key"], "completed": r["completed"], "open": r["open"], "overdue": r["overdue"]},
                title=f'{r["space_name"]} ({r["space_key"]})') for r in data.tasks_by_space]
    rates = "".join(
        f'<li data-space="{_attr(r["space_key"])}" data-rate="{r["completed"] / r["tasks"]:.4f}">'
        f'{escape(_short(r["space_name"] or r["space_key"], 24))}: {100 * r["completed"] / r["tasks"]:.0f}% completed</li>'
        for r in data.tasks_by_space if r["tasks"])
    chart = bar_chart("chart-tasks", bars, TASK_KINDS, "Tasks per space: completed, open and overdue")
    return (f'<section id="tasks"><h2>Task completion</h2>{chart}<ul class="rates">{rates}</ul></section>')


def _deleted(data: ReportData) -> str:
    kinds = "".join(
        f'<tr data-object-type="{_attr(r["object_type"])}" data-kind="{_attr(r["deletion_kind"])}" '
        f'data-value="{r["objects"]}"><td>{escape(r["object_type"])}</td><td>{escape(r["deletion_kind"])}</td>'
        f'<td class="num">{r["objects"]:,}</td></tr>'
        for r in data.deleted_by_kind)
    rows = "".join(
        f'<tr><td>{escape(r["object_type"])}</td><td>{escape(r["title"] or "(title unknown)")}</td>'
        f'<td>{escape(r["space_key"] or "-")}</td><td>{escape(r["deletion_kind"])}</td>'
        f'<td>{_fmt_time(r["deleted_at"])}</td><td>{_fmt_time(r["deletion_detected_at"])}</td></tr>'
        for r in data.deleted)
    return (f'<section id="deleted"><h2>Deleted in Confluence <span class="count">{data.deleted_total:,}</span></h2>'
            '<p class="hint">Imported objects since trashed (restorable) or purged (the connector sends a tombstone).</p>'
            '<table class="data compact" id="table-deleted-kinds"><thead><tr><th>object</th><th>deletion</th>'
            f'<th class="num">count</th></tr></thead><tbody>{kinds}</tbody></table>'
            '<table class="data" id="table-deleted"><thead><tr><th>object</th><th>title</th><th>space</th>'
            f'<th>deletion</th><th>deleted (UTC)</th><th>detected (UTC)</th></tr></thead><tbody>{rows}</tbody></table>'
            '</section>')


STYLE = """
:root{--fg:#1d2733;--muted:#5b6876;--line:#e3e8ee;--bg:#f6f8fa;--card:#fff;--accent:#2f6fdf}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:var(--bg)}
header{background:#17324d;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#c6d4e3}
header a.site{color:#c6d4e3;font-size:15px;font-weight:normal;margin-left:8px}
main{max-width:1100px;margin:0 auto;padding:20px 24px 40px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:0 0 18px}
h2{font-size:17px;margin:0 0 10px}
.count{color:var(--muted);font-weight:normal;font-size:14px;margin-left:6px}
.hint{color:var(--muted);margin:-4px 0 10px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.grid2>section{margin:0}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:10px;background:none;border:0;padding:0}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px}
.kpi-value{display:block;font-size:22px;font-weight:600}
.kpi-label{color:var(--muted);font-size:12px}
table.data{border-collapse:collapse;width:100%;margin-top:8px}
table.data th,table.data td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
table.data th{font-size:12px;color:var(--muted);font-weight:600}
table.compact{width:auto;margin-bottom:10px}
.num{text-align:right!important;font-variant-numeric:tabular-nums}
.path{color:var(--muted);font-size:12px}
.tag{background:#e4f4ea;color:#17693b;border-radius:3px;padding:0 4px;font-size:11px}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
svg.chart{display:block;max-width:100%;height:auto}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:var(--fg)}
svg .axis{fill:var(--muted);font-size:11px}
svg .grid{stroke:var(--line)}
svg .legend-item[data-toggle-series]{cursor:pointer}
svg .legend-item.off{opacity:.35}
.rates{list-style:none;padding:0;margin:6px 0 0;color:var(--muted);display:flex;gap:16px;flex-wrap:wrap}
.notes{color:var(--muted);font-size:12px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 24px}
"""

# Clicking a legend entry of the volume chart hides or shows that space's line.
SCRIPT = """
(function () {
  document.querySelectorAll('[data-toggle-series]').forEach(function (item) {
    function toggle() {
      var key = item.getAttribute('data-toggle-series');
      var off = item.classList.toggle('off');
      item.closest('svg').querySelectorAll('.series').forEach(function (series) {
        if (series.getAttribute('data-series') === key) { series.style.display = off ? 'none' : ''; }
      });
    }
    item.addEventListener('click', toggle);
    item.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { toggle(); } });
  });
  document.body.setAttribute('data-ready', 'true');
})();
"""


def render(data: ReportData, run: RunInfo) -> str:
    contributors = bar_chart(
        "chart-contributors",
        [Bar(c["display_name"], [(k, c[k]) for k, _, _ in CONTRIBUTION_KINDS], {"account": c["account_id"]})
         for c in data.contributors],
        CONTRIBUTION_KINDS, "Top contributors: content created and updated, comments, tasks completed",
    )
    labels = bar_chart(
        "chart-labels",
        [Bar(lb["label_name"], [("content", lb["content_count"])],
             {"label": lb["label_name"], "share": f'{float(lb["content_share"]):.4f}'}) for lb in data.labels],
        (("content", "Pages and blog posts", "#1aa3a3"),), "Labels by number of pages and blog posts",
    )
    volume = line_chart("chart-volume", data.volume, data.space_names)
    timings = " · ".join(f"{name} {seconds:.1f} s" for name, seconds in run.timings.items())
    subtitle = " · ".join(p for p in (run.subtitle, f"generated {data.generated_at:%Y-%m-%d %H:%M}", timings) if p)
    notes = "".join(f"<li>{escape(n)}</li>" for n in run.notes)
    site = f' <a class="site" href="{_attr(run.site_url)}">{escape(run.site_url)}</a>' if run.site_url else ""
    return "".join([
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(run.heading)}</title><style>{STYLE}</style></head>"
        '<body data-ready="false">',
        f"<header><h1>{escape(run.heading)}{site}</h1><p>{escape(subtitle)}</p></header><main>",
        _kpis(data),
        _changes(run),
        f'<section id="volume"><h2>Content volume per space</h2><p class="hint">Pages and blog posts created per '
        f"month (live content). Click a space in the legend to hide or show it.</p>{volume}</section>",
        '<div class="grid2">',
        f'<section id="contributors"><h2>Top contributors</h2><p class="hint">All time, by contributions.</p>'
        f"{contributors}</section>",
        f'<section id="labels"><h2>Label distribution <span class="count">{data.label_count:,} labels in use'
        f'</span></h2><p class="hint">Top {len(data.labels)} labels on live content.</p>{labels}</section>',
        "</div>",
        _recent(data),
        _tasks(data),
        _stale(data),
        _deleted(data),
        f'<ul class="notes">{notes}</ul>' if notes else "",
        "</main><footer>Built from the dbt marts (schema <code>analytics</code>) by <code>python -m pipeline</code>."
        f"</footer><script>{SCRIPT}</script></body></html>",
    ])
