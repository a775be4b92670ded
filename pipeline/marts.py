"""The report's data, read from the dbt marts (schema ``analytics`` of the DuckDB file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipeline.dbt_runner import MARTS_SCHEMA
from pipeline.report.extra import SECTIONS

TOP_CONTRIBUTORS = 10
TOP_LABELS = 15
TABLE_ROWS = 20


@dataclass
class ReportData:
    totals: dict[str, int]
    volume: dict[str, list[tuple[date, int]]]
    """Space key -> (month, pages and blog posts created) for every month of the spine."""
    space_names: dict[str, str]
    contributors: list[dict[str, Any]]
    labels: list[dict[str, Any]]
    label_count: int
    recent: list[dict[str, Any]]
    stale_by_space: list[dict[str, Any]]
    stale: list[dict[str, Any]]
    stale_total: int
    tasks_by_space: list[dict[str, Any]]
    deleted_by_kind: list[dict[str, Any]]
    deleted: list[dict[str, Any]]
    deleted_total: int
    edit_source: str | None = None
    """How the contributors' edits were counted (`edit_count_source` over all months): `versions`,
    `latest_version`, `mixed`, or None without edits."""
    generated_at: datetime = field(default_factory=datetime.now)
    sections: dict[str, Any] = field(default_factory=dict)
    """Each added section's data (`pipeline.report.extra.SECTIONS`), by its key."""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def load(db_path: Path) -> ReportData:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        # The marts' schema comes from the dbt profile (CONFLUENCE_DBT_SCHEMA); queries name tables only.
        con.execute(f"set search_path = '{MARTS_SCHEMA}'")
        return _load(con)
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection) -> ReportData:
    volume: dict[str, list[tuple[date, int]]] = {}
    space_names: dict[str, str] = {}
    for row in _rows(con, """
            select space_key, any_value(space_name) as space_name, period_start,
                   sum(content_created_count)::bigint as created
            from confluence__content_volume where period_type = 'month'
            group by space_key, period_start order by space_key, period_start"""):
        volume.setdefault(row["space_key"], []).append((row["period_start"], row["created"]))
        space_names[row["space_key"]] = row["space_name"]

    contributors = _rows(con, """
        select account_id, coalesce(any_value(display_name), account_id) as display_name,
               sum(content_created_count)::bigint as created, sum(content_updated_count)::bigint as updated,
               sum(comments_written_count)::bigint as comments, sum(tasks_completed_count)::bigint as tasks,
               sum(total_contributions)::bigint as total
        from confluence__contributors where period_type = 'month'
        group by account_id order by total desc, display_name, account_id limit ?""", [TOP_CONTRIBUTORS])

    sources = {row[0] for row in con.execute("""
        select distinct edit_count_source from confluence__contributors
        where period_type = 'month' and edit_count_source is not null""").fetchall()}
    edit_source = sources.pop() if len(sources) == 1 else ("mixed" if sources else None)

    labels = _rows(con, """
        select label_name, content_count, page_count, blog_post_count, content_share, space_count
        from confluence__label_distribution
        order by content_count desc, label_name limit ?""", [TOP_LABELS])
    label_count = con.execute("select count(*) from confluence__label_distribution").fetchone()[0]

    recent = _rows(con, """
        select recency_rank, title, content_type, space_key, space_name, updated_at, version_number,
               is_new_content, last_updated_by_name, web_url
        from confluence__recent_updates order by recency_rank limit ?""", [TABLE_ROWS])

    stale_by_space = _rows(con, """
        select space_key, any_value(space_name) as space_name, count(*) as pages,
               max(days_since_update) as oldest_days
        from confluence__stale_content group by space_key order by pages desc, space_key""")
    stale = _rows(con, """
        select title, space_key, owner_name, last_updated_at, days_since_update, page_path_titles, web_url
        from confluence__stale_content order by days_since_update desc, title limit ?""", [TABLE_ROWS])
    stale_total = con.execute("select count(*) from confluence__stale_content").fetchone()[0]

    tasks_by_space = _rows(con, """
        select space_key, any_value(space_name) as space_name, sum(task_count)::bigint as tasks,
               sum(completed_task_count)::bigint as completed, sum(open_task_count)::bigint as open,
               sum(overdue_task_count)::bigint as overdue
        from confluence__task_completion group by space_key order by tasks desc, space_key""")

    deleted_by_kind = _rows(con, """
        select object_type, deletion_kind, count(*) as objects
        from confluence__source_deleted_content group by all order by objects desc, object_type, deletion_kind""")
    deleted = _rows(con, """
        select object_type, title, space_key, source_status, deletion_kind, deleted_at, deletion_detected_at
        from confluence__source_deleted_content
        order by deletion_detected_at desc nulls last, deleted_at desc nulls last, object_id limit ?""", [TABLE_ROWS])
    deleted_total = con.execute("select count(*) from confluence__source_deleted_content").fetchone()[0]

    activity = con.execute("""
        select count(*), coalesce(sum(comment_count), 0), coalesce(sum(unresolved_inline_comment_count), 0)
        from confluence__comment_activity""").fetchone()
    tasks_open = sum(row["open"] for row in tasks_by_space)
    totals = {
        "live_content": activity[0],
        "comments": int(activity[1]),
        "open_tasks": tasks_open,
        "overdue_tasks": sum(row["overdue"] for row in tasks_by_space),
        "stale_pages": stale_total,
        "deleted": deleted_total,
    }
    return ReportData(
        totals=totals, volume=volume, space_names=space_names, contributors=contributors,
        labels=labels, label_count=label_count, recent=recent, stale_by_space=stale_by_space, stale=stale,
        stale_total=stale_total, tasks_by_space=tasks_by_space, deleted_by_kind=deleted_by_kind,
        deleted=deleted, deleted_total=deleted_total, edit_source=edit_source,
        sections={section.key: section.load(con) for section in SECTIONS},
    )
