"""The dbt project (dbt_project/) built on a hand-made raw dataset, in DuckDB and in PostgreSQL.

The dataset (the CSV seeds in dbt_project/integration_tests/seeds/warehouse/, its story in the
README.md there) is loaded twice: into a DuckDB file the way
the project's pipeline writes it (PyAirbyte's cache, content appended: every version read stays;
schema ``main``, no ``_airbyte_generation_id``) and into a PostgreSQL schema the way an Airbyte
destination writes it in append + dedup mode (one row per id, a later load replacing the earlier
one; with ``_airbyte_generation_id``), sync by sync with the project's snapshots taken after each
sync. ``dbt build`` then runs once per warehouse with a fixed reference time, and every test checks
mart values worked out by hand from the dataset's story, on
both warehouses: the marts must not depend on which of the two loaders wrote the raw tables.

PostgreSQL comes from scripts/ensure_postgres.sh. Set CONFLUENCE_SKIP_POSTGRES=1 to skip the
PostgreSQL half; without it, a server that cannot be started fails the tests.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

if __package__:
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

RECENT_UPDATES_LIMIT = 10
# The dataset's reference time: a Monday; with stale_after_days = 180 a page last updated on or
# before 2024-01-03 is stale.
AS_OF = "2024-07-01 00:00:00"
DATASET = "warehouse"
BUILD_VARS = {"as_of": AS_OF, "recent_updates_limit": RECENT_UPDATES_LIMIT}

UNIT_TESTS = {
    "pages_keep_latest_version_per_id",
    "pages_are_renamed_cast_and_flagged",
    "comments_keep_what_the_history_saw",
    "users_keep_last_loaded_row",
    "content_labels_drop_removed_labels_and_keep_the_latest_row",
    "group_members_drop_removed_members_and_keep_the_latest_row",
    "space_permissions_drop_revoked_grants",
    "contributions_are_attributed_to_the_right_person",
    "tasks_are_overdue_only_after_their_due_date",
    "content_volume_has_zero_rows_for_empty_periods",
    "contributors_are_ranked_within_each_period",
    "stale_pages_start_at_the_threshold",
    "stale_threshold_follows_the_var",
    "task_completion_rate_per_space_and_assignee",
    "content_enhanced_counts_what_hangs_off_live_content",
    "user_enhanced_totals_activity_per_account",
    "edits_come_from_the_versions_when_they_are_synced",
    "contributors_say_which_rule_counted_the_edits",
    "decision_log_keeps_live_decisions_of_live_containers",
    "engagement_flags_at_the_thresholds",
    "ancestors_run_through_folders",
    "read_restrictions_nest_and_edit_restrictions_do_not_count",
    "viewers_pass_the_space_and_every_restriction_level",
    "content_access_lists_groups_users_and_open_access",
    "access_overview_flags_orphaned_and_over_exposed_content",
    "document_appendices_format_comments_and_tasks",
    "documents_put_title_path_body_comments_and_tasks_in_one_text",
    "documents_nest_body_headings_under_the_title",
    "status_pages_mentioning_keywords_per_space_and_month",
}
MARTS = {
    "confluence__content_volume",
    "confluence__contributors",
    "confluence__label_distribution",
    "confluence__recent_updates",
    "confluence__stale_content",
    "confluence__task_completion",
    "confluence__comment_activity",
    "confluence__knowledge_gaps",
    "confluence__meeting_notes_digest",
    "confluence__source_deleted_content",
    "confluence__content_enhanced",
    "confluence__user_enhanced",
    "confluence__decision_log",
    "confluence__content_engagement",
    "confluence__content_access",
    "confluence__content_access_by_user",
    "confluence__access_overview",
    "confluence__documents",
    "confluence__status_page_mentions",
}
# base and staging models: one per stream (the eight streams, content_versions, decisions, content_views,
# and the six access streams)
STREAM_MODELS = 17
INTERMEDIATE_MODELS = 9  # with int_confluence__document_appendices


def _seeder(work_dir: Path) -> seeds.RunDbt:
    return lambda args, env: run_dbt(args, env=env, work_dir=work_dir, project=seeds.SEEDS_PROJECT)


@pytest.fixture(scope="module")
def duckdb_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:

    work_dir = tmp_path_factory.mktemp("dbt_duckdb")
    path = work_dir / "confluence_it.duckdb"
    env = {
        "CONFLUENCE_DUCKDB_PATH": str(path),
        "CONFLUENCE_DBT_SCHEMA": "analytics",
        "CONFLUENCE_DBT_TARGET": "duckdb",
    }
    # PyAirbyte-style: every row appended in schema main, no _airbyte_generation_id.
    seeds.seed(_seeder(work_dir), DATASET, "main", env)
    run_dbt(["build", "--vars", json.dumps(BUILD_VARS)], env=env, work_dir=work_dir)
    (work_dir / "target" / "run_results.json").rename(work_dir / "target" / "build_run_results.json")
    # The build compiled everything already; the catalog comes from the database.
    run_dbt(["docs", "generate", "--no-compile", "--vars", json.dumps(BUILD_VARS)], env=env, work_dir=work_dir)
    # Freshness "errors" on a 2024 dataset (the exit code says so); sources.json is what we check.
    run_dbt(["source", "freshness"], env=env, work_dir=work_dir, check=False)

    yield Warehouse("duckdb", "analytics", work_dir, duckdb_query(path))


@pytest.fixture(scope="module")
def postgres_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    settings = postgres_settings()
    connection = postgres_connection(settings)
    suffix = uuid.uuid4().hex[:10]
    seed_schema, raw_schema, schema = f"confluence_seed_{suffix}", f"confluence_raw_{suffix}", f"confluence_it_{suffix}"
    work_dir = tmp_path_factory.mktemp("dbt_postgres")
    try:
        env = {**settings, "CONFLUENCE_DBT_SCHEMA": schema, "CONFLUENCE_DBT_TARGET": "postgres"}
        build_vars = json.dumps({**BUILD_VARS, "confluence_schema": raw_schema})

        def after_sync(is_last: bool) -> None:
            # A deployment runs `dbt build` after every sync. Of the builds before the last, only the
            # snapshot step leaves anything behind (the rest is recomputed by the next build).
            command = "build" if is_last else "snapshot"
            run_dbt([command, "--vars", build_vars], env=env, work_dir=work_dir)

        # Airbyte-destination-style (with _airbyte_generation_id), append + dedup: one row per id.
        seeds.seed(_seeder(work_dir), DATASET, seed_schema, env)
        assert seeds.load_by_sync(connection, seed_schema, raw_schema, after_sync, seeds.dataset_streams(DATASET)) == 5
        (work_dir / "target" / "run_results.json").rename(work_dir / "target" / "build_run_results.json")

        yield Warehouse("postgres", schema, work_dir, postgres_query(connection))
    finally:
        drop_schemas(connection, (schema, raw_schema, seed_schema))


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest) -> Warehouse:
    return request.getfixturevalue(f"{request.param}_warehouse")


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --------------------------------------------------------------------------------------------
# the seed files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", [DATASET, "compat"])
def test_seed_files_have_the_stream_schemas_columns(dataset: str) -> None:
    assert seeds.check_seed_columns(dataset) == []


# --------------------------------------------------------------------------------------------
# the build
# --------------------------------------------------------------------------------------------


def test_build_runs_every_model_test_and_unit_test_cleanly(warehouse: Warehouse) -> None:
    results = warehouse.artifact("build_run_results.json")["results"]
    statuses = {r["unique_id"]: r["status"] for r in results}
    not_clean = {uid: status for uid, status in statuses.items() if status not in ("success", "pass")}
    assert not_clean == {}, "warnings count too: the fixture must satisfy every test"
    unit_tests = {uid.rsplit(".", 1)[-1] for uid in statuses if uid.startswith("unit_test.")}
    assert unit_tests == UNIT_TESTS
    snapshots = {uid.rsplit(".", 1)[-1] for uid in statuses if uid.startswith("snapshot.")}
    assert snapshots == {f"confluence__{stream}_history" for stream in ("pages", "blog_posts", "comments", "attachments")}
    models = {uid.rsplit(".", 1)[-1] for uid in statuses if uid.startswith("model.")}
    assert MARTS <= models
    assert len(models) == STREAM_MODELS + STREAM_MODELS + INTERMEDIATE_MODELS + len(MARTS)  # base, staging, intermediate, marts
    assert sum(uid.startswith("test.") for uid in statuses) >= 200


def test_marts_are_tables(warehouse: Warehouse) -> None:
    manifest = json.loads((warehouse.work_dir / "target" / "manifest.json").read_text())
    materialized = {
        node["name"]: node["config"]["materialized"] for node in manifest["nodes"].values() if node["resource_type"] == "model"
    }
    assert {name: materialized[name] for name in MARTS} == dict.fromkeys(MARTS, "table")
    assert {m for name, m in materialized.items() if name.startswith("stg_")} == {"view"}


# --------------------------------------------------------------------------------------------
# staging and intermediate
# --------------------------------------------------------------------------------------------


def test_staging_keeps_the_latest_row_per_id(warehouse: Warehouse) -> None:
    pages = {r["page_id"]: r for r in warehouse.rows("select * from {s}.stg_confluence__pages")}
    assert len(pages) == 13
    # Three loads of p-101: version 2 wins over version 1, and the later read of version 2 over the earlier.
    assert (
        pages["p-101"]["title"],
        pages["p-101"]["version_number"],
        pages["p-101"]["loaded_row_count"],
    ) == ("Architecture Overview", 2, 3)
    assert pages["p-101"]["version_author_account_id"] == "u-carol"
    # The purge tombstone of p-302 wins but keeps the last live version's title and space.
    tombstone = pages["p-302"]
    assert (tombstone["status"], tombstone["is_deleted"], tombstone["is_purged"]) == ("deleted", True, True)
    assert (tombstone["title"], tombstone["space_id"], tombstone["author_account_id"]) == (
        "Incident 42",
        "s-ops",
        "u-ghost",
    )
    assert tombstone["deleted_at"] == ts("2024-06-20 08:00:00")
    assert tombstone["deletion_detected_at"] == ts("2024-06-20 02:00:00")
    assert tombstone["last_live_extracted_at"] == ts("2024-06-01 02:00:00")
    assert (pages["p-105"]["status"], pages["p-105"]["is_deleted"], pages["p-105"]["is_purged"]) == (
        "trashed",
        True,
        False,
    )
    assert sorted(p for p, r in pages.items() if r["is_deleted"]) == ["p-105", "p-302"]
    # Timestamps come out as UTC without time zone.
    assert pages["p-100"]["updated_at"] == ts("2023-12-15 09:00:00")
    # _airbyte_generation_id: absent from PyAirbyte's cache, present in an Airbyte destination.
    expected_generation = None if warehouse.name == "duckdb" else seeds.GENERATION_ID
    assert {r["airbyte_generation_id"] for r in pages.values()} == {expected_generation}

    spaces = {r["space_id"]: r["space_name"] for r in warehouse.rows("select * from {s}.stg_confluence__spaces")}
    assert spaces == {"s-eng": "Engineering", "s-ops": "Operations", "s-hr": "People"}
    users = {r["account_id"]: r["display_name"] for r in warehouse.rows("select * from {s}.stg_confluence__users")}
    assert users["u-dave"] == "Dave Diaz"
    tasks = {r["task_id"]: r for r in warehouse.rows("select * from {s}.stg_confluence__tasks")}
    assert (tasks["t-2"]["status"], tasks["t-2"]["completed_by_account_id"]) == ("complete", "u-carol")
    labels = [r["content_label_id"] for r in
              warehouse.rows("select content_label_id from {s}.stg_confluence__content_labels order by 1")]
    # 13 rows loaded: p-102:l-2 twice; p-101:l-8 live, then its tombstone (the label was removed).
    assert len(labels) == 10 and "p-101:l-8" not in labels


def test_people_fall_back_to_the_account_id(warehouse: Warehouse) -> None:
    people = {r["account_id"]: r for r in warehouse.rows("select * from {s}.int_confluence__people")}
    assert set(people) == {"u-alice", "u-bob", "u-carol", "u-dave", "u-ghost"}
    assert (people["u-ghost"]["display_name"], people["u-ghost"]["is_known_user"]) == ("u-ghost", False)
    assert (people["u-alice"]["display_name"], people["u-alice"]["is_known_user"]) == ("Alice Able", True)


def test_page_hierarchy(warehouse: Warehouse) -> None:
    tree = {r["page_id"]: r for r in warehouse.rows("select * from {s}.int_confluence__page_hierarchy")}
    # Live pages only: no trashed p-105, purged p-302 or draft p-304.
    assert set(tree) == {
        "p-100",
        "p-101",
        "p-102",
        "p-103",
        "p-104",
        "p-106",
        "p-300",
        "p-301",
        "p-303",
        "p-500",
    }
    runbooks = tree["p-102"]
    assert (runbooks["depth"], runbooks["parent_page_id"], runbooks["root_page_id"]) == (2, "p-101", "p-100")
    assert runbooks["page_path_ids"] == "p-100/p-101/p-102"
    assert runbooks["page_path_titles"] == "Engineering Home > Architecture Overview > Runbooks"
    # A page under a folder under a folder under a page: the path runs through the folders.
    assert (tree["p-303"]["depth"], tree["p-303"]["root_page_id"], tree["p-303"]["parent_page_id"]) == (
        3,
        "p-300",
        "p-300",
    )
    assert tree["p-303"]["page_path_titles"] == "Ops Home > Meetings > Standups > 2024-06-24 Ops standup"


# --------------------------------------------------------------------------------------------
# marts
# --------------------------------------------------------------------------------------------


def test_content_volume_spine_has_every_period(warehouse: Warehouse) -> None:
    summary = {
        r["period_type"]: r
        for r in warehouse.rows(
            "select period_type, count(*) as n,"
            " min(period_start) as first_period, max(period_start) as last_period,"
            " sum(content_created_count) as created, sum(content_updated_count) as updated"
            " from {s}.confluence__content_volume group by period_type"
        )
    }
    # 2023-08-07 .. 2024-07-01 is 48 weeks, Aug 2023 .. Jul 2024 12 months; x 3 spaces x 2 types.
    assert summary["week"]["n"] == 48 * 3 * 2
    assert summary["month"]["n"] == 12 * 3 * 2
    assert (summary["week"]["first_period"], summary["week"]["last_period"]) == (
        date(2023, 8, 7),
        date(2024, 7, 1),
    )
    assert (summary["month"]["first_period"], summary["month"]["last_period"]) == (
        date(2023, 8, 1),
        date(2024, 7, 1),
    )
    # 12 live pages and blog posts, 7 of them edited after creation; deleted and draft ones excluded.
    for period_type in ("week", "month"):
        assert (summary[period_type]["created"], summary[period_type]["updated"]) == (12, 7)


def test_content_volume_values(warehouse: Warehouse) -> None:
    volume = {
        (r["period_type"], r["period_start"], r["space_key"], r["content_type"]): (
            r["content_created_count"],
            r["content_updated_count"],
        )
        for r in warehouse.rows("select * from {s}.confluence__content_volume")
    }
    # ENG, week of 2024-06-03: p-101 and p-102 created (the trashed p-105 does not count).
    assert volume[("week", date(2024, 6, 3), "ENG", "page")] == (2, 0)
    # Week of 06-10: p-101 edited by carol; blog post b-200 created.
    assert volume[("week", date(2024, 6, 10), "ENG", "page")] == (0, 1)
    assert volume[("week", date(2024, 6, 10), "ENG", "blogpost")] == (1, 0)
    assert volume[("week", date(2024, 6, 17), "ENG", "page")] == (1, 1)
    # The empty weeks of 2024-05-13 .. 05-27 are zero rows for every space and type, not missing rows
    # (p-301's version of 05-20 was superseded by the one of 06-25).
    for week in (date(2024, 5, 13), date(2024, 5, 20), date(2024, 5, 27)):
        for space in ("ENG", "OPS", "HR"):
            for content_type in ("page", "blogpost"):
                assert volume[("week", week, space, content_type)] == (0, 0)
    assert volume[("month", date(2024, 6, 1), "ENG", "page")] == (3, 2)
    assert volume[("month", date(2024, 6, 1), "ENG", "blogpost")] == (1, 0)
    assert volume[("month", date(2024, 6, 1), "OPS", "page")] == (1, 1)
    assert volume[("month", date(2024, 6, 1), "OPS", "blogpost")] == (0, 1)
    # May: p-301 and b-400 created; the purged p-302 is gone.
    assert volume[("month", date(2024, 5, 1), "OPS", "page")] == (1, 0)
    assert volume[("month", date(2024, 5, 1), "OPS", "blogpost")] == (1, 0)
    assert volume[("month", date(2023, 8, 1), "HR", "page")] == (1, 0)
    assert volume[("month", date(2024, 7, 1), "ENG", "page")] == (0, 0)


def test_contributors_top_of_june(warehouse: Warehouse) -> None:
    june = warehouse.rows(
        "select display_name, content_created_count, content_updated_count, comments_written_count,"
        " tasks_completed_count, total_contributions, contributor_rank from {s}.confluence__contributors"
        " where period_type = 'month' and period_start = '2024-06-01' order by contributor_rank, display_name"
    )
    assert [tuple(r.values()) for r in june] == [
        ("Bob Brown", 3, 1, 1, 1, 6, 1),  # created p-101 p-102 p-303, edited p-301, comment c-3, task t-8
        ("Carol Chen", 0, 2, 2, 1, 5, 2),  # edited p-101 b-400, comments c-1 c-4, task t-2
        ("Alice Able", 1, 1, 2, 0, 4, 3),  # created b-200, edited p-106, comments c-2 c-5
        ("Dave Diaz", 1, 0, 1, 1, 3, 4),  # created p-106, comment c-8, task t-6
    ]


def test_contributors_ties_share_a_rank(warehouse: Warehouse) -> None:
    week = warehouse.rows(
        "select account_id, total_contributions, contributor_rank from {s}.confluence__contributors"
        " where period_type = 'week' and period_start = '2024-06-10' order by contributor_rank, account_id"
    )
    assert [tuple(r.values()) for r in week] == [("u-carol", 3, 1), ("u-alice", 2, 2), ("u-bob", 2, 2)]
    # Nobody contributed in the week of 2024-05-20, so it has no row.
    assert (
        warehouse.rows("select * from {s}.confluence__contributors where period_type = 'week' and period_start = '2024-05-20'")
        == []
    )


def test_label_distribution(warehouse: Warehouse) -> None:
    labels = {
        r["label_name"]: (
            r["content_count"],
            r["content_share"],
            r["space_count"],
            r["first_used_at"],
            r["last_used_at"],
        )
        for r in warehouse.rows("select * from {s}.confluence__label_distribution")
    }
    assert labels == {
        "meeting-notes": (2, 0.1667, 2, ts("2024-06-17 14:00:00"), ts("2024-06-24 10:00:00")),
        "runbook": (2, 0.1667, 2, ts("2024-05-06 09:00:00"), ts("2024-06-25 16:30:00")),
        "architecture": (1, 0.0833, 1, ts("2024-06-03 09:00:00"), ts("2024-06-12 15:00:00")),
        "policy": (1, 0.0833, 1, ts("2023-08-07 09:00:00"), ts("2023-08-07 09:00:00")),
        "newsletter": (1, 0.0833, 1, ts("2024-05-08 10:00:00"), ts("2024-06-03 08:00:00")),
    }  # "incident" is only on a purged page, "hr" only on a space
    assert {r["live_content_count"] for r in warehouse.rows("select * from {s}.confluence__label_distribution")} == {12}


def test_recent_updates_feed(warehouse: Warehouse) -> None:
    feed = warehouse.rows("select * from {s}.confluence__recent_updates order by recency_rank")
    assert [r["content_id"] for r in feed] == [
        "p-301",
        "p-303",
        "p-106",
        "p-101",
        "b-200",
        "p-102",
        "b-400",
        "p-104",
        "p-103",
        "p-100",
    ]
    assert [r["recency_rank"] for r in feed] == list(range(1, RECENT_UPDATES_LIMIT + 1))
    top = feed[0]
    assert (top["title"], top["space_key"], top["version_number"]) == ("On-call", "OPS", 5)
    assert (top["last_updated_by_name"], top["author_name"], top["is_new_content"]) == (
        "Bob Brown",
        "Carol Chen",
        False,
    )
    assert top["updated_at"] == ts("2024-06-25 16:30:00")
    assert top["web_url"] == "https://acme.atlassian.net/wiki/spaces/x/pages/p-301"
    assert feed[1]["is_new_content"] is True


def test_stale_content(warehouse: Warehouse) -> None:
    stale = warehouse.rows(
        "select page_id, space_key, owner_name, days_since_update, page_depth, page_path_titles"
        " from {s}.confluence__stale_content order by page_id"
    )
    assert [tuple(r.values()) for r in stale] == [
        ("p-100", "ENG", "Alice Able", 199, 0, "Engineering Home"),
        ("p-103", "ENG", "Carol Chen", 180, 1, "Engineering Home > Old design"),  # exactly the threshold
        ("p-300", "OPS", "Carol Chen", 301, 0, "Ops Home"),
        ("p-500", "HR", "Dave Diaz", 329, 0, "HR Home"),
    ]  # p-104, updated 179 days before as_of, is not stale


def test_task_completion(warehouse: Warehouse) -> None:
    rows = warehouse.rows(
        "select space_key, assignee_name, task_count, open_task_count, completed_task_count,"
        " overdue_task_count, completion_rate from {s}.confluence__task_completion"
    )
    assert sorted((tuple(r.values()) for r in rows), key=repr) == sorted(
        [
            ("ENG", "Bob Brown", 2, 1, 1, 1, 0.5),  # t-1 overdue, t-8 done (t-7 is on a trashed page)
            ("ENG", "Carol Chen", 1, 0, 1, 0, 1.0),  # t-2 done after two loads
            ("ENG", None, 1, 1, 0, 0, 0.0),  # t-3 unassigned, no due date
            ("OPS", "Bob Brown", 2, 2, 0, 1, 0.0),  # t-5 overdue; t-4 due on the as_of date is not
            ("OPS", "Dave Diaz", 1, 0, 1, 0, 1.0),  # t-6 done late, not overdue
        ],
        key=repr,
    )


def test_comment_activity(warehouse: Warehouse) -> None:
    activity = {r["content_id"]: r for r in warehouse.rows("select * from {s}.confluence__comment_activity")}
    assert len(activity) == 12  # every live page and blog post
    architecture = activity["p-101"]
    assert (
        architecture["comment_count"],
        architecture["footer_comment_count"],
        architecture["inline_comment_count"],
        architecture["unresolved_inline_comment_count"],
        architecture["reply_count"],
        architecture["commenter_count"],
    ) == (4, 2, 2, 1, 1, 3)
    assert architecture["last_comment_at"] == ts("2024-06-14 10:00:00")
    assert (
        activity["p-106"]["unresolved_inline_comment_count"],
        activity["p-301"]["unresolved_inline_comment_count"],
    ) == (1, 0)
    assert activity["p-300"]["comment_count"] == 0  # its only comment was trashed
    per_space = {
        (r["space_key"], r["space_comment_count"], r["space_unresolved_inline_comment_count"]) for r in activity.values()
    }
    assert per_space == {("ENG", 5, 2), ("OPS", 1, 0), ("HR", 0, 0)}


def test_knowledge_gaps(warehouse: Warehouse) -> None:
    subjects = {(r["subject_type"], r["subject_name"]): r for r in warehouse.rows("select * from {s}.confluence__knowledge_gaps")}
    assert len(subjects) == 3 + 5
    gaps = {key: r["gap_reason"] for key, r in subjects.items() if r["is_knowledge_gap"]}
    # HR: 1 item vs an average of 4 per space, and all of it stale (the rest of the site: 3/11).
    # policy: its only page is stale. No label is thin (average 1.4, threshold 0.7).
    assert gaps == {("space", "People"): "thin_and_stale", ("label", "policy"): "stale"}
    eng = subjects[("space", "Engineering")]
    assert (
        eng["content_count"],
        eng["stale_content_count"],
        eng["stale_share"],
        eng["rest_of_site_stale_share"],
    ) == (7, 2, 0.2857, 0.4)
    assert subjects[("space", "People")]["peer_average_content_count"] == 4.0
    assert subjects[("label", "runbook")]["peer_average_content_count"] == 1.4
    assert subjects[("space", "People")]["days_since_last_update"] == 329


def test_meeting_notes_digest(warehouse: Warehouse) -> None:
    rows = warehouse.rows(
        "select title, action_item_count, open_action_item_count, overdue_action_item_count,"
        " task_id, task_status,"
        " assignee_name, is_overdue from {s}.confluence__meeting_notes_digest order by content_id, task_id"
    )
    assert [tuple(r.values()) for r in rows] == [
        ("2024-06-17 Team sync", 3, 2, 1, "t-1", "incomplete", "Bob Brown", True),
        ("2024-06-17 Team sync", 3, 2, 1, "t-2", "complete", "Carol Chen", False),
        ("2024-06-17 Team sync", 3, 2, 1, "t-3", "incomplete", None, False),
        ("2024-06-24 Ops standup", 1, 1, 0, "t-4", "incomplete", "Bob Brown", False),
    ]
    # Mentions of users the users stream knows read as their names; others keep the account id.
    texts = {r["task_id"]: r["task_text"] for r in warehouse.rows("select * from {s}.confluence__meeting_notes_digest")}
    assert texts["t-3"] == "Collect feedback from @Alice Able and @u-ghost"
    assert texts["t-1"] == "Write the migration plan"
    meeting = warehouse.one("select * from {s}.confluence__meeting_notes_digest where task_id = 't-2'")
    assert (meeting["meeting_date"], meeting["author_name"], meeting["completed_by_name"]) == (
        date(2024, 6, 17),
        "Dave Diaz",
        "Carol Chen",
    )


def test_source_deleted_content(warehouse: Warehouse) -> None:
    rows = warehouse.rows(
        "select object_id, object_type, title, space_key, deletion_kind, deleted_at,"
        " deletion_detected_at, was_seen_live"
        " from {s}.confluence__source_deleted_content order by object_id"
    )
    assert [tuple(r.values()) for r in rows] == [
        (
            "a-2",
            "attachment",
            "old-diagram.png",
            "ENG",
            "purged",
            ts("2024-06-25 12:00:00"),
            ts("2024-06-28 02:00:00"),
            True,
        ),
        (
            "c-6",
            "comment",
            "Re: page",
            "OPS",
            "trashed",
            ts("2024-06-22 09:00:00"),
            ts("2024-06-28 02:00:00"),
            True,
        ),
        (
            "p-105",
            "page",
            "Scratch",
            "ENG",
            "trashed",
            ts("2024-06-18 10:00:00"),
            ts("2024-06-20 02:00:00"),
            True,
        ),
        (
            "p-302",
            "page",
            "Incident 42",
            "OPS",
            "purged",
            ts("2024-06-20 08:00:00"),
            ts("2024-06-20 02:00:00"),
            True,
        ),
    ]


def test_marts_exclude_deleted_content(warehouse: Warehouse) -> None:
    deleted = ("p-105", "p-302", "p-304")
    for mart, column in (
        ("confluence__recent_updates", "content_id"),
        ("confluence__stale_content", "page_id"),
        ("confluence__comment_activity", "content_id"),
        ("confluence__meeting_notes_digest", "content_id"),
    ):
        sql = f"select {column} from {{s}}.{mart} where {column} in {deleted}"  # noqa: S608 - fixed names
        found = warehouse.rows(sql)
        assert found == [], mart


def test_content_enhanced(warehouse: Warehouse) -> None:
    rows = {r["content_id"]: r for r in warehouse.rows("select * from {s}.confluence__content_enhanced")}
    # Live pages and blog posts only: not the trashed p-105, the purged p-302 or the draft p-304.
    assert sorted(rows) == ["b-200", "b-400", "p-100", "p-101", "p-102", "p-103", "p-104", "p-106", "p-300",
                            "p-301", "p-303", "p-500"]
    columns = ("space_key", "page_depth", "page_path_titles", "owner_name", "last_updated_by_name", "version_count",
               "days_since_update", "label_count", "label_names", "comment_count", "task_count", "open_task_count",
               "attachment_count", "attachment_bytes")
    picked = {
        content_id: tuple(rows[content_id][c] for c in columns) for content_id in ("p-101", "p-102", "p-106", "p-300", "b-400")
    }
    assert picked == {
        # 4 comments, t-8 done, a-1 live (a-2 purged).
        "p-101": ("ENG", 1, "Engineering Home > Architecture Overview", "Bob Brown", "Carol Chen", 2, 19, 1,
                  "architecture", 4, 1, 0, 1, 2048),
        "p-102": ("ENG", 2, "Engineering Home > Architecture Overview > Runbooks", "Bob Brown", "Bob Brown", 1, 27, 1,
                  "runbook", 0, 0, 0, 0, 0),
        # t-1 and t-3 open, t-2 done.
        "p-106": ("ENG", 1, "Engineering Home > 2024-06-17 Team sync", "Dave Diaz", "Alice Able", 2, 13, 1,
                  "meeting-notes", 1, 3, 2, 0, 0),
        # c-6 was trashed.
        "p-300": ("OPS", 0, "Ops Home", "Carol Chen", "Carol Chen", 1, 301, 0, None, 0, 0, 0, 0, 0),
        "b-400": ("OPS", None, None, "Bob Brown", "Carol Chen", 2, 28, 1, "newsletter", 0, 0, 0, 0, 0),
    }


def test_user_enhanced(warehouse: Warehouse) -> None:
    rows = {r["account_id"]: r for r in warehouse.rows("select * from {s}.confluence__user_enhanced")}
    columns = ("display_name", "is_known_user", "content_created_count", "content_updated_count",
               "comments_written_count", "tasks_completed_count", "total_contributions", "first_contribution_at",
               "last_contribution_at", "owned_content_count", "open_assigned_task_count", "overdue_assigned_task_count")
    assert {account: tuple(row[c] for c in columns) for account, row in rows.items()} == {
        # p-104's synced versions give alice v2 and v4 and bob v3 (the latest version alone gave alice one edit).
        "u-alice": ("Alice Able", True, 2, 4, 2, 0, 8, ts("2023-11-06 10:00:00"), ts("2024-06-18 11:00:00"), 2, 0, 0),
        # t-7 sits on the trashed p-105: not counted; t-4 is due on the reference date: open, not overdue.
        "u-bob": ("Bob Brown", True, 4, 2, 1, 1, 8, ts("2023-12-20 08:00:00"), ts("2024-06-25 16:30:00"), 4, 3, 2),
        "u-carol": ("Carol Chen", True, 3, 3, 2, 1, 9, ts("2023-09-04 12:00:00"), ts("2024-06-27 10:00:00"), 3, 0, 0),
        "u-dave": ("Dave Diaz", True, 3, 0, 1, 1, 5, ts("2023-08-07 09:00:00"), ts("2024-06-26 12:00:00"), 3, 0, 0),
        # Only the purged p-302 was u-ghost's.
        "u-ghost": ("u-ghost", False, 0, 0, 0, 0, 0, None, None, 0, 0, 0),
    }


def test_contributors_count_every_synced_version(warehouse: Warehouse) -> None:
    # p-101, p-104 (and the trashed p-105) have synced versions; the rest falls back to the latest version.
    edits = warehouse.rows(
        "select period_start, account_id, content_updated_count, edit_count_source from {s}.confluence__contributors"
        " where period_type = 'month' and content_updated_count > 0 order by period_start, account_id"
    )
    assert [tuple(r.values()) for r in edits] == [
        (date(2023, 12, 1), "u-alice", 2, "mixed"),  # p-104 v2 (versions), p-100 v3 (latest version)
        (date(2023, 12, 1), "u-bob", 1, "versions"),  # p-104 v3, a minor edit, counts too
        (date(2024, 1, 1), "u-alice", 1, "versions"),  # p-104 v4
        (date(2024, 1, 1), "u-carol", 1, "latest_version"),  # p-103
        (date(2024, 6, 1), "u-alice", 1, "latest_version"),  # p-106
        (date(2024, 6, 1), "u-bob", 1, "latest_version"),  # p-301
        (date(2024, 6, 1), "u-carol", 2, "mixed"),  # p-101 v2 (versions), b-400 (latest version)
    ]
    # Version 1 is the creation, by its author; p-104 v4 (loaded twice) counts once.
    created = warehouse.one("select account_id, occurred_at, attribution_source from {s}.int_confluence__contribution_events"
                            " where event_id = 'content_created:p-104'")
    assert tuple(created.values()) == ("u-dave", ts("2023-12-01 08:00:00"), "versions")
    assert warehouse.one("select count(*) as n from {s}.int_confluence__contribution_events"
                         " where content_id = 'p-104' and event_type = 'content_updated'")["n"] == 3
    # A comment's later version is not an edit of content; its creation comes from version 1.
    comment = warehouse.one("select occurred_at, attribution_source from {s}.int_confluence__contribution_events"
                            " where event_id = 'comment_written:c-8'")
    assert tuple(comment.values()) == (ts("2024-06-26 09:00:00"), "versions")


def test_decision_log(warehouse: Warehouse) -> None:
    rows = warehouse.rows(
        "select decision_id, decision_text, state, decision_date, container_title, is_meeting_note, space_key"
        " from {s}.confluence__decision_log order by decision_id"
    )
    # p-106:dec-3 was removed from the page (a tombstone): out; p-105:dec-1 sits on a trashed page: out.
    assert [tuple(r.values()) for r in rows] == [
        ("p-101:dec-1", "Use PostgreSQL for the event store", "decided", date(2024, 6, 12), "Architecture Overview",
         False, "ENG"),
        ("p-106:dec-1", "Adopt the new runbook format", "decided", date(2024, 6, 18), "2024-06-17 Team sync", True, "ENG"),
        ("p-106:dec-2", "Move the sync to Tuesdays (@Alice Able)", "undecided", date(2024, 6, 18),
         "2024-06-17 Team sync", True, "ENG"),
    ]
    digest = warehouse.rows(
        "select distinct content_id, decision_count, decided_decision_count, decision_texts"
        " from {s}.confluence__meeting_notes_digest order by content_id"
    )
    assert [tuple(r.values()) for r in digest] == [
        ("p-106", 2, 1, "[decided] Adopt the new runbook format\n[undecided] Move the sync to Tuesdays (@Alice Able)"),
        ("p-303", 0, 0, None),
    ]


def test_content_engagement(warehouse: Warehouse) -> None:
    rows = {r["content_id"]: r for r in warehouse.rows("select * from {s}.confluence__content_engagement")}
    assert set(rows) == {"p-100", "p-101", "p-102", "p-103", "p-104", "p-106", "p-300", "p-301", "p-303", "p-500",
                         "b-200", "b-400"}  # live content only: not the trashed p-105, the purged p-302, the draft
    columns = ("view_count", "viewer_count", "days_since_update", "is_stale", "is_stale_and_unread",
               "is_popular_but_stale")
    flags = {k: tuple(r[c] for c in columns) for k, r in rows.items() if r["is_view_counted"]}
    assert flags == {
        "p-100": (0, 0, 199, True, True, False),  # stale and unread: safe to archive
        "p-300": (250, 40, 301, True, False, True),  # the latest count (06-28) wins; popular but stale
        "p-103": (1, 1, 180, True, False, False),  # one view: read
        "p-104": (0, 0, 179, False, False, False),  # not stale
        "p-101": (12, 4, 19, False, False, False),
    }
    p500 = rows["p-500"]  # stale, never counted: no counts, no flags
    assert (p500["view_count"], p500["is_stale"], p500["is_stale_and_unread"], p500["is_popular_but_stale"]) == (
        None, True, False, False)
    assert rows["p-300"]["counted_at"] == ts("2024-06-28 01:00:00")
    assert rows["p-300"]["owner_name"] == "Carol Chen"


# --------------------------------------------------------------------------------------------
# docs and freshness (DuckDB run)
# --------------------------------------------------------------------------------------------


def test_every_model_and_column_is_documented(duckdb_warehouse: Warehouse) -> None:
    manifest = duckdb_warehouse.artifact("manifest.json")
    catalog = duckdb_warehouse.artifact("catalog.json")
    models = {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    assert len(models) == STREAM_MODELS + STREAM_MODELS + INTERMEDIATE_MODELS + len(MARTS)
    problems = []
    for uid, node in models.items():
        if not node["description"].strip():
            problems.append(f"{node['name']}: no description")
        built = {name.lower() for name in catalog["nodes"][uid]["columns"]}
        documented = {name.lower(): col["description"] for name, col in node["columns"].items()}
        if built != set(documented):
            problems.append(
                f"{node['name']}: undocumented {sorted(built - set(documented))}, "
                f"documented but absent {sorted(set(documented) - built)}"
            )
        problems += [f"{node['name']}.{name}: empty description" for name, text in documented.items() if not text.strip()]
    assert problems == []
    assert (duckdb_warehouse.work_dir / "target" / "index.html").exists()
    # The history snapshots: described, with their own columns documented (the rest are the raw table's).
    snapshots = {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "snapshot"}
    assert len(snapshots) == 4
    for uid, node in snapshots.items():
        built = {name.lower() for name in catalog["nodes"][uid]["columns"]}
        documented = {name.lower() for name, col in node["columns"].items() if col["description"].strip()}
        assert node["description"].strip() and documented <= built, node["name"]
        assert {"id", "_airbyte_raw_id", "_airbyte_extracted_at", "dbt_valid_from", "dbt_valid_to"} <= documented
        assert not {"body_storage", "body_text"} & built, "the history leaves the bodies out"


def test_source_freshness_uses_airbyte_extracted_at(duckdb_warehouse: Warehouse) -> None:
    results = {r["unique_id"].rsplit(".", 1)[-1]: r for r in duckdb_warehouse.artifact("sources.json")["results"]}
    latest_load = {
        stream: max(row["_airbyte_extracted_at"] for row in seeds.seed_rows(DATASET, stream)) for stream in seeds.STREAMS
    }
    # The optional streams' tables may be absent: no freshness check (it would fail on a missing table).
    assert set(results) == set(seeds.STREAMS)
    for stream, result in results.items():
        loaded = datetime.fromisoformat(result["max_loaded_at"].replace("Z", "+00:00"))
        assert loaded == datetime.fromisoformat(latest_load[stream].replace("Z", "+00:00")), stream
        assert result["status"] == "error", stream  # a 2024 dataset is older than the 72 h error threshold
        assert result["criteria"]["error_after"] == {"count": 72, "period": "hour"}
