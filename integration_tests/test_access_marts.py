"""The access marts built by dbt on the `warehouse` seeds (DuckDB and PostgreSQL) equal, row for row,
what integration_tests/access_mart_truth.py computes from the same records by the published definition
(dbt_project/models/docs/marts.md, "Access"), without SQL.

The seeds' access story is in dbt_project/integration_tests/seeds/warehouse/README.md. Both
warehouses are loaded append-style (every row kept) and built with the project's selectors for the
access marts and what they read. CONFLUENCE_SKIP_POSTGRES=1 skips the PostgreSQL half.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

if __package__:
    from . import access_mart_truth as truth
    from . import warehouse_seeds as seeds
    from .dbt_warehouse import (
        Warehouse,
        drop_schemas,
        duckdb_query,
        postgres_connection,
        postgres_query,
        postgres_settings,
        run_dbt,
    )
else:  # rootdir-relative import (integration_tests/ is not a package)
    import access_mart_truth as truth
    import warehouse_seeds as seeds
    from dbt_warehouse import (
        Warehouse,
        drop_schemas,
        duckdb_query,
        postgres_connection,
        postgres_query,
        postgres_settings,
        run_dbt,
    )

OVER_EXPOSED_USERS = 3
BUILD_VARS = json.dumps({"as_of": "2024-07-01 00:00:00", "access_over_exposed_users": OVER_EXPOSED_USERS})
SELECT = ["--select", "+confluence__access_overview", "+confluence__content_access_by_user", "+int_confluence__page_hierarchy",
          "+stg_confluence__audit_records",
          "--indirect-selection", "cautious"]
ACCESS_COLUMNS = ("content_id", "content_type", "space_id", "principal_type", "principal_id", "principal_name",
                  "space_access", "restriction_access", "is_restricted", "restriction_source", "nearest_restricted_id")
BY_USER_COLUMNS = ("content_id", "content_type", "space_id", "account_id", "display_name", "space_access",
                   "has_user_space_permission", "restriction_access", "is_restricted", "restriction_source",
                   "nearest_restricted_id")


def _records(stream: str) -> list[dict[str, Any]]:
    return [{k: (v if v != "" else None) for k, v in row.items()} for row in seeds.seed_rows("warehouse", stream)]


def expected_streams() -> truth.Streams:
    order = {"pages": "updated_at", "blog_posts": "updated_at", "users": "resolved_at", "folders": "resolved_at",
             "content_restrictions": "updated_at", "group_members": "updated_at", "space_permissions": "updated_at"}
    keys = {"users": "account_id"}
    latest = {stream: truth.latest(_records(stream), keys.get(stream, "id"), order.get(stream))
              for stream in ("spaces", "users", "pages", "blog_posts", "folders", "content_labels", "groups",
                             "group_members", "space_permissions", "content_restrictions")}
    return truth.Streams(**latest, over_exposed_users=OVER_EXPOSED_USERS)


def _build(env: dict[str, str], work_dir: Path, schema: str) -> None:
    run_dbt(["seed", "--full-refresh"], env={**env, "CONFLUENCE_DBT_SCHEMA": schema, "CONFLUENCE_TEST_DATASET": "warehouse"},
            work_dir=work_dir, project=seeds.SEEDS_PROJECT)
    run_dbt(["build", *SELECT, "--vars", BUILD_VARS], env=env, work_dir=work_dir)


@pytest.fixture(scope="module")
def duckdb_access(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    work_dir = tmp_path_factory.mktemp("access_duckdb")
    path = work_dir / "access.duckdb"
    _build({"CONFLUENCE_DUCKDB_PATH": str(path), "CONFLUENCE_DBT_SCHEMA": "analytics", "CONFLUENCE_DBT_TARGET": "duckdb"},
           work_dir, "main")
    yield Warehouse("duckdb", "analytics", work_dir, duckdb_query(path))


@pytest.fixture(scope="module")
def postgres_access(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    settings = postgres_settings()
    connection = postgres_connection(settings)
    suffix = uuid.uuid4().hex[:10]
    raw_schema, schema = f"confluence_access_raw_{suffix}", f"confluence_access_{suffix}"
    work_dir = tmp_path_factory.mktemp("access_postgres")
    try:
        env = {**settings, "CONFLUENCE_DBT_SCHEMA": schema, "CONFLUENCE_DBT_TARGET": "postgres"}
        run_dbt(["seed", "--full-refresh"], env={**env, "CONFLUENCE_DBT_SCHEMA": raw_schema,
                                                 "CONFLUENCE_TEST_DATASET": "warehouse"},
                work_dir=work_dir, project=seeds.SEEDS_PROJECT)
        vars_ = json.dumps({**json.loads(BUILD_VARS), "confluence_schema": raw_schema})
        run_dbt(["build", *SELECT, "--vars", vars_], env=env, work_dir=work_dir)

        yield Warehouse("postgres", schema, work_dir, postgres_query(connection))
    finally:
        drop_schemas(connection, (schema, raw_schema))


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def built(request: pytest.FixtureRequest) -> Warehouse:
    return request.getfixturevalue(f"{request.param}_access")


def _pick(rows: list[dict[str, Any]], key: str, columns: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    return {row[key]: {c: row[c] for c in columns} for row in rows}


def test_content_access_equals_the_definition(built: Warehouse) -> None:
    got = _pick(built.rows("select * from {s}.confluence__content_access"), "content_access_id", ACCESS_COLUMNS)
    expected = {k: {c: v[c] for c in ACCESS_COLUMNS} for k, v in truth.content_access(expected_streams()).items()}
    assert got == expected
    # The story's cases, named: the groups and users behind the restricted pages.
    assert sorted(k for k in got if k.startswith(("p-102:", "p-303:", "b-400:"))) == [
        "b-400:anonymous:-", "b-400:group:g-ops", "b-400:user:u-alice", "p-102:user:u-alice", "p-303:group:g-ops"]


def test_content_access_by_user_equals_the_definition(built: Warehouse) -> None:
    got = _pick(built.rows("select * from {s}.confluence__content_access_by_user"), "content_user_id", BY_USER_COLUMNS)
    expected = {k: {c: v[c] for c in BY_USER_COLUMNS} for k, v in truth.content_access_by_user(expected_streams()).items()}
    assert got == expected
    # Edit restrictions do not limit viewing; a lifted read restriction no longer applies.
    assert {k for k in got if k.startswith(("p-103:", "p-104:"))} == {
        "p-103:u-alice", "p-103:u-bob", "p-103:u-dave", "p-104:u-alice", "p-104:u-bob", "p-104:u-dave"}


def test_access_overview_equals_the_definition(built: Warehouse) -> None:
    expected = truth.access_overview(expected_streams())
    columns = tuple(next(iter(expected.values())))
    got = _pick(built.rows("select * from {s}.confluence__access_overview"), "content_id", columns)
    assert got == expected
    assert sorted(k for k, v in got.items() if v["is_orphaned"]) == ["p-104", "p-106", "p-500"]  # dave deactivated
    assert sorted(k for k, v in got.items() if not v["is_over_exposed"]) == ["p-101", "p-102", "p-300", "p-301", "p-303"]


def test_page_paths_run_through_folders(built: Warehouse) -> None:
    tree = {r["page_id"]: r for r in built.rows("select * from {s}.int_confluence__page_hierarchy")}
    standup = tree["p-303"]
    assert (standup["depth"], standup["parent_id"], standup["parent_type"], standup["parent_page_id"],
            standup["root_page_id"], standup["root_id"], standup["page_path_ids"], standup["page_path_titles"]) == (
        3, "f-900", "folder", "p-300", "p-300", "p-300", "p-300/f-901/f-900/p-303",
        "Ops Home > Meetings > Standups > 2024-06-24 Ops standup")
    overview = built.one("select page_path_titles, nearest_restricted_ancestor_title from {s}.confluence__access_overview"
                         " where content_id = 'p-303'")
    assert overview == {"page_path_titles": "Ops Home > Meetings > Standups > 2024-06-24 Ops standup",
                        "nearest_restricted_ancestor_title": "Ops Home"}


def test_staging_drops_nothing_and_flags_tombstones(built: Warehouse) -> None:
    restrictions = {r["content_restriction_id"]: r["is_deleted"]
                    for r in built.rows("select * from {s}.stg_confluence__content_restrictions")}
    assert len(restrictions) == 9 and restrictions["p-104:read:user:u-dave"] is True
    folders = {r["folder_id"]: (r["is_deleted"], r["title"])
               for r in built.rows("select * from {s}.stg_confluence__folders")}
    assert folders == {"f-900": (False, "Standups"), "f-901": (False, "Meetings"), "f-902": (True, "Old notes")}
    audit = built.rows("select audit_record_id, created_at from {s}.stg_confluence__audit_records order by 1")
    assert [(r["audit_record_id"], r["created_at"]) for r in audit] == [
        ("a1f0c3", datetime(2024, 6, 3, 9, 1)), ("b7e2d9", datetime(2024, 6, 20, 1, 0))]


def test_access_streams_that_were_not_synced_read_as_empty(tmp_path: Path) -> None:
    """Raw tables of the access streams missing (not synced): the build succeeds, the access marts are
    empty of principals, every live page and blog post is unrestricted and viewable by nobody listed,
    and a page under a folder starts its own tree (no folder records)."""
    import duckdb

    path = tmp_path / "no_access.duckdb"
    env = {"CONFLUENCE_DUCKDB_PATH": str(path), "CONFLUENCE_DBT_SCHEMA": "analytics", "CONFLUENCE_DBT_TARGET": "duckdb"}
    older = [s for s in seeds.dataset_streams("warehouse") if s not in seeds.ACCESS_STREAMS]
    run_dbt(["seed", "--full-refresh", "--select", *older],
            env={**env, "CONFLUENCE_DBT_SCHEMA": "main", "CONFLUENCE_TEST_DATASET": "warehouse"},
            work_dir=tmp_path, project=seeds.SEEDS_PROJECT)
    run_dbt(["build", *SELECT, "--vars", BUILD_VARS], env=env, work_dir=tmp_path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        raw = con.execute("select table_name from information_schema.tables where table_schema = 'main'").fetchall()
        tables = {r[0] for r in raw}
        assert not tables & set(seeds.ACCESS_STREAMS)
        counts = {t: con.execute(f"select count(*) from analytics.{t}").fetchone()[0]  # noqa: S608 - fixed names
                  for t in ("confluence__content_access", "confluence__content_access_by_user", "stg_confluence__folders",
                            "stg_confluence__audit_records", "stg_confluence__content_restrictions")}
        assert counts == dict.fromkeys(counts, 0)
        overview = con.execute("select count(*), count(*) filter (where is_restricted or viewer_user_count > 0)"
                               " from analytics.confluence__access_overview").fetchone()
        assert overview == (12, 0)
        assert con.execute("select depth, root_page_id from analytics.int_confluence__page_hierarchy"
                           " where page_id = 'p-303'").fetchone() == (0, "p-303")
    finally:
        con.close()
