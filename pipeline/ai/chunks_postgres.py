"""The chunk step on a PostgreSQL warehouse (Airbyte's Postgres destination, then `dbt build` on the
`postgres` target): the same chunks, change set and run rows as on DuckDB (pipeline/ai/chunks.py),
read from and written to the schema of the marts. `python -m pipeline chunks --postgres`.

The connection uses the CONFLUENCE_PG_* variables of dbt_project/profiles.yml, with its defaults
(those of scripts/ensure_postgres.sh), so the step reaches the database dbt built in. The chunk
tables are replaced and appended to in one transaction: a failed run leaves the previous ones.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import duckdb
import psycopg2
import pyarrow as pa
from psycopg2 import sql
from psycopg2.extras import execute_values

from pipeline.ai.changeset import diff
from pipeline.ai.chunks import (
    CHANGES,
    CHANGES_SCHEMA,
    CHUNKS,
    CHUNKS_SCHEMA,
    DOCUMENTS,
    RUNS,
    SCHEMA,
    ChunkExports,
    ChunkFailure,
    ChunkRunResult,
    build_chunks,
    change_table,
    export,
)
from pipeline.ai.splitting import ChunkSettings
from pipeline.dbt_runner import MARTS_SCHEMA

# libpq keyword -> (environment variable, default), as dbt_project/profiles.yml reads them.
CONNECTION = {"host": ("CONFLUENCE_PG_HOST", "127.0.0.1"), "port": ("CONFLUENCE_PG_PORT", "54329"),
              "user": ("CONFLUENCE_PG_USER", "confluence"), "password": ("CONFLUENCE_PG_PASSWORD", "confluence"),
              "dbname": ("CONFLUENCE_PG_DBNAME", "confluence_dbt")}
_TYPES = {pa.string(): "text", pa.int32(): "integer", pa.timestamp("us"): "timestamp", pa.list_(pa.string()): "text[]"}
_RUN_COLUMNS = ("run_id text, run_at timestamp, max_tokens integer, overlap_tokens integer, document_count integer, "
                "chunk_count integer, added_count integer, changed_count integer, removed_count integer, "
                "seconds double precision")


def connection_settings(environ: Mapping[str, str]) -> dict[str, str]:
    return {keyword: environ.get(variable) or default for keyword, (variable, default) in CONNECTION.items()}


def _columns(schema: pa.Schema) -> sql.Composable:
    return sql.SQL(", ").join(sql.SQL("{} " + _TYPES[f.type]).format(sql.Identifier(f.name)) for f in schema)


def _exists(cur: Any, schema: str, table: str) -> bool:
    cur.execute("select to_regclass(%s)", [f'"{schema}"."{table}"'])
    return cur.fetchone()[0] is not None


def _rows(cur: Any, query: sql.Composable) -> list[dict[str, Any]]:
    cur.execute(query)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _connect(settings: Mapping[str, str]) -> Any:
    try:
        return psycopg2.connect(connect_timeout=10, **settings)
    except psycopg2.OperationalError as error:
        # libpq's message names the host, port and cause, never the password.
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ChunkFailure(f"Cannot connect to PostgreSQL at {settings.get('host')}:{settings.get('port')}, database "
                           f"{settings.get('dbname')!r}, as {settings.get('user')!r}: {reason}. Set CONFLUENCE_PG_HOST, "
                           "_PORT, _USER, _PASSWORD and _DBNAME as for dbt (scripts/ensure_postgres.sh starts a local one)."
                           ) from None


def run_chunks_postgres(connection: Mapping[str, str], settings: ChunkSettings | None = None,
                        exports: ChunkExports | None = None, marts_schema: str = MARTS_SCHEMA,
                        out: TextIO | None = None) -> ChunkRunResult:
    out = out or sys.stdout
    settings = settings or ChunkSettings()
    started = time.monotonic()
    run_at = datetime.now(UTC).replace(tzinfo=None)
    run_id = f"{run_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    table = sql.Identifier(marts_schema, CHUNKS)
    con = _connect(connection)
    try:
        with con, con.cursor() as cur:
            if not _exists(cur, marts_schema, DOCUMENTS):
                raise ChunkFailure(f"{marts_schema}.{DOCUMENTS} is not in PostgreSQL database {connection.get('dbname')!r}: "
                                   "build the dbt project there first (dbt build --target postgres).")
            documents = _rows(cur, sql.SQL("select * from {} order by document_id").format(
                sql.Identifier(marts_schema, DOCUMENTS)))
            previous: dict[str, str] = {}
            known: dict[str, int] = {}
            removed_documents: dict[str, str] = {}
            if _exists(cur, marts_schema, CHUNKS):
                cur.execute(sql.SQL("select chunk_id, document_id, metadata_hash, chunk_text, token_count from {}").format(table))
                for chunk_id, document_id, metadata_hash, text, tokens in cur.fetchall():
                    previous[chunk_id] = metadata_hash
                    removed_documents[chunk_id] = document_id
                    known[text] = tokens
            records = build_chunks(documents, settings, known)
            changes = diff(previous, {r["chunk_id"]: r["metadata_hash"] for r in records})
            change_rows = change_table(records, changes, run_id, run_at, removed_documents)
            # One transaction (the `with con` block): the new chunks, their changes and the run row.
            cur.execute(sql.SQL("drop table if exists {}").format(table))
            cur.execute(sql.SQL("create table {} ({})").format(table, _columns(SCHEMA)))
            execute_values(cur, sql.SQL("insert into {} values %s").format(table).as_string(cur),
                           [tuple(r[name] for name in SCHEMA.names) for r in records])
            changes_table = sql.Identifier(marts_schema, CHANGES)
            cur.execute(sql.SQL("create table if not exists {} ({})").format(changes_table, _columns(CHANGES_SCHEMA)))
            execute_values(cur, sql.SQL("insert into {} values %s").format(changes_table).as_string(cur),
                           [tuple(row.values()) for row in change_rows.to_pylist()])
            runs_table = sql.Identifier(marts_schema, RUNS)
            cur.execute(sql.SQL("create table if not exists {} (" + _RUN_COLUMNS + ")").format(runs_table))
            counts = changes.counts()
            cur.execute(sql.SQL("insert into {} values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)").format(runs_table),
                        [run_id, run_at, settings.max_tokens, settings.overlap_tokens, len(documents), len(records),
                         counts["added"], counts["changed"], counts["removed"], time.monotonic() - started])
    finally:
        con.close()
    written = _export_files(records, change_rows, exports or ChunkExports(), run_id)
    result = ChunkRunResult(run_id, len(documents), len(records), changes.counts(), time.monotonic() - started, written)
    out.write(f"Chunks (PostgreSQL, schema {marts_schema}): {result.describe()}\n")
    return result


def _export_files(records: list[dict[str, Any]], change_rows: pa.Table, exports: ChunkExports, run_id: str) -> list[Path]:
    """The JSONL/Parquet files, written by DuckDB from this run's rows, as on the DuckDB path."""
    if not (exports.chunks_jsonl or exports.chunks_parquet or exports.changes_jsonl):
        return []
    con = duckdb.connect(":memory:")
    try:
        con.register("chunk_rows", pa.Table.from_pylist(records, schema=SCHEMA))
        con.register("change_rows", change_rows)
        con.execute(f"create table {CHUNKS_SCHEMA}.{CHUNKS} as select * from chunk_rows")  # noqa: S608 - fixed names
        con.execute(f"create table {CHUNKS_SCHEMA}.{CHANGES} as select * from change_rows")  # noqa: S608 - fixed names
        return export(con, exports, run_id)
    finally:
        con.close()

