"""Start-up cost of a `read`: whole-process CPU (`wait4`) and wall of a sync of `spaces` alone on a tiny
site (one request), so nearly all of it is imports and the framework's set-up. Alternated runs of
each contender, medians.

    .venv/bin/python -m benchmarks.bench_startup --rounds 5 --baseline DIR [--variant NAME=DIR ...]

`--baseline DIR` adds this connector's code from DIR (a directory holding a `source_confluence`
package, e.g. `git archive <commit> source_confluence | tar -x -C DIR`), run with PYTHONPATH=DIR;
`--variant NAME=DIR` adds another such contender (e.g. today's main), in the same alternation.
Results: benchmarks/results/startup.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import bench_side_by_side, bench_sync

OUT = bench_sync.ROOT / "benchmarks" / "results" / "startup.json"
SCALE = 0.002  # 20 spaces: one request of `spaces`
MEASURES = ("connector_cpu_s", "wall_s", "connector_peak_rss_mb", "other_processes_cpu_s")


def measure(rounds: int, baseline: str | None, workdir: Path, variants: dict[str, str] | None = None) -> dict[str, Any]:
    double = bench_sync.Double(SCALE, 0, seed=7)
    try:
        config = double.config(None)
        catalog = bench_side_by_side.catalog_of(["spaces"], workdir)
        envs: dict[str, dict[str, str]] = {"connector": {}}
        if baseline:
            envs["baseline"] = {"PYTHONPATH": str(Path(baseline).resolve())}
        for name, directory in (variants or {}).items():
            envs[name] = {"PYTHONPATH": str(Path(directory).resolve())}
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in envs}
        names = list(envs)
        for round_ in range(rounds):
            for name in names[round_ % len(names):] + names[:round_ % len(names)]:  # each goes first in turn
                run, _ = bench_sync.run_connector(config, None, workdir, f"startup_{name}_{round_}", double,
                                                  env=envs[name], catalog=catalog)
                runs[name].append({key: run[key] for key in (*MEASURES, "exit_code", "records", "requests")})
    finally:
        double.stop()
    medians = {name: {m: statistics.median(run[m] for run in measured) for m in MEASURES}
               for name, measured in runs.items()}
    return {"rounds": rounds, "machine": bench_sync.machine(), "medians": medians, "runs": runs}


def report(result: dict[str, Any]) -> str:
    lines = ["| contender | runs | median CPU s | median wall s | median peak RSS MB | other processes' CPU s (median) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, m in result["medians"].items():
        lines.append(f"| {name} | {result['rounds']} | {m['connector_cpu_s']:.2f} | {m['wall_s']:.2f} | "
                     f"{m['connector_peak_rss_mb']:.0f} | {max(0.0, m['other_processes_cpu_s']):.0f} |")
    connector = [run["connector_cpu_s"] for run in result["runs"]["connector"]]
    lines.append("")
    for name, runs in result["runs"].items():
        if name != "connector":  # the same round ran both, minutes apart at most
            ratios = sorted(mine / other["connector_cpu_s"] for mine, other in zip(connector, runs, strict=True))
            lines.append(f"CPU per round, connector / {name}: median {statistics.median(ratios):.2f} "
                         f"(from {ratios[0]:.2f} to {ratios[-1]:.2f})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="runs of each contender, in alternated order")
    parser.add_argument("--baseline", default=None, help="a directory holding another source_confluence to compare")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=DIR",
                        help="another directory holding a source_confluence to compare (repeatable)")
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--report", action="store_true", help="only print the table of the stored result")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if not args.report:
        with tempfile.TemporaryDirectory(prefix="startup-") as work:
            variants = dict(variant.split("=", 1) for variant in args.variant)
            result = measure(args.rounds, args.baseline, Path(work), variants)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1) + "\n")
    print(report(json.loads(out.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
