"""The whole chain: sync into DuckDB, ``dbt build``, the HTML report and the summary."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pipeline import marts, summary
from pipeline.ai.chunks import ChunkExports, ChunkRunResult, run_chunks
from pipeline.ai.splitting import ChunkSettings
from pipeline.dbt_runner import DbtResult, run_dbt_build
from pipeline.marts import ReportData
from pipeline.report.page import render as render_report
from pipeline.report.run import RunInfo
from pipeline.sync import SyncResult, run_sync


class DbtFailure(Exception):
    def __init__(self, result: DbtResult) -> None:
        super().__init__("dbt build failed")
        self.result = result

    def describe(self) -> str:
        lines = ["dbt build failed; the raw tables are loaded, the marts and the report are not up to date."]
        lines += [f"  {failure}" for failure in self.result.failures[:10]]
        if len(self.result.failures) > 10:
            lines.append(f"  ... and {len(self.result.failures) - 10} more")
        lines.append(f"  Full dbt output: {self.result.log_file}")
        lines.append("  Fix the model or test named above (dbt_project/), then run again: the next sync is incremental.")
        return "\n".join(lines)


@dataclass
class JobResult:
    sync: SyncResult
    dbt: DbtResult
    data: ReportData
    report_path: Path
    summary: str
    timings: dict[str, float] = field(default_factory=dict)
    chunks: ChunkRunResult | None = None


def run_job(
    config: Mapping[str, Any],
    db_path: Path,
    report_path: Path,
    work_dir: Path,
    streams: Sequence[str] | None = None,
    heading: str = "Confluence report",
    subtitle: str = "",
    site_url: str | None = None,
    notes: Sequence[str] = (),
    applied: Mapping[str, int] | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
    out: TextIO | None = None,
    chunking: ChunkSettings | None = None,
    chunk_exports: ChunkExports | None = None,
) -> JobResult:
    """Raises ``SyncFailure``, ``DbtFailure`` or ``ChunkFailure``; the cache keeps what was synced either way."""
    out = out or sys.stdout
    out.write(f"Syncing Confluence into {db_path} ...\n")
    out.flush()
    sync = run_sync(config, db_path, streams, out=out)
    out.write("Building the marts (dbt build) ...\n")
    out.flush()
    dbt = run_dbt_build(db_path, work_dir / "dbt", dbt_vars=dbt_vars, out=out)
    if not dbt.ok:
        raise DbtFailure(dbt)
    # Chunks for LLMs and vector stores, before the report (its AI-ready section reads them).
    chunks = run_chunks(db_path, chunking, chunk_exports, out=out)
    started = time.monotonic()
    data = marts.load(db_path)
    timings = {"sync": sync.elapsed, "dbt build": dbt.elapsed, "chunks": chunks.elapsed}
    run = RunInfo(heading=heading, subtitle=subtitle, site_url=site_url, changes=sync.changes,
                         records=sync.records, timings=timings, notes=[*notes, *sync.warnings],
                         applied=dict(applied or {}))
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(render_report(data, run), encoding="utf-8")
    timings["report"] = time.monotonic() - started
    text = summary.render(heading, sync, dbt, data, str(report_path), applied, chunks=chunks.describe())
    return JobResult(sync=sync, dbt=dbt, data=data, report_path=report_path, summary=text, timings=timings,
                     chunks=chunks)
