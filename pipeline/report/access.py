"""The report's access section: restricted, over-exposed and orphaned pages and blog posts, read
from `confluence__access_overview` (rules in dbt_project/models/docs/marts.md, "Access").

The mart is empty when the access streams were not synced (their tables are missing and the models
read them as empty), and missing from an older build: the section then says so instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

import duckdb

from pipeline.report.html import attr, fmt_time, link

MART = "confluence__access_overview"
TABLE_ROWS = 20
KINDS = (("restricted", "Restricted"), ("over_exposed", "Over-exposed"), ("orphaned", "Orphaned"))


@dataclass
class AccessData:
    available: bool
    """False when the build has no access mart (built before it existed)."""
    totals: dict[str, int] = field(default_factory=dict)
    """live, restricted, over_exposed, orphaned, open_to_anonymous, open_to_all_licensed_users."""
    by_space: list[dict[str, Any]] = field(default_factory=list)
    over_exposed: list[dict[str, Any]] = field(default_factory=list)
    orphaned: list[dict[str, Any]] = field(default_factory=list)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def load(con: duckdb.DuckDBPyConnection) -> AccessData:
    try:
        con.execute(f"select 1 from {MART} limit 0")  # noqa: S608 - a fixed table name
    except duckdb.CatalogException:
        return AccessData(available=False)
    totals = _rows(con, f"""
        select count(*) as live,
               count(*) filter (where is_restricted) as restricted,
               count(*) filter (where is_over_exposed) as over_exposed,
               count(*) filter (where is_orphaned) as orphaned,
               count(*) filter (where is_open_to_anonymous) as open_to_anonymous,
               count(*) filter (where is_open_to_all_licensed_users) as open_to_all_licensed_users
        from {MART}""")[0]  # noqa: S608 - a fixed table name
    by_space = _rows(con, f"""
        select coalesce(space_key, space_id) as space_key, count(*) as live,
               count(*) filter (where is_restricted) as restricted,
               count(*) filter (where is_over_exposed) as over_exposed,
               count(*) filter (where is_orphaned) as orphaned
        from {MART} group by 1 order by live desc, space_key""")  # noqa: S608
    over_exposed = _rows(con, f"""
        select content_id, title, content_type, space_key, viewer_user_count, viewer_group_count,
               is_open_to_anonymous, is_open_to_all_licensed_users, web_url
        from {MART} where is_over_exposed
        order by is_open_to_anonymous desc, is_open_to_all_licensed_users desc, viewer_user_count desc, content_id
        limit ?""", [TABLE_ROWS])  # noqa: S608
    orphaned = _rows(con, f"""
        select content_id, title, content_type, space_key, owner_account_id, owner_name, owner_account_status,
               is_restricted, last_updated_at, web_url
        from {MART} where is_orphaned
        order by last_updated_at desc nulls last, content_id limit ?""", [TABLE_ROWS])  # noqa: S608
    return AccessData(available=True, totals={k: int(v) for k, v in totals.items()}, by_space=by_space,
                      over_exposed=over_exposed, orphaned=orphaned)


def _open_to(row: dict[str, Any]) -> str:
    if row["is_open_to_anonymous"]:
        return "anonymous visitors"
    if row["is_open_to_all_licensed_users"]:
        return "all licensed users"
    return f'{row["viewer_user_count"]:,} users'


def render(data: AccessData) -> str:
    if not data.available:
        return ('<section id="access"><h2>Access</h2><p class="hint">No access marts in this build: run '
                '<code>dbt build</code> with this version of the project.</p></section>')
    if not data.totals.get("live"):
        return ('<section id="access"><h2>Access</h2><p class="hint">No live pages or blog posts to report on.'
                '</p></section>')
    cards = "".join(f'<div class="kpi" data-access="{key}" data-value="{data.totals[key]}">'
                    f'<span class="kpi-value">{data.totals[key]:,}</span><span class="kpi-label">{label}</span></div>'
                    for key, label in KINDS)
    spaces = "".join(
        f'<tr data-space="{attr(r["space_key"])}" data-live="{r["live"]}" data-restricted="{r["restricted"]}" '
        f'data-over-exposed="{r["over_exposed"]}" data-orphaned="{r["orphaned"]}"><td>{escape(r["space_key"] or "-")}</td>'
        f'<td class="num">{r["live"]:,}</td><td class="num">{r["restricted"]:,}</td>'
        f'<td class="num">{r["over_exposed"]:,}</td><td class="num">{r["orphaned"]:,}</td></tr>'
        for r in data.by_space)
    exposed = "".join(
        f'<tr data-content="{attr(r["content_id"])}" data-users="{r["viewer_user_count"]}" '
        f'data-anonymous="{str(r["is_open_to_anonymous"]).lower()}"><td>{link(r["title"], r["web_url"])}</td>'
        f'<td>{escape(r["space_key"] or "-")}</td><td>{escape(_open_to(r))}</td>'
        f'<td class="num">{r["viewer_group_count"]:,}</td></tr>'
        for r in data.over_exposed)
    orphaned = "".join(
        f'<tr data-content="{attr(r["content_id"])}" data-owner="{attr(r["owner_account_id"] or "")}">'
        f'<td>{link(r["title"], r["web_url"])}</td><td>{escape(r["space_key"] or "-")}</td>'
        f'<td>{escape(r["owner_name"] or r["owner_account_id"] or "(none)")}</td>'
        f'<td>{escape(r["owner_account_status"] or "unknown")}</td><td>{fmt_time(r["last_updated_at"])}</td></tr>'
        for r in data.orphaned)
    return (
        '<section id="access"><h2>Access</h2>'
        '<p class="hint">Restricted: a read restriction on the page or an ancestor page or folder. Over-exposed: open '
        'to anonymous visitors or all licensed users, or viewable by more users than dbt var '
        '<code>access_over_exposed_users</code> (default 50). Orphaned: the owner is deactivated or unknown.</p>'
        f'<div class="kpis">{cards}</div>'
        '<table class="data compact" id="table-access-spaces"><thead><tr><th>space</th><th class="num">live</th>'
        '<th class="num">restricted</th><th class="num">over-exposed</th><th class="num">orphaned</th></tr></thead>'
        f'<tbody>{spaces}</tbody></table>'
        f'<h3>Over-exposed <span class="count">{data.totals["over_exposed"]:,}</span></h3>'
        '<table class="data" id="table-access-over-exposed"><thead><tr><th>title</th><th>space</th>'
        f'<th>open to</th><th class="num">groups</th></tr></thead><tbody>{exposed}</tbody></table>'
        f'<h3>Orphaned <span class="count">{data.totals["orphaned"]:,}</span></h3>'
        '<table class="data" id="table-access-orphaned"><thead><tr><th>title</th><th>space</th><th>owner</th>'
        f'<th>owner status</th><th>updated (UTC)</th></tr></thead><tbody>{orphaned}</tbody></table></section>'
    )
