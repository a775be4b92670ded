"""The chunk step, its change set, exports, search and report section on a DuckDB file holding a
hand-made `confluence__documents` and `confluence__content_access_by_user` (what dbt builds)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.ai.changeset import apply, diff
from pipeline.ai.chunks import ChunkExports, ChunkFailure, run_chunks
from pipeline.ai.search import SearchFailure, search
from pipeline.ai.splitting import ChunkSettings
from pipeline.marts import ReportData
from pipeline.report import ai_ready, page
from pipeline.report.run import RunInfo

SETTINGS = ChunkSettings(max_tokens=64, overlap_tokens=0)
LONG = " ".join(f"Sentence number {i} about the rollout plan." for i in range(30))


def _document(doc_id: str, title: str, body: str, viewers: list[str]) -> dict:
    return {"document_id": doc_id, "document_type": "page", "parent_document_id": None, "content_id": doc_id,
            "title": title, "space_id": "s1", "space_key": "ENG", "space_name": "Eng", "document_path": f"Eng > {title}",
            "label_names": None, "web_url": f"https://site/wiki/{doc_id}", "updated_at": "2024-06-01 10:00:00",
            "document_text": f"# {title}\n\n{body}", "content_hash": str(hash(body)), "viewer_principals": json.dumps(viewers)}


def _write_marts(db: Path, documents: list[dict], access: list[tuple[str, str]]) -> None:
    con = duckdb.connect(str(db))
    con.execute("create schema if not exists analytics")
    con.execute("create or replace table analytics.confluence__documents (document_id varchar, document_type varchar, "
                "parent_document_id varchar, content_id varchar, title varchar, space_id varchar, space_key varchar, "
                "space_name varchar, document_path varchar, label_names varchar, web_url varchar, updated_at timestamp, "
                "document_text varchar, content_hash varchar, viewer_principals varchar)")
    for d in documents:
        con.execute("insert into analytics.confluence__documents values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    list(d.values()))
    con.execute("create or replace table analytics.confluence__content_access_by_user (content_id varchar, account_id varchar)")
    con.executemany("insert into analytics.confluence__content_access_by_user values (?, ?)", access)
    con.close()


def _chunks(db: Path) -> dict[str, dict]:
    con = duckdb.connect(str(db), read_only=True)
    cursor = con.execute("select * from main.document_chunks")
    names = [d[0] for d in cursor.description]
    rows = {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}
    con.close()
    return rows


FIRST = [_document("p1", "Rollout", f"## Plan\n\n{LONG}\n\n## Risks\n\nThe vendor is late.", ["group:g1"]),
         _document("p2", "Old notes", f"Notes about the migration. {LONG}", ["group:g1"]),
         _document("p3", "Budget", "The budget is approved.", ["all_licensed_users"])]
ACCESS = [("p1", "u1"), ("p2", "u1"), ("p3", "u1"), ("p3", "u2")]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "c.duckdb"
    _write_marts(path, FIRST, ACCESS)
    return path


def test_a_second_run_records_exactly_what_changed_and_applying_it_equals_a_fresh_build(db: Path, tmp_path: Path) -> None:
    first = run_chunks(db, SETTINGS, out=io.StringIO())
    store = _chunks(db)
    assert first.counts == {"added": len(store), "changed": 0, "removed": 0} and len(store) > 4
    assert {c["token_count"] <= 64 for c in store.values()} == {True}
    # Edit p1's last section, trash or purge p2 (it leaves the documents), restrict p3, add p4.
    edited = _document("p1", "Rollout", f"## Plan\n\n{LONG}\n\n## Risks\n\nThe vendor is on time.", ["group:g1"])
    restricted = {**FIRST[2], "viewer_principals": json.dumps(["user:u2"])}
    _write_marts(db, [edited, restricted, _document("p4", "Hiring", "Two engineers join.", ["group:g1"])],
                 [("p1", "u1"), ("p3", "u2"), ("p4", "u1")])
    second = run_chunks(db, SETTINGS, ChunkExports(changes_jsonl=tmp_path / "changes.jsonl"), out=io.StringIO())
    current = _chunks(db)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("select chunk_id, document_id, change from main.document_chunk_changes where run_id = ?",
                       [second.run_id]).fetchall()
    runs = con.execute("select count(*) from main.document_chunk_runs").fetchone()[0]
    con.close()
    by_kind: dict[str, set[str]] = {}
    for _, document_id, change in rows:
        by_kind.setdefault(change, set()).add(document_id)
    assert by_kind == {"removed": {"p1", "p2"}, "added": {"p1", "p4"}, "changed": {"p3"}}
    assert {i for i, d, c in rows if c == "removed"} == (store.keys() - current.keys())
    assert {d for i, d, c in rows if c == "removed" and d == "p1"} and runs == 2
    # The unchanged chunks of p1 (its plan) kept their ids.
    assert len([i for i in store if i.startswith("p1:") and i in current]) >= 3
    # Applying the change set to the first store gives the second; so does a build from scratch.
    changes = diff({i: c["metadata_hash"] for i, c in store.items()}, {i: c["metadata_hash"] for i, c in current.items()})
    assert apply(store, changes, current) == current
    scratch = tmp_path / "scratch.duckdb"
    shutil.copy(db, scratch)
    con = duckdb.connect(str(scratch))
    con.execute("drop table main.document_chunks")
    con.close()
    run_chunks(scratch, SETTINGS, out=io.StringIO())
    fresh = _chunks(scratch)
    assert fresh.keys() == current.keys()
    assert [(i, k, fresh[i][k], current[i][k]) for i in fresh for k in fresh[i] if fresh[i][k] != current[i][k]] == []
    # The JSONL change set carries the chunk for upserts and the id alone for deletions.
    lines = [json.loads(line) for line in (tmp_path / "changes.jsonl").read_text().splitlines()]
    assert {line["change"] for line in lines} == {"added", "changed", "removed"}
    assert all(line["chunk_text"] for line in lines if line["change"] != "removed")
    assert all(line["chunk_text"] is None for line in lines if line["change"] == "removed")
    assert next(line for line in lines if line["change"] == "changed")["viewer_principals"] == ["user:u2"]


def test_exports_write_every_chunk(db: Path, tmp_path: Path) -> None:
    run_chunks(db, SETTINGS, ChunkExports(tmp_path / "out" / "chunks.jsonl", tmp_path / "chunks.parquet"), out=io.StringIO())
    lines = [json.loads(line) for line in (tmp_path / "out" / "chunks.jsonl").read_text().splitlines()]
    assert len(lines) == len(_chunks(db))
    assert {"chunk_id", "heading_path", "title", "web_url", "updated_at", "viewer_principals", "token_count"} <= set(lines[0])
    con = duckdb.connect()
    assert con.execute("select count(*) from read_parquet(?)", [str(tmp_path / "chunks.parquet")]).fetchone()[0] == len(lines)


def test_search_returns_only_chunks_the_user_may_read(db: Path) -> None:
    run_chunks(db, SETTINGS, out=io.StringIO())
    for_u1 = search(db, "vendor budget migration", "u1", limit=50)
    for_u2 = search(db, "vendor budget migration", "u2", limit=50)
    assert {h.chunk_id.split(":")[0] for h in for_u1} == {"p1", "p2", "p3"}
    assert {h.chunk_id.split(":")[0] for h in for_u2} == {"p3"}
    assert for_u2[0].web_url == "https://site/wiki/p3" and "budget" in for_u2[0].snippet.lower()
    assert search(db, "vendor", "nobody") == []
    top = search(db, "vendor late", "u1", limit=1)[0]
    assert top.chunk_id.startswith("p1:") and "The vendor is late." in top.snippet and top.title == "Rollout"


def test_search_and_chunks_say_which_step_is_missing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(ChunkFailure, match="build the dbt project first"):
        run_chunks(empty, SETTINGS, out=io.StringIO())
    with pytest.raises(SearchFailure, match="python -m pipeline chunks"):
        search(empty, "x", "u1")
    with pytest.raises(SearchFailure, match="no words"):
        search(empty, "  ", "u1")


def test_the_report_section_shows_documents_chunks_and_the_latest_changes(db: Path) -> None:
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set search_path = 'analytics'")
    assert not ai_ready.load(con).chunked
    con.close()
    run_chunks(db, SETTINGS, out=io.StringIO())
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set search_path = 'analytics'")
    data = ai_ready.load(con)
    con.close()
    html = ai_ready.render(data)
    assert data.documents == {"page": 3}
    assert f'data-chunks="{len(_chunks(db))}"' in html and f'data-added="{len(_chunks(db))}"' in html
    assert "No <code>confluence__documents</code>" in ai_ready.render(ai_ready.AiReadyData(available=False))


def test_the_report_header_links_to_the_ai_ready_section() -> None:
    data = ReportData(
        totals={"live_content": 0, "comments": 0, "open_tasks": 0, "overdue_tasks": 0, "stale_pages": 0, "deleted": 0},
        volume={}, space_names={}, contributors=[], labels=[], label_count=0, recent=[], stale_by_space=[], stale=[],
        stale_total=0, tasks_by_space=[], deleted_by_kind=[], deleted=[], deleted_total=0,
        sections={"ai_ready": ai_ready.AiReadyData(available=False)},
    )
    html = page.render(data, RunInfo(heading="R"))
    link = html.index('<a href="#ai-ready">')
    assert link < html.index("</header>") < html.index('<section id="ai-ready">')
    data.sections = {}
    assert 'href="#ai-ready"' not in page.render(data, RunInfo(heading="R"))
