"""What the periodic reconciliations cost when they all come due, measured with the real connector.

Run by ``make bench-points``, or alone: ``.venv/bin/python -m benchmarks.bench_reconciliation [--scale 0.1]``.

The deletion check, the restriction, label and access reconciliations each read the whole site once per
interval (spread over the syncs of the interval, at each key's turn: sync/rolling.py). A no-change
sync with no turn due pays none of it; this measures what one full round of them costs, so that the
average per sync is known: round / (interval / time between syncs). On one site at 0 ms, as an OAuth
app (the traffic metered in points), every stream of the catalog:
1. ``full``: the first sync;
2. ``reconcile_everything``: a sync with every interval set to 0 (every key due), nothing changed;
3. ``no_change``: a sync with the default intervals seconds later (no turn due).
Results: ``reconciliation/scale-<scale>.json``; ``report`` renders RESULTS.md's table (points per stream).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import metered
from benchmarks.bench_sync import ROOT, Double, run_connector, store

RUNS = ("full", "reconcile_everything", "no_change")
INTERVALS = ("deletion_check_interval_hours", "restriction_reconciliation_interval_hours",
             "label_reconciliation_interval_hours", "access_reconciliation_interval_hours")


def bench_reconciliation(scale: float, out: Path, seed: int = 7, auth: str = metered.OAUTH) -> dict[str, Any]:
    print(f"== reconciliation at {scale:g}x: starting the double", flush=True)
    double = Double(scale, 0, seed)
    result: dict[str, Any] = {"scale": scale, "latency_ms": 0, "auth": auth, "runs": {}}
    try:
        result["site"] = double.stats()["site"]
        with tempfile.TemporaryDirectory(prefix="bench-reconciliation-") as tmp:
            workdir = Path(tmp)
            config = double.config(None, auth)  # one dict: an OAuth sync leaves the rotated token in it
            state: list[dict[str, Any]] | None = None
            for name in RUNS:
                for key in INTERVALS:
                    config.pop(key, None)
                if name == "reconcile_everything":
                    config.update({key: 0 for key in INTERVALS})
                run, state = run_connector(config, state, workdir, name, double, auth=auth)
                result["runs"][name] = {"exit_code": run["exit_code"], "wall_s": run["wall_s"], "cost": run["cost"]}
                print(f"   {name}: exit {run['exit_code']}, {json.dumps(run['cost']['total'])}", flush=True)
    finally:
        double.stop()
    return store(out / "reconciliation", f"scale-{scale:g}.json", result)


def report(out: Path) -> str:
    lines = []
    for path in sorted((out / "reconciliation").glob("scale-*.json")):
        result = json.loads(path.read_text())
        runs = result["runs"]
        streams = sorted({stream for run in runs.values() for stream in run["cost"]["streams"]})
        lines += [f"{result['scale']:g}x, {result['auth']}: points per stream (requests + objects)", "",
                  "| stream | " + " | ".join(RUNS) + " |", "| --- |" + " ---: |" * len(RUNS)]
        for stream in [*streams, "total"]:
            cells = []
            for name in RUNS:
                cost = runs[name]["cost"]
                spent = cost["total"] if stream == "total" else cost["streams"].get(stream)
                cells.append(f"{spent['points']:,}" if spent else "-")
            lines.append(f"| {stream} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--auth", choices=metered.AUTH_MODES, default=metered.OAUTH)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "points"))
    parser.add_argument("--report", action="store_true", help="only print the table of the stored results")
    args = parser.parse_args(argv)
    if not args.report:
        result = bench_reconciliation(args.scale, Path(args.out), auth=args.auth)
        if any(run["exit_code"] != 0 for run in result["runs"].values()):
            return 1
    print(report(Path(args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
