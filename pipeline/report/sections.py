"""The report's fixed sections: key figures, the run's changes, recent updates, tasks, stale and deleted content."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from pipeline.report.charts import Bar, bar_chart
from pipeline.report.html import attr, fmt_time, link, short
from pipeline.report.run import RunInfo
from pipeline.summary import count_phrase

if TYPE_CHECKING:
    from pipeline.marts import ReportData

CONTRIBUTION_KINDS = (("created", "Created", "#2f6fdf"), ("updated", "Updated", "#86b3ff"),
                      ("comments", "Comments", "#e0703a"), ("tasks", "Tasks completed", "#2aa876"))
EDIT_SOURCE_HINTS = {
    "versions": "Edits: every version, by its author (version history synced).",
    "latest_version": "Edits: only the latest version of each page or blog post (version history not synced:"
                      " <code>version_history</code> is <code>none</code>).",
    "mixed": "Edits: every version where the version history is synced, else the latest version only.",
}
TASK_KINDS = (("completed", "Completed", "#2aa876"), ("open_not_overdue", "Open", "#b8c4d0"),
              ("overdue", "Overdue", "#d64550"))


def kpis(data: ReportData) -> str:
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


def contributors(data: ReportData) -> str:
    chart = bar_chart(
        "chart-contributors",
        [Bar(c["display_name"], [(k, c[k]) for k, _, _ in CONTRIBUTION_KINDS], {"account": c["account_id"]})
         for c in data.contributors],
        CONTRIBUTION_KINDS, "Top contributors: content created and updated, comments, tasks completed",
    )
    edits = EDIT_SOURCE_HINTS.get(data.edit_source or "", "")
    return (f'<section id="contributors" data-edit-source="{attr(data.edit_source or "")}"><h2>Top contributors</h2>'
            f'<p class="hint">All time, by contributions. {edits}</p>{chart}</section>')


def changes(run: RunInfo) -> str:
    if not run.changes:
        return ""
    initial = all(c.initial for c in run.changes)
    title = "First sync: everything is new" if initial else "What changed in this sync"
    applied = ""
    if run.applied:
        items = ", ".join(f'<span data-applied="{attr(what)}" data-value="{n}">{escape(count_phrase(n, what))}</span>'
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


def recent(data: ReportData) -> str:
    rows = "".join(
        f'<tr data-rank="{r["recency_rank"]}"><td class="num">{r["recency_rank"]}</td>'
        f'<td>{link(r["title"], r["web_url"])}{" <span class=tag>new</span>" if r["is_new_content"] else ""}</td>'
        f'<td>{escape(r["space_key"] or "-")}</td><td>{escape(r["content_type"].replace("_", " "))}</td>'
        f'<td>{escape(r["last_updated_by_name"] or "-")}</td><td class="num">{r["version_number"]}</td>'
        f'<td>{fmt_time(r["updated_at"])}</td></tr>'
        for r in data.recent)
    return ('<section id="recent"><h2>Recent updates</h2><table class="data" id="table-recent"><thead><tr>'
            '<th class="num">#</th><th>title</th><th>space</th><th>type</th><th>last edited by</th>'
            f'<th class="num">version</th><th>updated (UTC)</th></tr></thead><tbody>{rows}</tbody></table></section>')


def stale(data: ReportData) -> str:
    bars = [Bar(r["space_name"] or r["space_key"], [("stale", r["pages"])], {"space": r["space_key"]},
                title=f'{r["space_name"]} ({r["space_key"]})') for r in data.stale_by_space]
    chart = bar_chart("chart-stale", bars, (("stale", "Stale pages", "#c9a227"),), "Stale pages per space")
    rows = "".join(
        f'<tr><td>{link(r["title"], r["web_url"])}<div class="path">{escape(r["page_path_titles"] or "")}</div></td>'
        f'<td>{escape(r["space_key"] or "-")}</td><td>{escape(r["owner_name"] or "-")}</td>'
        f'<td>{fmt_time(r["last_updated_at"])}</td><td class="num">{r["days_since_update"]:,}</td></tr>'
        for r in data.stale)
    return (f'<section id="stale"><h2>Stale content <span class="count">{data.stale_total:,} pages</span></h2>'
            '<p class="hint">Current pages not updated for 180 days or more (dbt var <code>stale_after_days</code>).</p>'
            f'{chart}<table class="data" id="table-stale"><thead><tr><th>page</th><th>space</th><th>owner</th>'
            f'<th>last updated (UTC)</th><th class="num">days</th></tr></thead><tbody>{rows}</tbody></table></section>')


def tasks(data: ReportData) -> str:
    bars = [Bar(r["space_name"] or r["space_key"],
                [("completed", r["completed"]), ("open_not_overdue", r["open"] - r["overdue"]), ("overdue", r["overdue"])],
                {"space": r["space_key"], "completed": r["completed"], "open": r["open"], "overdue": r["overdue"]},
                title=f'{r["space_name"]} ({r["space_key"]})') for r in data.tasks_by_space]
    rates = "".join(
        f'<li data-space="{attr(r["space_key"])}" data-rate="{r["completed"] / r["tasks"]:.4f}">'
        f'{escape(short(r["space_name"] or r["space_key"], 24))}: {100 * r["completed"] / r["tasks"]:.0f}% completed</li>'
        for r in data.tasks_by_space if r["tasks"])
    chart = bar_chart("chart-tasks", bars, TASK_KINDS, "Tasks per space: completed, open and overdue")
    return (f'<section id="tasks"><h2>Task completion</h2>{chart}<ul class="rates">{rates}</ul></section>')


def deleted(data: ReportData) -> str:
    kinds = "".join(
        f'<tr data-object-type="{attr(r["object_type"])}" data-kind="{attr(r["deletion_kind"])}" '
        f'data-value="{r["objects"]}"><td>{escape(r["object_type"])}</td><td>{escape(r["deletion_kind"])}</td>'
        f'<td class="num">{r["objects"]:,}</td></tr>'
        for r in data.deleted_by_kind)
    rows = "".join(
        f'<tr><td>{escape(r["object_type"])}</td><td>{escape(r["title"] or "(title unknown)")}</td>'
        f'<td>{escape(r["space_key"] or "-")}</td><td>{escape(r["deletion_kind"])}</td>'
        f'<td>{fmt_time(r["deleted_at"])}</td><td>{fmt_time(r["deletion_detected_at"])}</td></tr>'
        for r in data.deleted)
    return (f'<section id="deleted"><h2>Deleted in Confluence <span class="count">{data.deleted_total:,}</span></h2>'
            '<p class="hint">Imported objects since trashed (restorable) or purged (the connector sends a tombstone).</p>'
            '<table class="data compact" id="table-deleted-kinds"><thead><tr><th>object</th><th>deletion</th>'
            f'<th class="num">count</th></tr></thead><tbody>{kinds}</tbody></table>'
            '<table class="data" id="table-deleted"><thead><tr><th>object</th><th>title</th><th>space</th>'
            f'<th>deletion</th><th>deleted (UTC)</th><th>detected (UTC)</th></tr></thead><tbody>{rows}</tbody></table>'
            '</section>')
