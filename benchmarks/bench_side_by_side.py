"""The connector side by side with the official Airbyte manifest (official_manifest.py): the same
double, site and latency, the same streams (spaces, pages, blog posts), full syncs in alternated
order, medians and ratios.

    .venv/bin/python -m benchmarks.bench_side_by_side --scales 0.2 --latencies 0 100 --rounds 3
    .venv/bin/python -m benchmarks.bench_side_by_side --report

`--baseline DIR` adds a third contender: this connector's code from DIR (a directory holding a
`source_confluence` package, e.g. `git archive <commit> source_confluence | tar -x -C DIR`), run from
the same virtualenv with PYTHONPATH=DIR: before/after figures for a change on the same double.
`--variant NAME=DIR` (repeatable) adds more such contenders under their own names (a change tried out).
Results: benchmarks/results/side_by_side/scale-*_latency-*.json (every run as bench_sync measures it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import bench_sync, official_manifest

OUT = bench_sync.ROOT / "benchmarks" / "results" / "side_by_side"
CONTENDERS = ("connector", "official manifest")
MEASURES = ("wall_s", "connector_cpu_s", "connector_peak_rss_mb", "total_records")


def catalog_of(streams: list[str], workdir: Path) -> Path:
    """The connector's catalog of `streams`, full refresh (a first sync either way; the manifest has no
    cursor), built from the connector's schemas."""
    schemas = bench_sync.ROOT / "source_confluence" / "schemas"
    catalog = {"streams": [{
        "stream": {"name": name, "json_schema": json.loads((schemas / f"{name}.json").read_text()),
                   "supported_sync_modes": ["full_refresh", "incremental"]},
        "sync_mode": "full_refresh", "destination_sync_mode": "overwrite",
    } for name in streams]}
    path = workdir / "connector-catalog.json"
    path.write_text(json.dumps(catalog))
    return path


def side_by_side(scale: float, latency_ms: float, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    tag = f"scale-{scale:g}_latency-{latency_ms:g}"
    manifest = official_manifest.adapt(official_manifest.published_manifest(official_manifest.fetch_wheel()))
    print(f"== side by side, {tag}: starting the double", flush=True)
    double = bench_sync.Double(scale, latency_ms, args.seed)
    try:
        ours = double.config(args.workers)
        setups: dict[str, dict[str, Any]] = {
            "connector": {"config": ours, "catalog": catalog_of(list(official_manifest.OUR_STREAMS.values()), workdir)},
            "official manifest": {"config": official_manifest.config(ours, manifest),
                                  "catalog": official_manifest.catalog(manifest, workdir),
                                  "connector": official_manifest.command()},
        }
        variants = ([("baseline", args.baseline)] if args.baseline else []) + [
            tuple(variant.split("=", 1)) for variant in args.variants]
        for name, directory in variants:
            setups[name] = {**setups["connector"], "env": {"PYTHONPATH": str(Path(directory).resolve())}}
        double.requests(reset=True)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in setups}
        names = list(setups)
        for round_ in range(args.rounds):
            order = names[round_ % len(names):] + names[:round_ % len(names)]  # each goes first in turn
            for name in order:
                setup = setups[name]
                run, _ = bench_sync.run_connector(
                    setup["config"], None, workdir, f"{tag}_{name.replace(' ', '-')}_{round_}", double,
                    env=setup.get("env"), catalog=setup["catalog"], connector=setup.get("connector"))
                runs[name].append(run)
                print(f"   {name}: {run['wall_s']} s, {run['total_records']:,} records, "
                      f"CPU {run['connector_cpu_s']} s, exit {run['exit_code']}", flush=True)
        result = {"scale": scale, "latency_ms": latency_ms, "workers": args.workers or "default (4)",
                  "rounds": args.rounds, "official": f"{official_manifest.PACKAGE}=={official_manifest.VERSION}",
                  "machine": bench_sync.machine(), "medians": medians(runs), "runs": runs}
    finally:
        double.stop()
    return bench_sync.store(Path(args.out), f"{tag}.json", result)


def medians(runs: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, float]]:
    """Per contender, the median of each measure over its runs, and the records it read per stream."""
    table: dict[str, dict[str, Any]] = {}
    for name, measured in runs.items():
        table[name] = {m: statistics.median(run[m] for run in measured) for m in MEASURES}
        table[name]["other_processes_cpu_s"] = statistics.median(
            max(0.0, run.get("other_processes_cpu_s", 0.0)) for run in measured)
        table[name]["records"] = measured[-1]["records"] if measured else {}
    return table


def report(out: Path) -> str:
    lines = ["| site | latency | contender | runs | median wall s | ratio to the official (wall) | median CPU s | "
             "ratio (CPU) | median peak RSS MB | records | other processes' CPU s (median) |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    results = [json.loads(p.read_text()) for p in sorted(out.glob("scale-*_latency-*.json"))]
    for r in sorted(results, key=lambda r: (r["latency_ms"], r["scale"])):
        official = r["medians"]["official manifest"]
        for name, m in r["medians"].items():
            lines.append(
                f"| {r['scale']:g}x | {r['latency_ms']:g} ms | {name} | {r['rounds']} | {m['wall_s']:.1f} | "
                f"{m['wall_s'] / official['wall_s']:.2f} | {m['connector_cpu_s']:.1f} | "
                f"{m['connector_cpu_s'] / official['connector_cpu_s']:.2f} | {m['connector_peak_rss_mb']:.0f} | "
                f"{m['total_records']:,.0f} | {m['other_processes_cpu_s']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.2])
    parser.add_argument("--latencies", type=float, nargs="+", default=[0, 100])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each contender, in alternated order")
    parser.add_argument("--workers", type=int, default=None, help="num_workers (default: the spec's default)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline", default=None, help="a directory holding another source_confluence to compare")
    parser.add_argument("--variant", dest="variants", action="append", default=[], metavar="NAME=DIR",
                        help="another source_confluence to compare, under NAME (repeatable)")
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--report", action="store_true", help="only print the table of the stored results")
    args = parser.parse_args(argv)
    if not args.report:
        with tempfile.TemporaryDirectory(prefix="side-by-side-") as work:
            for latency in args.latencies:
                for scale in args.scales:
                    side_by_side(scale, latency, args, Path(work))
    print(report(Path(args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
