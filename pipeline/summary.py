"""The short plain-text summary printed at the end of a run."""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.dbt_runner import DbtResult
from pipeline.marts import ReportData
from pipeline.sync import SyncResult


def count_phrase(n: int, phrase: str) -> str:
    """'1 pages purged' -> '1 page purged': the plural word of the phrase loses its s when n is 1."""
    if n == 1:
        phrase = " ".join(w[:-1] if w.endswith("s") else w for w in phrase.split())
    return f"{n:,} {phrase}"


def render(
    heading: str,
    sync: SyncResult,
    dbt: DbtResult,
    data: ReportData,
    report_path: str,
    applied: Mapping[str, int] | None = None,
    chunks: str | None = None,
) -> str:
    kind = "first sync" if sync.initial else "incremental sync"
    lines = [heading, ""]
    if applied:
        done = ", ".join(count_phrase(n, what) for what, n in applied.items() if n)
        lines += [f"Changes made in Confluence since the last run: {done}.", ""]
    lines.append(f"Sync ({kind}): {sync.total_records:,} records in {sync.elapsed:.1f} s")
    for change in sync.changes:
        lines.append(f"  {change.stream:<15} {change.records:>8,} received   {change.describe()}")
    for warning in sync.warnings:
        lines.append(f"  warning: {warning}")
    lines.append(f"dbt build: {dbt.describe()}")
    t = data.totals
    lines.append(
        f"Marts: {t['live_content']:,} live pages and blog posts, {t['comments']:,} comments, "
        f"{t['open_tasks']:,} open tasks ({t['overdue_tasks']:,} overdue), {t['stale_pages']:,} stale pages, "
        f"{t['deleted']:,} deleted in Confluence"
    )
    if data.contributors:
        top = data.contributors[0]
        lines.append(f"Top contributor: {top['display_name']} ({top['total']:,} contributions)")
    if chunks:
        lines.append(f"Chunks: {chunks}")
    lines.append(f"Report: {report_path}")
    return "\n".join(lines)
