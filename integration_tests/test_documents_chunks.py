"""End to end on the double: sync, dbt, chunk; edit, trash, purge and restrict; sync, dbt, chunk. The
change set of the second chunk run, applied to the store the first run built, equals the chunks built
from scratch after the second sync; and search as a user returns only chunks that user may read.

The access streams (groups, group_members, space_permissions, content_restrictions) are written into
the raw schema by this test in the streams' record shapes (docs/integrations/sources/confluence.md),
so the access marts, and with them the documents' viewers, have something to work on.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from confluence_double import ConfluenceDouble, Site, SiteSpec
from pipeline.ai.changeset import ADDED, CHANGED, REMOVED, ChangeSet, apply
from pipeline.ai.chunks import run_chunks
from pipeline.ai.search import search
from pipeline.ai.splitting import ChunkSettings
from pipeline.sync import INCREMENTAL_WRITE_STRATEGY

pytestmark = [pytest.mark.integration, pytest.mark.pipeline]

REPO = Path(__file__).resolve().parents[1]
CONNECTOR = Path(sys.executable).with_name("source-confluence")
SPEC = SiteSpec(spaces=2, pages=40, blog_posts=6, footer_comments=40, inline_comments=10, tasks=30, attachments=4,
                labels=6, users=6, seed=5)
SETTINGS = ChunkSettings(max_tokens=128, overlap_tokens=16)
INCREMENTAL_STREAMS = ["pages", "blog_posts", "comments", "tasks", "attachments", "users"]
SNAPSHOT_STREAMS = ["spaces", "content_labels"]
GROUP = "g-staff"


def _paragraph(word: str) -> str:
    return " ".join(f"{word}{i} is a sentence about {word}." for i in range(30))


# h1/h2/h3 sections of about 250 tokens, each split over chunks of SETTINGS' 128: a chunk without a
# heading line lies inside one section, whatever the splitter packs around the headings.
SECTIONS = {"rollout": ["Rollout"], "risk": ["Rollout", "Risks"], "vendor": ["Rollout", "Risks", "Vendors"],
            "timeline": ["Rollout", "Timeline"]}
SECTIONED_BODY = (f"<h1>Rollout</h1><p>{_paragraph('rollout')}</p>"
                  f"<h2>Risks</h2><p>The rollout is delayed by two weeks. {_paragraph('risk')}</p>"
                  f"<h3>Vendors</h3><p>{_paragraph('vendor')}</p><h2>Timeline</h2><p>{_paragraph('timeline')}</p>")


@dataclass
class Scenario:
    db_path: Path
    work_dir: Path
    schema: str
    first: dict[str, dict[str, Any]]
    second: dict[str, dict[str, Any]]
    changes: dict[str, set[str]]
    """change -> chunk ids of the second run's change set."""
    edited: str
    trashed: str
    purged: str
    restricted: str
    insider: str
    outsider: str
    edited_title: str


def _sync(source: Any, cache: Any) -> None:
    source.select_streams(INCREMENTAL_STREAMS)
    source.read(cache=cache, write_strategy=INCREMENTAL_WRITE_STRATEGY)
    source.select_streams(SNAPSHOT_STREAMS)
    source.read(cache=cache, force_full_refresh=True, write_strategy="replace")


