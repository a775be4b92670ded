"""The report's "AI-ready" section: the LLM-ready documents (`confluence__documents`), their chunks
(`document_chunks`) and what the latest chunk runs added, changed and removed (`document_chunk_runs`),
i.e. what a vector store fed from the change sets had to do. Says so when the build or the file has
none of them yet instead of failing."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

import duckdb

from pipeline.ai.chunks import CHUNKS, CHUNKS_SCHEMA, DOCUMENTS, RUNS
from pipeline.report.html import fmt_time

RECENT_RUNS = 5


@dataclass
class AiReadyData:
    available: bool
    """False when the build has no confluence__documents (built before it existed)."""
    documents: dict[str, int] = field(default_factory=dict)
    """Document type -> count."""
    chunked: bool = False
    """False when no chunk run wrote document_chunks into the file yet."""
    chunks: dict[str, Any] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    try:
        con.execute(f"select 1 from {relation} limit 0")  # noqa: S608 - fixed names
    except duckdb.CatalogException:
        return False
    return True


def load(con: duckdb.DuckDBPyConnection) -> AiReadyData:
    if not _exists(con, DOCUMENTS):
        return AiReadyData(available=False)
    documents = {r["document_type"]: int(r["n"]) for r in _rows(
        con, f"select document_type, count(*) as n from {DOCUMENTS} group by 1 order by 1")}  # noqa: S608
    chunks_table, runs_table = f"{CHUNKS_SCHEMA}.{CHUNKS}", f"{CHUNKS_SCHEMA}.{RUNS}"
    if not (_exists(con, chunks_table) and _exists(con, runs_table)):
        return AiReadyData(available=True, documents=documents)
    chunks = _rows(con, f"""
        select count(*) as chunks, count(distinct document_id) as documents, coalesce(sum(token_count), 0) as tokens,
               coalesce(max(token_count), 0) as max_tokens
        from {chunks_table}""")[0]  # noqa: S608
    runs = _rows(con, f"""
        select run_id, run_at, chunk_count, added_count, changed_count, removed_count, max_tokens, overlap_tokens
        from {runs_table} order by run_at desc, run_id desc limit {RECENT_RUNS}""")  # noqa: S608
    return AiReadyData(available=True, documents=documents, chunked=True,
                       chunks={k: int(v) for k, v in chunks.items()}, runs=runs)


def render(data: AiReadyData) -> str:
    head = '<section id="ai-ready"><h2>AI-ready</h2>'
    if not data.available:
        return (head + '<p class="hint">No <code>confluence__documents</code> in this build: run <code>dbt build</code> '
                'with this version of the project.</p></section>')
    docs = ", ".join(f"{n:,} {escape(kind)}" for kind, n in data.documents.items()) or "none"
    if not data.chunked:
        return (head + f'<p data-documents="{sum(data.documents.values())}">Documents: {docs}. No chunks yet: run '
                '<code>python -m pipeline chunks</code>.</p></section>')
    c = data.chunks
    latest = data.runs[0]
    rows = "".join(
        f'<tr data-run="{escape(r["run_id"])}" data-added="{r["added_count"]}" data-changed="{r["changed_count"]}" '
        f'data-removed="{r["removed_count"]}"><td>{fmt_time(r["run_at"])}</td><td class="num">{r["chunk_count"]:,}</td>'
        f'<td class="num">{r["added_count"]:,}</td><td class="num">{r["changed_count"]:,}</td>'
        f'<td class="num">{r["removed_count"]:,}</td></tr>'
        for r in data.runs)
    return (
        head + '<p class="hint">Pages and blog posts as Markdown documents with their comments and tasks, split into '
        f'chunks of at most {latest["max_tokens"]} tokens ({latest["overlap_tokens"]} overlap), each carrying who may '
        'read it. Feed them and each run\'s changes to a vector store: README, "Feeding an LLM or a vector store".</p>'
        f'<p data-documents="{sum(data.documents.values())}" data-chunks="{c["chunks"]}" data-tokens="{c["tokens"]}">'
        f'Documents: {docs}. Chunks: {c["chunks"]:,} ({c["tokens"]:,} tokens, largest {c["max_tokens"]:,}). '
        f'Since the previous run: {latest["added_count"]:,} added, {latest["changed_count"]:,} changed, '
        f'{latest["removed_count"]:,} removed.</p>'
        '<table class="data compact" id="table-ai-runs"><thead><tr><th>chunk run (UTC)</th><th class="num">chunks</th>'
        '<th class="num">added</th><th class="num">changed</th><th class="num">removed</th></tr></thead>'
        f'<tbody>{rows}</tbody></table></section>'
    )
