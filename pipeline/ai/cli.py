"""The command line of the chunk step and of search: `python -m pipeline chunks` / `search`, and the
chunk options of `python -m pipeline run` (flags, else the `chunking` object of the config file)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.ai.splitting import DEFAULT_MAX_TOKENS, DEFAULT_OVERLAP_TOKENS, ChunkSettings, ChunkSettingsError
from pipeline.dbt_runner import MARTS_SCHEMA

CONFIG_KEY = "chunking"


def add_chunk_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("chunks for LLMs and vector stores")
    group.add_argument("--chunk-tokens", type=int, default=None,
                       help=f"largest chunk in tokens (OpenAI cl100k_base; default {DEFAULT_MAX_TOKENS})")
    group.add_argument("--chunk-overlap", type=int, default=None,
                       help=f"tokens a chunk may repeat from the one before (default {DEFAULT_OVERLAP_TOKENS})")
    group.add_argument("--chunks-jsonl", type=Path, default=None, help="also write every chunk to this JSON Lines file")
    group.add_argument("--chunks-parquet", type=Path, default=None, help="also write every chunk to this Parquet file")
    group.add_argument("--changes-jsonl", type=Path, default=None,
                       help="also write this run's chunk changes (added, changed with the chunk; removed ids) as JSON Lines")


def add_commands(commands: Any) -> None:
    chunks = commands.add_parser("chunks", help="split confluence__documents into chunks (after a run) and record the changes")
    chunks.add_argument("--duckdb", type=Path, default=Path("confluence.duckdb"), help="the DuckDB file a run wrote")
    chunks.add_argument("--postgres", action="store_true",
                        help="read confluence__documents from PostgreSQL and write the chunk tables beside it (connection: "
                             "CONFLUENCE_PG_* as for dbt; schema: CONFLUENCE_DBT_SCHEMA, default analytics)")
    add_chunk_options(chunks)
    search = commands.add_parser("search", help="keyword search over the chunks one account may read (offline)")
    search.add_argument("query", help="words to look for")
    search.add_argument("--duckdb", type=Path, default=Path("confluence.duckdb"), help="the DuckDB file a run wrote")
    search.add_argument("--user", required=True, help="account id (Cloud accountId, Data Center user key) to search as")
    search.add_argument("--limit", type=int, default=10, help="number of results (default 10)")


def chunk_settings(args: argparse.Namespace, config: Mapping[str, Any] | None = None) -> ChunkSettings:
    """Flags first, then the config file's `chunking` object (max_tokens, overlap_tokens), then the defaults."""
    section = (config or {}).get(CONFIG_KEY) or {}
    if not isinstance(section, Mapping) or set(section) - {"max_tokens", "overlap_tokens"}:
        raise SystemExit(f"Config: '{CONFIG_KEY}' must be an object with max_tokens and/or overlap_tokens, got {section!r}.")
    try:
        return ChunkSettings(
            max_tokens=args.chunk_tokens if args.chunk_tokens is not None else section.get("max_tokens", DEFAULT_MAX_TOKENS),
            overlap_tokens=(args.chunk_overlap if args.chunk_overlap is not None
                            else section.get("overlap_tokens", DEFAULT_OVERLAP_TOKENS)))
    except ChunkSettingsError as error:
        raise SystemExit(f"Chunk settings (--chunk-tokens/--chunk-overlap or '{CONFIG_KEY}' in the config): {error}") from None


def chunk_exports(args: argparse.Namespace) -> Any:
    from pipeline.ai.chunks import ChunkExports

    return ChunkExports(args.chunks_jsonl, args.chunks_parquet, args.changes_jsonl)


def run_command(args: argparse.Namespace) -> int:
    if args.command == "chunks":
        from pipeline.ai.chunks import ChunkFailure, run_chunks

        try:
            if args.postgres:
                from pipeline.ai.chunks_postgres import connection_settings, run_chunks_postgres

                run_chunks_postgres(connection_settings(os.environ), chunk_settings(args), chunk_exports(args),
                                    marts_schema=os.environ.get("CONFLUENCE_DBT_SCHEMA") or MARTS_SCHEMA)
            else:
                run_chunks(args.duckdb, chunk_settings(args), chunk_exports(args))
        except ChunkFailure as failure:
            print(failure)
            return 1
        return 0
    from pipeline.ai.search import SearchFailure, render, search

    if args.limit < 1:
        raise SystemExit("--limit must be 1 or more.")
    try:
        hits = search(args.duckdb, args.query, args.user, args.limit)
    except SearchFailure as failure:
        print(failure)
        return 1
    print(render(hits, args.query, args.user))
    return 0
