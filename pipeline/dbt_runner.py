"""Runs ``dbt build`` of ``dbt_project/`` on the DuckDB cache file, in a subprocess.

A subprocess, not dbt's in-process runner: dbt-duckdb keeps its DuckDB connection for the life of
the process, and the report opens the same file right after; separate processes never contend.
The cache must be closed before this runs (DuckDB allows one writing process per file).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
MARTS_SCHEMA = "analytics"


@dataclass
class DbtResult:
    ok: bool
    elapsed: float
    statuses: dict[str, int] = field(default_factory=dict)
    """Node results by status: success/pass, warn, error/fail, skipped."""
    failures: list[str] = field(default_factory=list)
    """'<node>: <message>' for every node that errored or failed."""
    log_file: Path | None = None

    def describe(self) -> str:
        parts = [f"{n} {status}" for status, n in sorted(self.statuses.items())]
        return f"{sum(self.statuses.values())} nodes ({', '.join(parts)}) in {self.elapsed:.1f} s"


def dbt_executable() -> Path:
    beside = Path(sys.executable).parent / "dbt"
    return beside if beside.exists() else Path("dbt")


def run_dbt_build(
    db_path: Path,
    work_dir: Path,
    project_dir: Path = DBT_PROJECT,
    dbt_vars: Mapping[str, Any] | None = None,
    out: TextIO | None = None,
    live: bool | None = None,
) -> DbtResult:
    """``dbt build`` with target ``duckdb``; artifacts and logs go to ``work_dir``."""
    out = out or sys.stdout
    live = out.isatty() if live is None else live
    work_dir.mkdir(parents=True, exist_ok=True)
    target_path = work_dir / "target"
    log_path = work_dir / "logs"
    command = [
        str(dbt_executable()), "--log-format", "json", "build",
        "--project-dir", str(project_dir), "--profiles-dir", str(project_dir), "--target", "duckdb",
        "--target-path", str(target_path), "--log-path", str(log_path),
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dict(dbt_vars))]
    env = {
        **os.environ,
        "CONFLUENCE_DUCKDB_PATH": str(Path(db_path).resolve()),
        "CONFLUENCE_DBT_SCHEMA": MARTS_SCHEMA,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    started = time.monotonic()
    errors: list[str] = []
    done = 0
    transcript = work_dir / "dbt_build.log"
    with transcript.open("w", encoding="utf-8") as log, subprocess.Popen(  # noqa: S603 - our own dbt and paths
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=str(REPO),
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            event = _parse(line)
            if event is None:
                continue
            info, data = event.get("info", {}), event.get("data", {})
            if info.get("level") == "error":
                errors.append(_plain(info.get("msg", "")))
            total = data.get("total") or data.get("num_models")
            if info.get("name") in ("LogModelResult", "LogTestResult") and total:
                done += 1
                if live:
                    out.write(f"\r\033[K  dbt build: {done}/{total} nodes  {time.monotonic() - started:6.1f} s")
                    out.flush()
        returncode = process.wait()
    if live:
        out.write("\r\033[K")
    statuses, failures = _run_results(target_path / "run_results.json")
    if returncode != 0 and not failures:
        failures = errors or [f"dbt exited with code {returncode}; see {transcript}"]
    return DbtResult(ok=returncode == 0, elapsed=time.monotonic() - started, statuses=statuses,
                     failures=failures, log_file=transcript)


def _parse(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _plain(text: str) -> str:
    """dbt colours its messages with ANSI escapes even in JSON logs."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _run_results(path: Path) -> tuple[dict[str, int], list[str]]:
    if not path.exists():
        return {}, []
    results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
    statuses = Counter(str(r.get("status")) for r in results)
    failures = [f"{r.get('unique_id')}: {_plain(str(r.get('message') or '')).strip()}"
                for r in results if r.get("status") in ("error", "fail", "runtime error")]
    return dict(statuses), failures