def _write_access(db_path: Path, site: Site, restricted: str | None, insider: str, outsider: str) -> None:
    """Everyone but the outsider is in GROUP, which may read every space; the outsider may read the first
    space on a grant of their own. A restricted page names the insider alone."""
    loaded = datetime.now(UTC).replace(tzinfo=None)
    spaces = sorted(site.spaces.values(), key=lambda s: s.id)
    members = [a for a in sorted(site.users) if a != outsider]
    con = duckdb.connect(str(db_path))
    meta = "uuid() as _airbyte_raw_id, cast(? as timestamp) as _airbyte_extracted_at"
    con.execute(f"create or replace table main.groups as select ? as id, ? as name, 'group' as type, "
                f"cast(null as varchar) as managed_by, {meta}", [GROUP, "Staff", loaded])
    con.execute("create or replace table main.group_members (id varchar, group_id varchar, group_name varchar, "
                "account_id varchar, username varchar, display_name varchar, account_type varchar, updated_at timestamp, "
                "deleted_at timestamp, _airbyte_raw_id varchar, _airbyte_extracted_at timestamp)")
    for account in members:
        con.execute("insert into main.group_members values (?, ?, 'Staff', ?, null, null, 'atlassian', ?, null, uuid(), ?)",
                    [f"{GROUP}:{account}", GROUP, account, loaded, loaded])
    con.execute("create or replace table main.space_permissions (id varchar, space_id varchar, space_key varchar, "
                "principal_type varchar, principal_id varchar, operation_key varchar, operation_target varchar, "
                "granted_through varchar, role_id varchar, role_name varchar, updated_at timestamp, deleted_at timestamp, "
                "_airbyte_raw_id varchar, _airbyte_extracted_at timestamp)")
    grants = [(s, "group", GROUP) for s in spaces] + [(spaces[0], "user", outsider)]
    for space, kind, principal in grants:
        con.execute("insert into main.space_permissions values (?, ?, ?, ?, ?, 'read', 'space', 'permission', null, null, "
                    "?, null, uuid(), ?)",
                    [f"{space.id}:{kind}:{principal}:read:space", space.id, space.key, kind, principal, loaded, loaded])
    con.execute("create table if not exists main.content_restrictions (id varchar, content_id varchar, content_type varchar, "
                "space_id varchar, operation varchar, principal_type varchar, principal_id varchar, principal_name varchar, "
                "updated_at timestamp, deleted_at timestamp, _airbyte_raw_id varchar, _airbyte_extracted_at timestamp)")
    if restricted:
        page = site.pages[restricted]
        con.execute("insert into main.content_restrictions values (?, ?, 'page', ?, 'read', 'user', ?, null, ?, null, uuid(), ?)",
                    [f"{restricted}:read:user:{insider}", restricted, page.space_id, insider, loaded, loaded])
    con.close()


