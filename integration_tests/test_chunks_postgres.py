"""The chunk step on PostgreSQL (pipeline/ai/chunks_postgres.py) against the server of
scripts/ensure_postgres.sh: from the same `confluence__documents` it writes the same chunks, change sets
and run rows as the DuckDB step, the change set applied to the first run's store equals the second run's
chunks, exports work, and a wrong connection or a missing mart is a clear failure without the password.
Set CONFLUENCE_SKIP_POSTGRES=1 to skip (as the dbt tests)."""

# The SQL text holds only this test's own schema name and temporary paths.
# ruff: noqa: S608

from __future__ import annotations

import io
import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.ai.changeset import ADDED, CHANGED, REMOVED, ChangeSet, apply
from pipeline.ai.chunks import ChunkExports, ChunkFailure, run_chunks
from pipeline.ai.chunks_postgres import connection_settings, run_chunks_postgres
from pipeline.ai.splitting import ChunkSettings

REPO = Path(__file__).resolve().parents[1]
SETTINGS = ChunkSettings(max_tokens=64, overlap_tokens=8)
LONG = " ".join(f"Sentence number {i} about the rollout plan." for i in range(30))
COLUMNS = ("document_id", "document_type", "parent_document_id", "content_id", "title", "space_id", "space_key",
           "document_path", "label_names", "web_url", "updated_at", "document_text", "viewer_principals")


def _document(doc_id: str, title: str, body: str, viewers: list[str]) -> tuple:
    return (doc_id, "page", None, doc_id, title, "s1", "ENG", f"Eng > {title}", None, f"https://site/wiki/{doc_id}",
            datetime(2024, 6, 1, 10), f"# {title}\n\n{body}", json.dumps(viewers))


FIRST = [_document("p1", "Rollout",
                   f"## Plan\n\n{LONG}\n\n### Risks\n\nThe vendor is late. {LONG}\n\n```sh\n# not a heading\n```",
                   ["group:g1"]),
         _document("p2", "Old notes", f"Notes about the migration. {LONG}", ["group:g1"]),
         _document("p3", "Budget", "The budget is approved.", ["all_licensed_users"])]
# p1 edited, p2 gone, p3 newly restricted (same text, new viewers).
SECOND = [_document("p1", "Rollout", f"## Plan\n\n{LONG}\n\n### Risks\n\nThe vendor is three weeks late. {LONG}", ["group:g1"]),
          _document("p3", "Budget", "The budget is approved.", ["user:u2"])]


