"""What `content_versions` costs, measured with the real connector process against the double.

Run by ``make bench`` (``bench_sync --versions``), or alone:
``.venv/bin/python -m benchmarks.bench_versions [--scale 0.1]``.

On one site (default 0.1x, 0 ms latency), with a catalog of `content_versions` alone:
1. ``versions_all``: a first sync with ``version_history: all`` (every content's whole history);
2. ``versions_no_change``: an incremental sync from its state, nothing changed;
3. ``versions_changed``: an incremental sync after the 1% change of bench_sync's ``changed`` scenario.
Each reports its requests split into version lists (``.../{id}/versions``) and the walks that find
changed content (bodiless lists), records and wall time. Results go to
``versions_scale-<scale>.json`` next to bench_sync's; ``report`` renders RESULTS.md's table.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.bench_sync import CATALOG, ROOT, Double, run_connector, store

STREAM = "content_versions"
RUNS = ("versions_all", "versions_no_change", "versions_changed")


def versions_catalog(workdir: Path, base: Path = CATALOG) -> Path:
    catalog = json.loads(base.read_text())
    catalog["streams"] = [s for s in catalog["streams"] if s["stream"]["name"] == STREAM]
    if not catalog["streams"]:
        raise ValueError(f"{base} has no {STREAM} stream")
    path = workdir / "catalog-content-versions.json"
    path.write_text(json.dumps(catalog))
    return path


def split_requests(endpoints: dict[str, int]) -> dict[str, int]:
    """Version lists, the walks that find changed content, and the rest (spaces, check)."""
    out = {"version_lists": 0, "walks": 0, "other": 0}
    for endpoint, count in endpoints.items():
        path = endpoint.split(" ")[1]
        if path.endswith("/versions"):
            out["version_lists"] += count
        elif path.endswith(("/pages", "/blogposts", "-comments", "/attachments")):
            out["walks"] += count
        else:
            out["other"] += count
    return out


def summary(run: dict[str, Any]) -> dict[str, Any]:
    return {"exit_code": run["exit_code"], "wall_s": run["wall_s"], "records": run["records"].get(STREAM, 0),
            "requests": run["requests"]["total"], **split_requests(run["requests"]["endpoints"]),
            "connector_peak_rss_mb": run["connector_peak_rss_mb"]}


def bench_versions(scale: float, out: Path, seed: int = 7, change_fraction: float = 0.01, change_seed: int = 1,
                   workers: int | None = None) -> dict[str, Any]:
    print(f"== content_versions at {scale:g}x: starting the double", flush=True)
    double = Double(scale, 0, seed)
    result: dict[str, Any] = {"scale": scale, "latency_ms": 0, "runs": {}}
    try:
        result["site_before"] = double.stats()["site"]
        with tempfile.TemporaryDirectory(prefix="bench-versions-") as tmp:
            workdir = Path(tmp)
            catalog = versions_catalog(workdir)
            config = {**double.config(workers), "version_history": "all"}
            double.requests(reset=True)
            state: list[dict[str, Any]] | None = None
            for name in RUNS:
                if name == "versions_changed":
                    result["changes"] = double.change(change_fraction, change_seed)["applied"]
                    double.requests(reset=True)
                run, state = run_connector(config, state, workdir, name, double, catalog=catalog)
                result["runs"][name] = summary(run)
                print(f"   {name}: {json.dumps(result['runs'][name])}", flush=True)
        result["site_after"] = double.stats()["site"]
    finally:
        double.stop()
    return store(out, f"versions_scale-{scale:g}.json", result)


def report(out: Path) -> str:
    lines = ["| site | sync | wall s | records | requests | version lists | walks | other |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for path in sorted(out.glob("versions_scale-*.json")):
        result = json.loads(path.read_text())
        for name in RUNS:
            run = result["runs"].get(name)
            if run is not None:
                lines.append(f"| {result['scale']:g}x | {name} | {run['wall_s']:.1f} | {run['records']:,} | "
                             f"{run['requests']:,} | {run['version_lists']:,} | {run['walks']:,} | {run['other']:,} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--report", action="store_true", help="only print the table of the stored results")
    args = parser.parse_args(argv)
    if not args.report:
        result = bench_versions(args.scale, Path(args.out))
        if any(run["exit_code"] != 0 for run in result["runs"].values()):
            return 1
    print(report(Path(args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