def _dbt_build(db_path: Path, schema: str, work_dir: Path) -> None:
    command = [str(Path(sys.executable).with_name("dbt")), "build", "--select", "+confluence__documents",
               "+confluence__content_access_by_user", "--indirect-selection", "cautious",
               "--project-dir", str(REPO / "dbt_project"), "--profiles-dir", str(REPO / "dbt_project"),
               "--target", "duckdb", "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs")]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "CONFLUENCE_"))}
    env.update({"CONFLUENCE_DUCKDB_PATH": str(db_path), "CONFLUENCE_DBT_SCHEMA": schema,
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false"})
    result = subprocess.run(command, env=env, cwd=work_dir, capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0:
        pytest.fail(f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")


def _chunks(db_path: Path) -> dict[str, dict[str, Any]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        cursor = con.execute("select * from main.document_chunks")
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    finally:
        con.close()


def _chunk(db_path: Path, schema: str) -> str:
    return run_chunks(db_path, SETTINGS, marts_schema=schema, out=io.StringIO()).run_id


def _pick(site: Site) -> tuple[str, str, str, str]:
    homepages = {s.homepage_id for s in site.spaces.values()}
    leaves = sorted((p.id for p in site.pages.values() if p.status == "current" and p.id not in homepages
                     and not site.children.get(p.id)), key=int)
    assert len(leaves) >= 4
    return leaves[0], leaves[1], leaves[2], leaves[3]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    work_dir = tmp_path_factory.mktemp("documents_chunks")
    db_path = work_dir / "confluence.duckdb"
    schema = f"docs_{uuid.uuid4().hex[:8]}"
    with pytest.MonkeyPatch.context() as patch, ConfluenceDouble(SPEC) as double:
        patch.setenv("AIRBYTE_OFFLINE_MODE", "1")
        patch.setenv("DO_NOT_TRACK", "1")
        import airbyte

        site = double.site
        insider, outsider = sorted(site.users)[0], sorted(site.users)[-1]
        edited, trashed, purged, restricted = _pick(site)
        config = {**double.config(), "deletion_check_interval_hours": 0}
        source = airbyte.get_source("source-confluence", config=config, local_executable=str(CONNECTOR))
        with airbyte.caches.DuckDBCache(db_path=db_path, schema_name="main") as cache:
            _sync(source, cache)
        _write_access(db_path, site, None, insider, outsider)
        _dbt_build(db_path, schema, work_dir)
        _chunk(db_path, schema)
        first = _chunks(db_path)
        at = datetime.now(UTC) - timedelta(minutes=1)
        site.edit_page(edited, body=SECTIONED_BODY, at=at)
        site.trash_page(trashed, at=at)
        site.purge_page(purged)
        with airbyte.caches.DuckDBCache(db_path=db_path, schema_name="main") as cache:
            _sync(source, cache)
        _write_access(db_path, site, restricted, insider, outsider)
        _dbt_build(db_path, schema, work_dir)
        run_id = _chunk(db_path, schema)
    con = duckdb.connect(str(db_path), read_only=True)
    changes: dict[str, set[str]] = {ADDED: set(), CHANGED: set(), REMOVED: set()}
    for chunk_id, change in con.execute("select chunk_id, change from main.document_chunk_changes where run_id = ?",
                                        [run_id]).fetchall():
        changes[change].add(chunk_id)
    con.close()
    yield Scenario(db_path, work_dir, schema, first, _chunks(db_path), changes, edited, trashed, purged, restricted,
                   insider, outsider, site.pages[edited].title)


def _of(chunks: dict[str, dict[str, Any]] | set[str], document_id: str) -> set[str]:
    return {i for i in chunks if i.split(":")[0] == document_id}


def test_the_change_set_covers_edits_trash_purge_and_restriction(scenario: Scenario) -> None:
    s = scenario
    assert s.first and s.second
    assert _of(s.first, s.trashed) and _of(s.first, s.trashed) <= s.changes[REMOVED] and not _of(s.second, s.trashed)
    assert _of(s.first, s.purged) and _of(s.first, s.purged) <= s.changes[REMOVED] and not _of(s.second, s.purged)
    # Restricted: the same text, so the same ids, with new viewers: changed, not re-added.
    assert _of(s.first, s.restricted) == _of(s.second, s.restricted) == _of(s.changes[CHANGED], s.restricted)
    viewers = {json.dumps(c["viewer_principals"]) for i, c in s.second.items() if i in _of(s.second, s.restricted)}
    assert viewers == {json.dumps([f"user:{s.insider}"])}
    # Edited: its new text arrives, its old text leaves.
    assert _of(s.changes[ADDED], s.edited) and _of(s.changes[REMOVED], s.edited)
    assert any("delayed by two weeks" in c["chunk_text"] for i, c in s.second.items() if i in _of(s.second, s.edited))
    # Nothing else moved: other documents' chunks kept their ids and metadata.
    touched = {s.edited, s.trashed, s.purged, s.restricted}
    untouched = {i for i in s.first if i.split(":")[0] not in touched}
    assert untouched <= s.second.keys()
    assert [i for i in untouched if s.first[i] != s.second[i]] == []


def test_chunks_carry_the_heading_path_of_the_body_section_they_sit_in(scenario: Scenario) -> None:
    s = scenario
    edited = [c["chunk_text"] for i, c in s.second.items() if i in _of(s.second, s.edited)]
    paths = {c["chunk_text"]: c["heading_path"] for i, c in s.second.items() if i in _of(s.second, s.edited)}
    for word, headings in SECTIONS.items():
        inside = [t for t in edited if re.search(rf"\b{word}\d+ is a sentence", t) and not re.search(r"(?m)^#{1,6} ", t)]
        assert inside, word
        assert {paths[t] for t in inside} == {" > ".join([s.edited_title, *headings])}, word
    # The body's headings sit one level below the document's "# Title"; none is left at its level.
    assert any(re.search(r"(?m)^#### Vendors$", t) for t in edited)
    assert not any(re.search(r"(?m)^# Rollout$", t) for t in edited)


def test_applying_the_change_set_to_the_first_store_equals_a_build_from_scratch(scenario: Scenario) -> None:
    s = scenario
    changes = ChangeSet(tuple(sorted(s.changes[ADDED])), tuple(sorted(s.changes[CHANGED])), tuple(sorted(s.changes[REMOVED])))
    store = apply(s.first, changes, s.second)
    scratch = s.work_dir / "scratch.duckdb"
    shutil.copy(s.db_path, scratch)
    con = duckdb.connect(str(scratch))
    con.execute("drop table main.document_chunks")
    con.close()
    _chunk(scratch, s.schema)
    assert store == _chunks(scratch)


def test_search_returns_only_chunks_the_user_may_read(scenario: Scenario) -> None:
    s = scenario
    con = duckdb.connect(str(s.db_path), read_only=True)
    readable = {a: {r[0] for r in con.execute(f"select content_id from {s.schema}.confluence__content_access_by_user "  # noqa: S608
                                               "where account_id = ?", [a]).fetchall()} for a in (s.insider, s.outsider)}
    con.close()
    assert s.restricted in readable[s.insider] and s.restricted not in readable[s.outsider]
    assert readable[s.outsider] and readable[s.outsider] < {c["content_id"] for c in s.second.values()}
    restricted_words = " ".join(s.second[i]["chunk_text"] for i in _of(s.second, s.restricted))[:400]
    for account in (s.insider, s.outsider):
        hits = search(s.db_path, restricted_words, account, limit=1000, marts_schema=s.schema)
        assert hits
        assert {s.second[h.chunk_id]["content_id"] for h in hits} <= readable[account]
    assert any(h.chunk_id.startswith(f"{s.restricted}:") for h in search(s.db_path, restricted_words, s.insider, limit=1000,
                                                                        marts_schema=s.schema))
