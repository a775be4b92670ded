"""The pipeline's chunk step: `confluence__documents` -> the `document_chunks` table of the DuckDB
file, with what changed since the previous run (`document_chunk_changes`, one row per chunk id added,
changed or removed, by run) and one row per run (`document_chunk_runs`); JSONL or Parquet on request.

Runs after `dbt build`, in the same process as the report (DuckDB allows one writer per file). The
previous run's chunks are the baseline: their token counts are reused for chunks whose text did not
change, so only new text is counted.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import duckdb
import pyarrow as pa

from pipeline.ai.changeset import REMOVED, ChangeSet, diff
from pipeline.ai.splitting import ChunkSettings, split_text
from pipeline.dbt_runner import MARTS_SCHEMA

CHUNKS_SCHEMA = "main"
CHUNKS = "document_chunks"
CHANGES = "document_chunk_changes"
RUNS = "document_chunk_runs"
DOCUMENTS = "confluence__documents"
# The document metadata each chunk carries.
METADATA = ("document_type", "parent_document_id", "content_id", "title", "space_id", "space_key", "document_path",
            "label_names", "web_url", "updated_at", "viewer_principals")
SCHEMA = pa.schema([
    ("chunk_id", pa.string()), ("document_id", pa.string()), ("ordinal", pa.int32()), ("heading_path", pa.string()),
    ("chunk_text", pa.string()), ("token_count", pa.int32()), ("document_type", pa.string()),
    ("parent_document_id", pa.string()), ("content_id", pa.string()), ("title", pa.string()), ("space_id", pa.string()),
    ("space_key", pa.string()), ("document_path", pa.string()), ("label_names", pa.string()), ("web_url", pa.string()),
    ("updated_at", pa.timestamp("us")), ("viewer_principals", pa.list_(pa.string())), ("metadata_hash", pa.string()),
])
CHANGES_SCHEMA = pa.schema([("run_id", pa.string()), ("run_at", pa.timestamp("us")), ("chunk_id", pa.string()),
                            ("document_id", pa.string()), ("change", pa.string())])
# What the chunk id does not already pin (it holds the document, the ordinal and the text's hash): a
# change in any of these makes the chunk `changed`.
HASHED = tuple(name for name in SCHEMA.names if name not in ("chunk_id", "document_id", "ordinal", "chunk_text",
                                                             "token_count", "metadata_hash"))


class ChunkFailure(Exception):
    """The step cannot run (no documents mart yet, an export path that cannot be written); says what to do."""


@dataclass(frozen=True)
class ChunkExports:
    chunks_jsonl: Path | None = None
    chunks_parquet: Path | None = None
    changes_jsonl: Path | None = None


@dataclass
class ChunkRunResult:
    run_id: str
    documents: int
    chunks: int
    counts: dict[str, int]
    elapsed: float
    written: list[Path] = field(default_factory=list)

    def describe(self) -> str:
        return (f"{self.chunks:,} chunks of {self.documents:,} documents; since the previous run "
                f"{self.counts['added']:,} added, {self.counts['changed']:,} changed, {self.counts['removed']:,} removed "
                f"(run {self.run_id}, {self.elapsed:.1f} s)")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                        [schema, table]).fetchone()
    return bool(found and found[0])


def _metadata_hash(row: Mapping[str, Any]) -> str:
    values = [row[k].isoformat() if isinstance(row[k], datetime) else row[k] for k in HASHED]
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode("utf-8")).hexdigest()


def build_chunks(documents: list[dict[str, Any]], settings: ChunkSettings,
                 known_counts: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """One record per chunk of every document (the columns of SCHEMA), in document order."""
    records = []
    for document in documents:
        viewers = sorted(json.loads(document["viewer_principals"] or "[]"))
        meta = {k: document[k] for k in METADATA if k != "viewer_principals"} | {"viewer_principals": viewers}
        for chunk in split_text(document["document_text"] or "", settings, known_counts):
            record = {"chunk_id": chunk.chunk_id(document["document_id"]), "document_id": document["document_id"],
                      "ordinal": chunk.ordinal, "heading_path": chunk.heading_path, "chunk_text": chunk.text,
                      "token_count": chunk.token_count, **meta}
            record["metadata_hash"] = _metadata_hash(record)
            records.append(record)
    return records


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export(con: duckdb.DuckDBPyConnection, exports: ChunkExports, run_id: str) -> list[Path]:
    table, changes = f"{CHUNKS_SCHEMA}.{CHUNKS}", f"{CHUNKS_SCHEMA}.{CHANGES}"
    jobs = []
    if exports.chunks_jsonl:
        jobs.append((exports.chunks_jsonl, f"select * from {table} order by document_id, ordinal", "json"))  # noqa: S608 - fixed names
    if exports.chunks_parquet:
        jobs.append((exports.chunks_parquet, f"select * from {table} order by document_id, ordinal", "parquet"))  # noqa: S608 - fixed names
    if exports.changes_jsonl:
        # Added and changed rows carry the chunk (what a store upserts); removed rows the id only.
        query = (  # fixed names and the run id this module made
            f"select changes.run_id, changes.change, changes.chunk_id, changes.document_id, "  # noqa: S608
            f"chunks.* exclude (chunk_id, document_id) from {changes} as changes "
            f"left join {table} as chunks on chunks.chunk_id = changes.chunk_id and changes.change <> '{REMOVED}' "
            f"where changes.run_id = '{run_id}' order by changes.chunk_id")
        jobs.append((exports.changes_jsonl, query, "json"))
    written = []
    for path, query, file_format in jobs:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            con.execute(f"copy ({query}) to {_sql_path(path)} (format {file_format})")
        except (OSError, duckdb.IOException) as error:
            raise ChunkFailure(f"Cannot write {path}: {error}. Choose a writable path for the export.") from None
        written.append(path)
    return written


def run_chunks(db_path: Path, settings: ChunkSettings | None = None, exports: ChunkExports | None = None,
               marts_schema: str = MARTS_SCHEMA, out: TextIO | None = None) -> ChunkRunResult:
    out = out or sys.stdout
    settings = settings or ChunkSettings()
    started = time.monotonic()
    run_at = datetime.now(UTC).replace(tzinfo=None)
    run_id = f"{run_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    con = duckdb.connect(str(db_path))
    try:
        if not _has_table(con, marts_schema, DOCUMENTS):
            raise ChunkFailure(f"{marts_schema}.{DOCUMENTS} is not in {db_path}: build the dbt project first "
                               "(python -m pipeline run, or dbt build).")
        documents = _rows(con, f"select * from {marts_schema}.{DOCUMENTS} order by document_id")  # noqa: S608
        previous: dict[str, str] = {}
        known: dict[str, int] = {}
        if _has_table(con, CHUNKS_SCHEMA, CHUNKS):
            for chunk_id, metadata_hash, text, tokens in con.execute(
                    f"select chunk_id, metadata_hash, chunk_text, token_count from {CHUNKS_SCHEMA}.{CHUNKS}").fetchall():  # noqa: S608 - fixed names
                previous[chunk_id] = metadata_hash
                known[text] = tokens
        records = build_chunks(documents, settings, known)
        changes = diff(previous, {r["chunk_id"]: r["metadata_hash"] for r in records})
        _write(con, records, changes, run_id, run_at, settings, len(documents), time.monotonic() - started)
        written = export(con, exports or ChunkExports(), run_id)
    finally:
        con.close()
    result = ChunkRunResult(run_id, len(documents), len(records), changes.counts(), time.monotonic() - started, written)
    out.write(f"Chunks: {result.describe()}\n")
    return result


def change_table(records: list[dict[str, Any]], changes: ChangeSet, run_id: str, run_at: datetime,
                 removed_documents: Mapping[str, str]) -> pa.Table:
    """The rows of `document_chunk_changes` for one run; `removed_documents`: the previous chunks' documents."""
    by_id = {r["chunk_id"]: r["document_id"] for r in records}
    return pa.Table.from_pylist(
        [{"run_id": run_id, "run_at": run_at, "chunk_id": chunk_id,
          "document_id": by_id.get(chunk_id) or removed_documents.get(chunk_id), "change": change}
         for chunk_id, change in changes.rows()],
        schema=CHANGES_SCHEMA)


