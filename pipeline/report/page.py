"""The report: one self-contained HTML file with inline SVG charts drawn here from the marts.

Nothing is loaded from elsewhere (no fonts, stylesheets, scripts or images), so it opens offline in
any browser and can be mailed around. Every chart element carries data attributes with the value it
shows (``data-value``) and what it stands for (``data-space``, ``data-label``...), so tests and
people inspecting the page read the numbers, not the pixels. The one small script only toggles
series on click; the charts are complete without it.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from pipeline.report.charts import Bar, bar_chart, line_chart
from pipeline.report.extra import SECTIONS
from pipeline.report.html import attr
from pipeline.report.run import RunInfo
from pipeline.report.sections import changes, contributors, deleted, kpis, recent, stale, tasks
from pipeline.report.style import SCRIPT, STYLE

if TYPE_CHECKING:
    from pipeline.marts import ReportData


def render(data: ReportData, run: RunInfo) -> str:
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
    site = f' <a class="site" href="{attr(run.site_url)}">{escape(run.site_url)}</a>' if run.site_url else ""
    # The AI-ready section sits at the end of a long page: the header links to it.
    ai_link = ('<p id="ai-ready-link"><a href="#ai-ready">AI-ready: documents, chunks and the changes since the last '
               "run</a></p>" if "ai_ready" in data.sections else "")
    return "".join([
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(run.heading)}</title><style>{STYLE}</style></head>"
        '<body data-ready="false">',
        f"<header><h1>{escape(run.heading)}{site}</h1><p>{escape(subtitle)}</p>{ai_link}</header><main>",
        kpis(data),
        changes(run),
        f'<section id="volume"><h2>Content volume per space</h2><p class="hint">Pages and blog posts created per '
        f"month (live content). Click a space in the legend to hide or show it.</p>{volume}</section>",
        '<div class="grid2">',
        contributors(data),
        f'<section id="labels"><h2>Label distribution <span class="count">{data.label_count:,} labels in use'
        f'</span></h2><p class="hint">Top {len(data.labels)} labels on live content.</p>{labels}</section>',
        "</div>",
        recent(data),
        tasks(data),
        stale(data),
        deleted(data),
        *(section.render(data.sections[section.key]) for section in SECTIONS if section.key in data.sections),
        f'<ul class="notes">{notes}</ul>' if notes else "",
        "</main><footer>Built from the dbt marts (schema <code>analytics</code>) by <code>python -m pipeline</code>."
        f"</footer><script>{SCRIPT}</script></body></html>",
    ])
