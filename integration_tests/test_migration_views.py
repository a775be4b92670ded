"""The dbt compatibility views (dbt_project/models/compat/) on DuckDB: this connector's tables exposed under
the stream names and record shapes of Airbyte's own Confluence connector (source-confluence 1.x).

A small raw dataset (the CSV seeds in dbt_project/integration_tests/seeds/compat/) is loaded as
PyAirbyte's cache writes it, the views are built with `dbt build`, and every expected value below is
written out by hand from the seeds and from what 1.x loaded: the v2 lists' default statuses (pages: current and archived;
blog posts: current), its field names, and its nested objects.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if __package__:
    from . import warehouse_seeds as seeds
else:  # rootdir-relative import (integration_tests/ is not a package)
    import warehouse_seeds as seeds

pytestmark = pytest.mark.pipeline

REPO = Path(__file__).resolve().parents[1]
SCHEMA = "analytics_confluence_v1"
SITE = "https://acme.atlassian.net/wiki"
# The fields of 1.x's records (its manifest's stream schemas), in its order.
OFFICIAL_COLUMNS = {
    "pages": ["id", "status", "title", "spaceId", "parentId", "parentType", "position", "authorId", "ownerId",
              "lastOwnerId", "createdAt", "version", "body", "_links"],
    "blog_posts": ["id", "status", "title", "spaceId", "authorId", "createdAt", "version", "body", "_links"],
    "space": ["id", "key", "name", "type", "status", "authorId", "createdAt", "homepageId", "description", "icon",
              "_links"],
}
AIRBYTE_COLUMNS = ["_airbyte_raw_id", "_airbyte_extracted_at"]


def _dbt(*args: str, duckdb_path: Path, work: Path, project: Path = REPO / "dbt_project",
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt if dbt.exists() else shutil.which("dbt")), *args, "--project-dir", str(project),
               "--profiles-dir", str(REPO / "dbt_project"), "--target", "duckdb",
               "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    full_env = {**os.environ, "CONFLUENCE_DUCKDB_PATH": str(duckdb_path), "CONFLUENCE_DBT_SCHEMA": "analytics",
                "DO_NOT_TRACK": "1", **(env or {})}
    return subprocess.run(command, cwd=work, env=full_env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def views(tmp_path_factory) -> dict[str, list[dict]]:
    import duckdb

    work = tmp_path_factory.mktemp("compat")
    database = work / "warehouse.duckdb"

    def seed(args: list[str], env: dict[str, str]) -> None:
        loaded = _dbt(*args, duckdb_path=database, work=work, project=seeds.SEEDS_PROJECT, env=env)
        assert loaded.returncode == 0, loaded.stdout[-4000:]

    seeds.seed(seed, "compat", "main", {})
    built = _dbt("build", "--select", "+path:models/compat", "--indirect-selection", "cautious",
                 "--vars", json.dumps({"confluence_official_compat": True}), duckdb_path=database, work=work)
    assert built.returncode == 0, built.stdout[-4000:]
    con = duckdb.connect(str(database), read_only=True)
    try:
        out = {}
        for view in OFFICIAL_COLUMNS:
            cursor = con.execute(f'select * from "{SCHEMA}"."{view}" order by "id"')  # noqa: S608 - fixed names
            names = [d[0] for d in cursor.description]
            out[view] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            out[f"{view}:columns"] = names
        return out
    finally:
        con.close()


def _json(value):
    return None if value is None else json.loads(value)


@pytest.mark.parametrize("view", list(OFFICIAL_COLUMNS))
def test_views_have_the_official_streams_columns_in_order(views, view):
    assert views[f"{view}:columns"] == OFFICIAL_COLUMNS[view] + AIRBYTE_COLUMNS


def test_pages_hold_what_the_official_pages_list_returned(views):
    pages = {row["id"]: row for row in views["pages"]}
    # Current and archived pages; the trashed p-3 and the purged p-4 are not listed by /pages.
    assert sorted(pages) == ["p-1", "p-2", "p-5", "p-6"]
    home = pages["p-1"]
    assert (home["status"], home["title"], home["spaceId"], home["position"], home["authorId"], home["ownerId"],
            home["lastOwnerId"], str(home["createdAt"])) == (
        "current", "Home", "s-1", 2, "u-1", "u-1", None, "2024-05-01 09:00:00")
    assert _json(home["version"]) == {"createdAt": "2024-06-02T11:30:00.250Z", "message": "edit 2", "number": 2,
                                      "minorEdit": True, "authorId": "u-2"}
    assert _json(home["body"]) == {"storage": {"value": "<p>x</p>", "representation": "storage"}}
    assert _json(home["_links"]) == {"webui": "/spaces/ENG/pages/p-1", "editui": None, "tinyui": None}
    assert (pages["p-2"]["status"], pages["p-2"]["parentId"], pages["p-2"]["parentType"]) == ("archived", "p-1", "page")
    assert _json(pages["p-5"]["body"]) == {}
    assert _json(pages["p-6"]["_links"])["webui"] == "https://wiki.example.com/confluence/display/ENG/Page+six"


def test_blog_posts_hold_current_posts_only(views):
    assert [row["id"] for row in views["blog_posts"]] == ["b-1"]
    news = views["blog_posts"][0]
    assert (news["title"], news["status"], _json(news["version"])["number"]) == ("News", "current", 1)
    assert _json(news["_links"])["webui"] == "/spaces/ENG/blog_posts/b-1"


def test_space_holds_every_space_with_its_nested_objects(views):
    spaces = {row["id"]: row for row in views["space"]}
    assert sorted(spaces) == ["s-1", "s-2"]
    eng = spaces["s-1"]
    assert (eng["key"], eng["name"], eng["type"], eng["homepageId"], eng["icon"]) == (
        "ENG", "Engineering", "global", "p-1", None)
    assert _json(eng["description"]) == {"plain": {"value": "Engineering space", "representation": "plain"}}
    assert _json(eng["_links"]) == {"webui": "/spaces/ENG"}
    assert (spaces["s-2"]["status"], spaces["s-2"]["description"]) == ("archived", None)


def test_views_are_off_unless_asked_for(tmp_path):
    """Without the var, dbt leaves them out (the views fixture shows them built with it)."""
    listed = _dbt("ls", "--resource-type", "model", "--output", "name",
                  duckdb_path=tmp_path / "unused.duckdb", work=tmp_path)
    assert listed.returncode == 0, listed.stdout[-2000:]
    assert "stg_confluence__pages" in listed.stdout
    assert "confluence_v1__" not in listed.stdout
