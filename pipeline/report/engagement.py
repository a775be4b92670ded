"""The engagement section: which live pages are read, from `confluence__content_engagement` —
stale and unread (safe to archive), popular but stale (update first), and the most read."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

import duckdb

from pipeline.report.html import attr, fmt_int, fmt_time, link
from pipeline.report.mart_rows import rows

TABLE_ROWS = 15
COLUMNS = "content_id, title, web_url, space_key, owner_name, last_updated_at, days_since_update, view_count, viewer_count"


@dataclass
class Engagement:
    built: bool
    """False when the warehouse has no confluence__content_engagement (built before it existed)."""
    live: int = 0
    counted: int = 0
    stale: int = 0
    unread_total: int = 0
    popular_stale_total: int = 0
    unread: list[dict[str, Any]] = field(default_factory=list)
    popular_stale: list[dict[str, Any]] = field(default_factory=list)
    most_read: list[dict[str, Any]] = field(default_factory=list)


def load(con: duckdb.DuckDBPyConnection) -> Engagement:
    totals = rows(con, """
        select count(*) as live, coalesce(sum(case when is_view_counted then 1 else 0 end), 0) as counted,
               coalesce(sum(case when is_stale then 1 else 0 end), 0) as stale,
               coalesce(sum(case when is_stale_and_unread then 1 else 0 end), 0) as unread,
               coalesce(sum(case when is_popular_but_stale then 1 else 0 end), 0) as popular_stale
        from confluence__content_engagement""")
    if totals is None:
        return Engagement(built=False)
    t = totals[0]

    def top(where: str, order: str) -> list[dict[str, Any]]:
        return rows(con, f"select {COLUMNS} from confluence__content_engagement where {where}"  # noqa: S608 - fixed text
                         f" order by {order}, content_id limit ?", [TABLE_ROWS]) or []

    return Engagement(
        built=True, live=int(t["live"]), counted=int(t["counted"]), stale=int(t["stale"]),
        unread_total=int(t["unread"]), popular_stale_total=int(t["popular_stale"]),
        unread=top("is_stale_and_unread", "days_since_update desc"),
        popular_stale=top("is_popular_but_stale", "view_count desc"),
        most_read=top("is_view_counted and view_count > 0", "view_count desc"),
    )


def _table(table_id: str, title: str, hint: str, items: list[dict[str, Any]], total: int) -> str:
    if not items:
        return f'<h3>{title} <span class="count">0</span></h3><p class="empty" id="{table_id}-empty">{hint}</p>'
    body = "".join(
        f'<tr data-content="{attr(r["content_id"])}" data-views="{r["view_count"]}" '
        f'data-days="{r["days_since_update"]}"><td>{link(r["title"], r["web_url"])}</td>'
        f'<td>{escape(r["space_key"] or "-")}</td><td>{escape(r["owner_name"] or "-")}</td>'
        f'<td class="num">{fmt_int(r["view_count"])}</td><td class="num">{fmt_int(r["viewer_count"])}</td>'
        f'<td>{fmt_time(r["last_updated_at"])}</td><td class="num">{fmt_int(r["days_since_update"])}</td></tr>'
        for r in items)
    return (f'<h3>{title} <span class="count">{total:,}</span></h3>'
            f'<table class="data" id="{table_id}"><thead><tr><th>page</th><th>space</th><th>owner</th>'
            '<th class="num">views</th><th class="num">viewers</th><th>last updated (UTC)</th>'
            f'<th class="num">days</th></tr></thead><tbody>{body}</tbody></table>')


def render(data: Engagement) -> str:
    head = (f'<section id="engagement" data-live="{data.live}" data-counted="{data.counted}" '
            f'data-unread="{data.unread_total}" data-popular-stale="{data.popular_stale_total}">'
            '<h2>Engagement <span class="count">'
            f'{data.counted:,} of {data.live:,} live pages and blog posts counted</span></h2>')
    if not data.built:
        return (f'{head}<p class="empty" id="engagement-empty">This warehouse was built without the engagement'
                ' mart; run dbt build again.</p></section>')
    if not data.counted:
        return (f'{head}<p class="empty" id="engagement-empty">No view counts: turn on <code>page_views</code>'
                ' (Confluence Cloud only) to see which pages are read. '
                f'{data.stale:,} live pages and blog posts are stale.</p></section>')
    return "".join([
        head,
        '<p class="hint">Views since the count\'s start date (stream <code>content_views</code>); stale = not updated'
        ' for 180 days or more (dbt vars <code>stale_after_days</code>, <code>engagement_unread_below_views</code>,'
        ' <code>engagement_popular_views</code>).</p>',
        _table("table-unread", "Stale and unread: safe to archive", "No stale page without views.",
               data.unread, data.unread_total),
        _table("table-popular-stale", "Popular but stale: update first", "No stale page among the most read.",
               data.popular_stale, data.popular_stale_total),
        _table("table-most-read", "Most read", "No page has views yet.", data.most_read, len(data.most_read)),
        "</section>",
    ])
