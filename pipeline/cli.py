"""Command line: ``python -m pipeline run`` for a real site, ``python -m pipeline demo`` for the sample."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline import STREAMS
from pipeline.ai import cli as ai_cli

SAMPLE_CONFIG = "integration_tests/sample_config.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="Confluence -> DuckDB -> dbt marts -> report.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="sync a Confluence site, build the marts and write the report")
    run.add_argument("--config", type=Path, required=True, help="connector config (JSON), e.g. secrets/config.json")
    run.add_argument("--duckdb", type=Path, default=Path("confluence.duckdb"),
                     help="DuckDB file holding the raw tables and the marts (default: ./confluence.duckdb)")
    run.add_argument("--streams", default="",
                     help=f"comma-separated streams to sync (default: all of {', '.join(STREAMS)})")
    run.add_argument("--report", type=Path, default=Path("confluence_report.html"),
                     help="where to write the HTML report (default: ./confluence_report.html)")
    run.add_argument("--work-dir", type=Path, default=Path(".pipeline"),
                     help="dbt artifacts and logs (default: ./.pipeline)")
    run.add_argument("--dbt-vars", default="", help='dbt vars as JSON, e.g. \'{"stale_after_days": 90}\'')
    ai_cli.add_chunk_options(run)
    demo = commands.add_parser("demo", help="the same against the bundled sample site (run it twice)")
    demo.add_argument("--dir", type=Path, default=Path(".demo"), help="where the demo keeps its files (default: .demo)")
    demo.add_argument("--reset", action="store_true", help="forget earlier demo runs and start with a first sync")
    ai_cli.add_commands(commands)
    return parser


def _load_config(path: Path) -> dict:
    if not path.exists():
        raise SystemExit(f"Config file {path} not found. Copy {SAMPLE_CONFIG} to {path} and fill in site_url, "
                         "credentials.email and credentials.api_token.")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise SystemExit(f"Config file {path} is not valid JSON: {error.msg} (line {error.lineno}).") from None
    if not isinstance(config, dict):
        raise SystemExit(f"Config file {path} must hold a JSON object.")
    return config


def _run(args: argparse.Namespace) -> int:
    from pipeline.ai.chunks import ChunkFailure
    from pipeline.job import DbtFailure, run_job
    from pipeline.progress import SyncFailure

    config = _load_config(args.config)
    chunking = ai_cli.chunk_settings(args, config)
    config = {k: v for k, v in config.items() if k != ai_cli.CONFIG_KEY}  # the pipeline's, not the connector's
    streams = [s.strip() for s in args.streams.split(",") if s.strip()]
    try:
        dbt_vars = json.loads(args.dbt_vars) if args.dbt_vars else None
    except ValueError:
        raise SystemExit("--dbt-vars must be a JSON object.") from None
    site = str(config.get("site_url") or "") or None
    try:
        result = run_job(config, args.duckdb, args.report, args.work_dir, streams or None,
                         heading="Confluence report", subtitle=f"sync into {args.duckdb}", site_url=site,
                         dbt_vars=dbt_vars, chunking=chunking, chunk_exports=ai_cli.chunk_exports(args))
    except SyncFailure as failure:
        print(failure.describe())
        return 1
    except DbtFailure as failure:
        print(failure.describe())
        return 2
    except ChunkFailure as failure:
        print(failure)
        return 3
    print("\n" + result.summary)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command in ("chunks", "search"):
        return ai_cli.run_command(args)
    from pipeline.demo import DEMO_SPEC, DemoState, run_demo

    if args.reset:
        DemoState(args.dir.resolve(), DEMO_SPEC).reset()
    return run_demo(args.dir)


if __name__ == "__main__":
    sys.exit(main())
