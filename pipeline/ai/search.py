"""`python -m pipeline search`: keyword retrieval (BM25, rank-bm25) over the chunks one account may read.

Only chunks of content the account can view (`confluence__content_access_by_user`; an attachment's
chunks follow its page) are ranked: the corpus itself is filtered first, so neither the results nor
the ranking statistics see anything else. Runs offline on the DuckDB file (DuckDB's own full-text
extension needs a download, so it is not used).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
from rank_bm25 import BM25Plus

from pipeline.ai.chunks import CHUNKS, CHUNKS_SCHEMA
from pipeline.dbt_runner import MARTS_SCHEMA

ACCESS = "confluence__content_access_by_user"
SNIPPET_CHARS = 240
_WORD = re.compile(r"\w+")


class SearchFailure(Exception):
    """The file lacks what search reads; the message says which step to run."""


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    score: float
    title: str | None
    heading_path: str
    snippet: str
    web_url: str | None


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def snippet(text: str, terms: set[str], width: int = SNIPPET_CHARS) -> str:
    """`width` characters around the first query term in `text`, whitespace collapsed."""
    flat = " ".join(text.split())
    first = min((m.start() for m in _WORD.finditer(flat) if m.group().lower() in terms), default=0)
    start = max(0, first - width // 3)
    piece = flat[start:start + width]
    return ("..." if start else "") + piece + ("..." if start + width < len(flat) else "")


def readable_chunks(con: duckdb.DuckDBPyConnection, account_id: str, marts_schema: str) -> list[tuple]:
    for schema, table, step in ((CHUNKS_SCHEMA, CHUNKS, "python -m pipeline chunks (or run)"),
                                (marts_schema, ACCESS, "dbt build (python -m pipeline run)")):
        found = con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                            [schema, table]).fetchone()
        if not found or not found[0]:
            raise SearchFailure(f"{schema}.{table} is not in the DuckDB file: run {step} first.")
    return con.execute(
        f"select chunk_id, title, heading_path, chunk_text, web_url from {CHUNKS_SCHEMA}.{CHUNKS} "  # noqa: S608
        f"where content_id in (select content_id from {marts_schema}.{ACCESS} where account_id = ?) order by chunk_id",
        [account_id]).fetchall()


def search(db_path: Path, query: str, account_id: str, limit: int = 10, marts_schema: str = MARTS_SCHEMA) -> list[Hit]:
    terms = tokens(query)
    if not terms:
        raise SearchFailure("The query has no words to search for.")
    if not db_path.exists():
        raise SearchFailure(f"{db_path} does not exist: pass the DuckDB file python -m pipeline run wrote (--duckdb).")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = readable_chunks(con, account_id, marts_schema)
    finally:
        con.close()
    corpus = [tokens(f"{title or ''} {heading} {text}") for _, title, heading, text, _ in rows]
    wanted = set(terms)
    matching = [i for i, words in enumerate(corpus) if wanted & set(words)]
    if not matching:
        return []
    # BM25Plus: its idf stays positive when a term is in most of a small corpus (BM25Okapi's goes to 0).
    scores = BM25Plus(corpus).get_scores(terms)
    ranked = sorted(matching, key=lambda i: (-scores[i], rows[i][0]))[:limit]
    return [Hit(rows[i][0], float(scores[i]), rows[i][1], rows[i][2], snippet(rows[i][3], wanted), rows[i][4])
            for i in ranked]


def render(hits: list[Hit], query: str, account_id: str) -> str:
    if not hits:
        return f"No chunk readable by {account_id} matches {query!r}."
    lines = []
    for rank, hit in enumerate(hits, 1):
        lines.append(f"{rank}. {hit.title or '(untitled)'}" + (f"  [{hit.heading_path}]" if hit.heading_path else ""))
        lines.append(f"   {hit.snippet}")
        lines.append(f"   {hit.web_url or '(no link)'}  (score {hit.score:.2f})")
    return "\n".join(lines)
