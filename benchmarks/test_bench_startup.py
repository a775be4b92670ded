"""Checks that the start-up harness runs alternated reads of one request and reports their medians
(values, never times)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import bench_startup, bench_sync


def test_alternated_reads_of_the_spaces_alone(tmp_path: Path) -> None:
    out = tmp_path / "startup.json"
    # The baseline here is the same code from the repository's root: the same records and requests.
    assert bench_startup.main(["--rounds", "2", "--baseline", str(bench_sync.ROOT), "--variant",
                               f"main={bench_sync.ROOT}", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert {name: len(runs) for name, runs in result["runs"].items()} == {"connector": 2, "baseline": 2, "main": 2}
    for runs in result["runs"].values():
        assert [(run["exit_code"], run["records"], run["requests"]["total"]) for run in runs] == [
            (0, {"spaces": 20}, 1)] * 2
    assert set(result["medians"]) == {"connector", "baseline", "main"}
    assert result["medians"]["connector"]["connector_cpu_s"] > 0
    table = bench_startup.report(result)
    assert "| baseline | 2 |" in table and "| main | 2 |" in table
    assert "connector / baseline: median" in table and "connector / main: median" in table
