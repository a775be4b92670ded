"""The decision log section: the latest decisions of `confluence__decision_log`, meeting notes marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

import duckdb

from pipeline.report.html import attr, fmt_time, link
from pipeline.report.mart_rows import rows

TABLE_ROWS = 20


@dataclass
class DecisionLog:
    built: bool
    """False when the warehouse has no confluence__decision_log (built before it existed)."""
    total: int = 0
    decided: int = 0
    latest: list[dict[str, Any]] = field(default_factory=list)


def load(con: duckdb.DuckDBPyConnection) -> DecisionLog:
    counts = rows(con, "select count(*) as total, coalesce(sum(case when is_decided then 1 else 0 end), 0) as decided"
                       " from confluence__decision_log")
    if counts is None:
        return DecisionLog(built=False)
    latest = rows(con, """
        select decision_id, decision_text, state, is_decided, decision_date, container_title, container_web_url,
               is_meeting_note, space_key
        from confluence__decision_log
        order by decision_date desc nulls last, decision_id limit ?""", [TABLE_ROWS]) or []
    return DecisionLog(built=True, total=int(counts[0]["total"]), decided=int(counts[0]["decided"]), latest=latest)


def render(log: DecisionLog) -> str:
    head = (f'<section id="decisions" data-total="{log.total}" data-decided="{log.decided}">'
            f'<h2>Decision log <span class="count">{log.total:,} decisions, {log.decided:,} decided</span></h2>')
    if not log.latest:
        why = ("This warehouse was built without the decision log mart; run dbt build again."
               if not log.built else
               "No decisions: none of the synced pages and blog posts holds a decision list, or the "
               "<code>decisions</code> stream is not synced.")
        return f'{head}<p class="empty" id="decisions-empty">{why}</p></section>'
    body = "".join(
        f'<tr data-decision="{attr(r["decision_id"])}" data-state="{attr(r["state"] or "")}" '
        f'data-meeting-note="{str(bool(r["is_meeting_note"])).lower()}">'
        f'<td>{fmt_time(r["decision_date"])}</td><td>{escape(r["decision_text"] or "")}</td>'
        f'<td>{escape(r["state"] or "-")}</td>'
        f'<td>{link(r["container_title"], r["container_web_url"])}'
        f'{" <span class=tag>meeting notes</span>" if r["is_meeting_note"] else ""}</td>'
        f'<td>{escape(r["space_key"] or "-")}</td></tr>'
        for r in log.latest)
    return (f'{head}<p class="hint">Decision lists in pages and blog posts, newest first'
            f' (latest {len(log.latest)}); decisions removed from their page are left out.</p>'
            '<table class="data" id="table-decisions"><thead><tr><th>date</th><th>decision</th><th>state</th>'
            f'<th>in</th><th>space</th></tr></thead><tbody>{body}</tbody></table></section>')