@pytest.fixture(scope="module")
def postgres() -> Iterator[tuple[dict[str, str], str]]:
    if os.environ.get("CONFLUENCE_SKIP_POSTGRES") == "1":
        pytest.skip("CONFLUENCE_SKIP_POSTGRES=1")
    import psycopg2

    result = subprocess.run(["bash", str(REPO / "scripts" / "ensure_postgres.sh")],  # noqa: S603, S607 - fixed argv
                            capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0:
        pytest.fail(f"scripts/ensure_postgres.sh failed:\n{result.stdout}\n{result.stderr}")
    exported = dict(line.removeprefix("export ").split("=", 1) for line in result.stdout.splitlines()
                    if line.startswith("export "))
    connection = connection_settings(exported)
    schema = f"chunks_it_{uuid.uuid4().hex[:10]}"
    yield connection, schema
    with psycopg2.connect(**connection) as con, con.cursor() as cur:
        cur.execute(f'drop schema if exists "{schema}" cascade')
    con.close()


def _write_documents_postgres(connection: dict[str, str], schema: str, documents: list[tuple]) -> None:
    import psycopg2

    with psycopg2.connect(**connection) as con, con.cursor() as cur:
        cur.execute(f'create schema if not exists "{schema}"')
        cur.execute(f'drop table if exists "{schema}".confluence__documents')
        cur.execute(f'create table "{schema}".confluence__documents (document_id text, document_type text, '
                    "parent_document_id text, content_id text, title text, space_id text, space_key text, "
                    "document_path text, label_names text, web_url text, updated_at timestamp, document_text text, "
                    "viewer_principals text)")
        for row in documents:
            cur.execute(f'insert into "{schema}".confluence__documents values ({", ".join(["%s"] * len(COLUMNS))})', row)
    con.close()


def _write_documents_duckdb(db: Path, documents: list[tuple]) -> None:
    con = duckdb.connect(str(db))
    con.execute("create schema if not exists analytics")
    con.execute("create or replace table analytics.confluence__documents (document_id varchar, document_type varchar, "
                "parent_document_id varchar, content_id varchar, title varchar, space_id varchar, space_key varchar, "
                "document_path varchar, label_names varchar, web_url varchar, updated_at timestamp, "
                "document_text varchar, viewer_principals varchar)")
    con.executemany(f"insert into analytics.confluence__documents values ({', '.join(['?'] * len(COLUMNS))})", documents)
    con.close()


def _postgres_rows(connection: dict[str, str], query: str) -> list[dict[str, Any]]:
    import psycopg2

    with psycopg2.connect(**connection) as con, con.cursor() as cur:
        cur.execute(query)
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    con.close()
    return rows


def _duckdb_rows(db: Path, query: str) -> list[dict[str, Any]]:
    con = duckdb.connect(str(db), read_only=True)
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    con.close()
    return rows


def _changes(rows: list[dict[str, Any]], run_id: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {ADDED: set(), CHANGED: set(), REMOVED: set()}
    for row in rows:
        if row["run_id"] == run_id:
            found[row["change"]].add(row["chunk_id"])
    return found


def test_postgres_chunks_and_change_sets_equal_the_duckdb_steps(postgres: tuple[dict[str, str], str], tmp_path: Path) -> None:
    connection, schema = postgres
    db = tmp_path / "c.duckdb"
    stores: dict[str, list[dict[str, dict[str, Any]]]] = {"postgres": [], "duckdb": []}
    change_sets: dict[str, dict[str, set[str]]] = {}
    for documents in (FIRST, SECOND):
        _write_documents_postgres(connection, schema, documents)
        _write_documents_duckdb(db, documents)
        pg_run = run_chunks_postgres(connection, SETTINGS, marts_schema=schema, out=io.StringIO())
        duck_run = run_chunks(db, SETTINGS, out=io.StringIO())
        pg_chunks = _postgres_rows(connection, f'select * from "{schema}".document_chunks')
        stores["postgres"].append({r["chunk_id"]: r for r in pg_chunks})
        stores["duckdb"].append({r["chunk_id"]: r for r in _duckdb_rows(db, "select * from main.document_chunks")})
        change_sets["postgres"] = _changes(_postgres_rows(connection, f'select * from "{schema}".document_chunk_changes'),
                                           pg_run.run_id)
        change_sets["duckdb"] = _changes(_duckdb_rows(db, "select * from main.document_chunk_changes"), duck_run.run_id)
        assert change_sets["postgres"] == change_sets["duckdb"]
        assert stores["postgres"][-1] == stores["duckdb"][-1]
    first, second = stores["postgres"]
    paths = {c["heading_path"] for c in first.values() if c["document_id"] == "p1"}
    assert paths == {"Rollout", "Rollout > Plan", "Rollout > Plan > Risks"}
    changes = change_sets["postgres"]
    assert {i.split(":")[0] for i in changes[REMOVED]} == {"p1", "p2"} and {i.split(":")[0] for i in changes[ADDED]} == {"p1"}
    assert {i.split(":")[0] for i in changes[CHANGED]} == {"p3"}
    change_set = ChangeSet(tuple(changes[ADDED]), tuple(changes[CHANGED]), tuple(changes[REMOVED]))
    assert apply(first, change_set, second) == second
    runs = _postgres_rows(connection, f'select * from "{schema}".document_chunk_runs order by run_at')
    assert [(r["document_count"], r["chunk_count"]) for r in runs] == [(3, len(first)), (2, len(second))]
    assert runs[-1]["removed_count"] == len(changes[REMOVED])


def test_postgres_exports_and_failures(postgres: tuple[dict[str, str], str], tmp_path: Path) -> None:
    connection, schema = postgres
    _write_documents_postgres(connection, schema, FIRST)
    exports = ChunkExports(tmp_path / "chunks.jsonl", tmp_path / "chunks.parquet", tmp_path / "changes.jsonl")
    result = run_chunks_postgres(connection, SETTINGS, exports, marts_schema=schema, out=io.StringIO())
    lines = [json.loads(line) for line in (tmp_path / "chunks.jsonl").read_text().splitlines()]
    assert len(lines) == result.chunks and {r["document_id"] for r in lines} == {"p1", "p2", "p3"}
    parquet = duckdb.sql(f"select count(*) from '{tmp_path / 'chunks.parquet'}'").fetchone()
    assert parquet is not None and parquet[0] == result.chunks
    assert (tmp_path / "changes.jsonl").read_text().count(result.run_id) == sum(result.counts.values())
    with pytest.raises(ChunkFailure, match=r"missing_schema\.confluence__documents is not in PostgreSQL.*dbt build"):
        run_chunks_postgres(connection, SETTINGS, marts_schema="missing_schema", out=io.StringIO())
    wrong = {**connection, "port": "1", "password": "s3cret-never-shown"}
    with pytest.raises(ChunkFailure, match=r"Cannot connect to PostgreSQL at 127\.0\.0\.1:1.*CONFLUENCE_PG_HOST") as failure:
        run_chunks_postgres(wrong, SETTINGS, marts_schema=schema, out=io.StringIO())
    assert "s3cret-never-shown" not in str(failure.value)