def _write(con: duckdb.DuckDBPyConnection, records: list[dict[str, Any]], changes: ChangeSet, run_id: str,
           run_at: datetime, settings: ChunkSettings, document_count: int, seconds: float) -> None:
    con.register("chunk_rows", pa.Table.from_pylist(records, schema=SCHEMA))
    removed_documents = {}
    if changes.removed and _has_table(con, CHUNKS_SCHEMA, CHUNKS):
        removed_documents = dict(con.execute(f"select chunk_id, document_id from {CHUNKS_SCHEMA}.{CHUNKS}").fetchall())  # noqa: S608 - fixed names
    con.register("change_rows", change_table(records, changes, run_id, run_at, removed_documents))
    counts = changes.counts()
    con.execute("begin transaction")
    try:
        con.execute(f"create or replace table {CHUNKS_SCHEMA}.{CHUNKS} as select * from chunk_rows")  # noqa: S608 - fixed names
        con.execute(f"create table if not exists {CHUNKS_SCHEMA}.{CHANGES} (run_id varchar, run_at timestamp, "
                    "chunk_id varchar, document_id varchar, change varchar)")
        con.execute(f"insert into {CHUNKS_SCHEMA}.{CHANGES} select * from change_rows")  # noqa: S608 - fixed names
        con.execute(f"create table if not exists {CHUNKS_SCHEMA}.{RUNS} (run_id varchar, run_at timestamp, "
                    "max_tokens integer, overlap_tokens integer, document_count integer, chunk_count integer, "
                    "added_count integer, changed_count integer, removed_count integer, seconds double)")
        con.execute(f"insert into {CHUNKS_SCHEMA}.{RUNS} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - fixed names
                    [run_id, run_at, settings.max_tokens, settings.overlap_tokens, document_count, len(records),
                     counts["added"], counts["changed"], counts["removed"], seconds])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
