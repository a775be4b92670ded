"""End to end: the double's generated site, synced by the connector through PyAirbyte into DuckDB,
built with ``dbt build``, and every mart compared with what ``mart_truth`` expects from the site model.

The module fixture syncs once, mutates the site (trash, purge and archive a page, complete a task,
label a page as meeting notes, trash a comment and an attachment), syncs again incrementally, so
that deleted content and tombstones are in the warehouse, then builds the dbt project with a fixed
reference time. Counts and ids must match exactly, ratios to 1e-6.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from confluence_double import ConfluenceDouble, Site, SiteSpec
from integration_tests.entity_mart_truth import content_enhanced, user_enhanced
from integration_tests.mart_truth import MartTruth, Window
from integration_tests.site_truth import expected_ids, referenced_accounts
from integration_tests.sync_history import FIRST, SECOND, FirstSync, Landed, naive
from pipeline.sync import INCREMENTAL_WRITE_STRATEGY

pytestmark = [pytest.mark.integration, pytest.mark.pipeline]

REPO = Path(__file__).resolve().parents[1]
CONNECTOR = Path(sys.executable).with_name("source-confluence")  # the console script of the running venv
SPEC = SiteSpec(spaces=3, pages=400, blog_posts=60, footer_comments=300, inline_comments=100, tasks=200,
                attachments=80, labels=20, users=15, seed=21)
# The reference time and stale threshold put live pages exactly on both sides of the threshold
# (177 and 176 days) and incomplete tasks due on the reference date, so both boundaries are tested.
AS_OF = datetime(2026, 7, 10)
STALE_AFTER_DAYS = 177
# Generated content ends on 2026-06-30; later mutation times put every change above the first
# sync's cursors, as real edits after a sync would be.
MUTATED_AT = datetime(2026, 7, 6, 9, 0, tzinfo=UTC)
MEETING_NOTES = "meeting-notes"
# The streams are loaded as the project's pipeline loads them: the incremental ones appended (every
# version read stays in the table; a label removed in Confluence arrives as a tombstone row that the
# dbt models drop), the snapshot stream in a full-refresh pass with the replace strategy.
INCREMENTAL_STREAMS = ["pages", "blog_posts", "comments", "tasks", "content_labels", "attachments", "users"]
SNAPSHOT_STREAMS = ["spaces"]
RATIO_TOLERANCE = 1e-6
OTHER_TIME_ZONE = "America/New_York"
OTHER_TIME_ZONE_SCHEMA = "new_york"  # suffix of the schema those models are built in


@dataclass(frozen=True)
class Mutations:
    trashed_page: str
    purged_page: str
    archived_page: str
    completed_task: str
    meeting_notes_page: str
    trashed_comment: str
    trashed_attachment: str
    edited_comment: str


@dataclass
class Pipeline:
    connection: duckdb.DuckDBPyConnection
    schema: str
    truth: MartTruth
    first_window: Window
    second_window: Window
    mutations: Mutations
    build_results: dict[str, str]
    """unique id -> status of every node of the `dbt build`."""

    @property
    def other_time_zone_schema(self) -> str:
        return f"{self.schema}_{OTHER_TIME_ZONE_SCHEMA}"

    def rows(self, relation: str, schema: str | None = None) -> list[dict[str, Any]]:
        sql = f'select * from "{schema or self.schema}"."{relation}"'  # noqa: S608 - names fixed by this module
        cursor = self.connection.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ---- the scenario --------------------------------------------------------------------------------


def apply_mutations(site: Site) -> Mutations:
    """Picks targets deterministically (by id) and mutates the site between the two syncs."""
    homepages = {s.homepage_id for s in site.spaces.values()}
    accounts = list(site.users)
    notes_label = site.label_by_name(MEETING_NOTES)
    pages = sorted((p for p in site.pages.values() if p.status == "current" and p.id not in homepages),
                   key=lambda p: int(p.id))
    page_ids = {p.id for p in pages}

    def is_leaf(page_id: str) -> bool:
        return not site.children.get(page_id)

    # An overdue assigned task on a page holding other tasks: its page becomes meeting notes.
    task = next(t for t in sorted(site.tasks.values(), key=lambda t: int(t.id))
                if t.status == "incomplete" and t.assigned_to and t.due_at is not None
                and naive(t.due_at).date() < AS_OF.date()
                and t.container_id in page_ids
                and len(site.tasks_by_container[t.container_id]) >= 2
                and (notes_label is None or notes_label.id not in site.labels_by_content.get(t.container_id, ())))
    taken = {task.container_id}

    def hangs_off(page_id: str) -> tuple[int, int, int]:
        return (len(site.comments_by_container.get(page_id, ())), len(site.attachments_by_container.get(page_id, ())),
                len(site.tasks_by_container.get(page_id, ())))

    # A leaf page carrying comments, attachments and tasks: purging it leaves tombstones of each kind
    # (a leaf, because purging moves children to the grandparent without a version, which no sync sees).
    purged = max((p for p in pages if is_leaf(p.id) and p.id not in taken and min(hangs_off(p.id)[:2]) > 0),
                 key=lambda p: (sum(hangs_off(p.id)), -int(p.id)))
    taken.add(purged.id)
    # A page with live children: they become tree roots once it is trashed.
    trashed = next(p for p in pages if p.id not in taken
                   and any(site.pages[k].status == "current" for k in site.children.get(p.id, ())))
    taken.add(trashed.id)
    archived = next(p for p in pages if p.id not in taken and is_leaf(p.id)
                    and site.labels_by_content.get(p.id) and site.comments_by_container.get(p.id))
    taken.add(archived.id)
    comment = next(c for c in sorted(site.comments.values(), key=lambda c: int(c.id))
                   if c.status == "current" and c.comment_type == "footer" and c.parent_comment_id is not None
                   and c.version.number == 1 and c.container_id in page_ids - taken)
    attachment = next(a for a in sorted(site.attachments.values(), key=lambda a: a.num)
                      if a.status == "current" and a.container_id in page_ids - taken)
    # Written before the first sync, read by it at version 1, edited since: it still counts as written then.
    edited = next(c for c in sorted(site.comments.values(), key=lambda c: int(c.id))
                  if c.status == "current" and c.version.number == 1 and c.id != comment.id
                  and c.container_id in page_ids - taken and c.created_at.month != MUTATED_AT.month)
    trasher = next(a for a in accounts if a != attachment.version.author_id)

    site.trash_page(trashed.id, at=MUTATED_AT, author_id=accounts[1])
    site.purge_page(purged.id)
    site.archive_page(archived.id, at=MUTATED_AT + timedelta(hours=1), author_id=accounts[2])
    site.complete_task(task.id, by_account_id=task.assigned_to, at=MUTATED_AT + timedelta(hours=2))
    site.add_label(task.container_id, MEETING_NOTES)
    site.trash_comment(comment.id, at=MUTATED_AT + timedelta(hours=3), author_id=accounts[3])
    site.trash_attachment(attachment.id, at=MUTATED_AT + timedelta(hours=4), author_id=trasher)
    site.edit_comment(edited.id, "<p>Reworded after the first sync.</p>", at=MUTATED_AT + timedelta(hours=5),
                      author_id=edited.version.author_id)
    return Mutations(trashed.id, purged.id, archived.id, task.id, task.container_id, comment.id, attachment.id,
                     edited.id)


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _sync(source: Any, cache: Any) -> Window:
    # Loads are stamped to the millisecond: widen the window by one on each side.
    start = _utc_now() - timedelta(milliseconds=1)
    source.select_streams(INCREMENTAL_STREAMS)
    source.read(cache=cache, write_strategy=INCREMENTAL_WRITE_STRATEGY)
    source.select_streams(SNAPSHOT_STREAMS)
    # The snapshot stream (spaces): replace.
    source.read(cache=cache, force_full_refresh=True, write_strategy="replace")
    return Window(start, _utc_now() + timedelta(milliseconds=1))


def _run_dbt(args: list[str], db_path: Path, schema: str, work_dir: Path, env: Mapping[str, str] | None = None) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    dbt_vars = {"as_of": AS_OF.strftime("%Y-%m-%d %H:%M:%S"), "stale_after_days": STALE_AFTER_DAYS,
                "meeting_notes_label": MEETING_NOTES}
    command = [str(dbt), *args, "--project-dir", str(REPO / "dbt_project"), "--profiles-dir", str(REPO / "dbt_project"),
               "--target", "duckdb", "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
               "--vars", json.dumps(dbt_vars)]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "CONFLUENCE_"))}
    full_env.update({"CONFLUENCE_DUCKDB_PATH": str(db_path), "CONFLUENCE_DBT_SCHEMA": schema,
                     "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false", **(env or {})})
    result = subprocess.run(command, env=full_env, cwd=work_dir, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        pytest.fail(f"dbt {args[0]} failed ({result.returncode}):\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    work_dir = tmp_path_factory.mktemp("marts_e2e")
    db_path = work_dir / "confluence.duckdb"
    with pytest.MonkeyPatch.context() as patch, ConfluenceDouble(SPEC) as double:
        # Without these PyAirbyte tries to reach its connector registry and telemetry.
        patch.setenv("AIRBYTE_OFFLINE_MODE", "1")
        patch.setenv("DO_NOT_TRACK", "1")
        import airbyte  # only now: offline mode is read once, at import

        assert airbyte.constants.AIRBYTE_OFFLINE_MODE, "airbyte was imported before offline mode was set"
        # Deletion check on every sync, so the second sync already finds the purged items.
        # Every label round on every sync: the label put on a page without a new version lands now.
        config = {**double.config(), "deletion_check_interval_hours": 0, "label_reconciliation_interval_hours": 0}
        source = airbyte.get_source("source-confluence", config=config, local_executable=str(CONNECTOR))
        with airbyte.caches.DuckDBCache(db_path=db_path, schema_name="main") as cache:
            first = FirstSync.capture(double.site)
            first_window = _sync(source, cache)
            mutations = apply_mutations(double.site)
            second_window = _sync(source, cache)
    schema = f"marts_e2e_{uuid.uuid4().hex[:8]}"
    _run_dbt(["build"], db_path, schema, work_dir)
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    build_results = {r["unique_id"]: r["status"] for r in results}
    # The same models built on a machine whose local time zone is not UTC (see the test using them).
    other_dir = work_dir / "other_tz"
    other_dir.mkdir()
    # `build` limited to models and snapshots: staging reads the history snapshots, which `run` skips.
    _run_dbt(["build", "--select", "+confluence__recent_updates", "--resource-type", "model", "--resource-type", "snapshot"],
             db_path, f"{schema}_{OTHER_TIME_ZONE_SCHEMA}",
             other_dir, {"TZ": OTHER_TIME_ZONE})
    truth = MartTruth(Landed.of(double.site, first), as_of=AS_OF, stale_after_days=STALE_AFTER_DAYS,
                      meeting_notes_label=MEETING_NOTES)
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        yield Pipeline(connection, schema, truth, first_window, second_window, mutations, build_results)
    finally:
        connection.close()


# ---- comparison ------------------------------------------------------------------------------------


def keyed(rows: Iterable[Mapping[str, Any]], key: tuple[str, ...]) -> dict[tuple, Mapping[str, Any]]:
    out: dict[tuple, Mapping[str, Any]] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        assert k not in out, f"duplicate key {k}"
        out[k] = row
    return out


def _same(column: str, got: Any, want: Any, ratios: set[str]) -> bool:
    if isinstance(want, Window):
        return got in want
    if want is None or got is None:
        return got is want
    if isinstance(want, bool):
        return isinstance(got, bool) and got == want
    if column in ratios:
        return abs(float(got) - float(want)) <= RATIO_TOLERANCE
    return got == want


def assert_rows_match(mart: str, actual: Mapping[tuple, Mapping[str, Any]], expected: Mapping[tuple, Mapping[str, Any]],
                      ratios: Iterable[str] = ()) -> None:
    ratio_columns = set(ratios)
    missing = sorted(expected.keys() - actual.keys(), key=str)
    extra = sorted(actual.keys() - expected.keys(), key=str)
    wrong = []
    for key in sorted(expected.keys() & actual.keys(), key=str):
        for column, want in expected[key].items():
            got = actual[key][column]
            if not _same(column, got, want, ratio_columns):
                wrong.append(f"{key} {column}: dbt {got!r}, expected {want!r}")
    assert not (missing or extra or wrong), (
        f"{mart}: {len(actual)} rows, expected {len(expected)}; missing {len(missing)}: {missing[:5]}; "
        f"unexpected {len(extra)}: {extra[:5]}; {len(wrong)} wrong values:\n" + "\n".join(wrong[:25]))
    assert len(actual) == len(expected)


# ---- the warehouse holds what the connector documents ------------------------------------------------


def live_labels(rows: list[dict[str, Any]]) -> set[str]:
    """Appended content_labels: the ids whose latest row (by cursor, then load) is no tombstone."""
    latest: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (str(r["updated_at"]), str(r["_airbyte_extracted_at"]))):
        latest[row["id"]] = row
    return {i for i, row in latest.items() if row["deleted_at"] is None}


def test_raw_tables_hold_what_the_connector_documents(pipeline: Pipeline):
    landed = pipeline.truth.landed
    tombstones = {(t.object_type, t.object_id) for t in landed.tombstones}

    def ids(table: str, key: str = "id") -> list[str]:
        return [r[key] for r in pipeline.rows(table, "main")]

    expected = {
        "pages": {i for i, c in landed.content.items() if c.id in landed.site.pages} | {i for t, i in tombstones if t == "page"},
        "blog_posts": {i for i in landed.content if i in landed.site.blog_posts} | {i for t, i in tombstones if t == "blogpost"},
        "comments": set(landed.comments) | {i for t, i in tombstones if t == "comment"},
        "attachments": set(landed.attachments) | {i for t, i in tombstones if t == "attachment"},
        "tasks": set(landed.site.tasks) | landed.orphan_task_ids,
        # Spaces' and attachments' labels land too; the marts use those of pages and blog posts.
        "content_labels": expected_ids(landed.site, first_sync=False)["content_labels"],
    }
    for table, want in expected.items():
        got = ids(table) if table != "content_labels" else live_labels(pipeline.rows(table, "main"))
        assert set(got) == want, f"{table}: {len(set(got) - want)} unexpected, {len(want - set(got))} missing"
    # Appended: every version a sync read is a row, the live one beside its trashed version or tombstone.
    for table, kinds in (("pages", ("page",)), ("blog_posts", ("blogpost",)), ("comments", ("comment",)),
                         ("attachments", ("attachment",))):
        rows_per_id = Counter(ids(table))
        reads = {object_id: len(r) for (kind, object_id), r in landed.reads.items() if kind in kinds}
        assert rows_per_id == reads, table
    assert set(ids("spaces")) == set(landed.site.spaces)
    assert {f"{c}:{label}" for c, label in landed.label_pairs} <= expected["content_labels"]
    # The scenario put every kind of deletion in the warehouse.
    m = pipeline.mutations
    assert {("page", m.purged_page), ("comment", m.trashed_comment)} <= tombstones
    assert {t for t, _ in tombstones} == {"page", "comment", "attachment"}


def test_the_build_passes_every_test_without_warnings(pipeline: Pipeline):
    """The site has comments on pages archived before the first sync, which that sync skips
    (include_archived is false): the tests must allow what the connector documents."""
    landed = pipeline.truth.landed
    assert any(c.container_id not in landed.content for c in landed.comments.values())
    assert {uid: s for uid, s in pipeline.build_results.items() if s not in ("success", "pass")} == {}


# ---- one test per mart -----------------------------------------------------------------------------


def test_content_volume(pipeline: Pipeline):
    expected = pipeline.truth.content_volume()
    actual = keyed(pipeline.rows("confluence__content_volume"), ("period_type", "period_start", "space_id", "content_type"))
    assert_rows_match("confluence__content_volume", actual, expected)
    # Zero rows fill the spine, and the mutations' week counts the archive and the task's page edit.
    assert any(r["content_created_count"] == 0 and r["content_updated_count"] == 0 for r in expected.values())
    mutation_week = MUTATED_AT.date() - timedelta(days=MUTATED_AT.weekday())
    assert sum(r["content_updated_count"] for (p, s, _, _), r in expected.items() if p == "week" and s == mutation_week) == 2


def test_contributors(pipeline: Pipeline):
    expected = pipeline.truth.contributors()
    actual = keyed(pipeline.rows("confluence__contributors"), ("period_type", "period_start", "account_id"))
    assert_rows_match("confluence__contributors", actual, expected)
    assert any(r["contributor_rank"] > 1 for r in expected.values())
    assert any(r["comments_written_count"] and r["tasks_completed_count"] for r in expected.values())
    # Every live comment on live content counts once, in the month it was written, edited or not.
    truth = pipeline.truth
    comments = [c for c in truth.landed.comments.values() if truth.landed.container_is_live(c.container_id)]
    assert any(c.version.number > 1 for c in comments)
    assert sum(r["comments_written_count"] for (p, _, _), r in actual.items() if p == "month") == len(comments)
    edited = truth.site.comments[pipeline.mutations.edited_comment]
    month = actual[("month", naive(edited.created_at).date().replace(day=1), edited.version.author_id)]
    assert month["comments_written_count"] >= 1 and edited.version.number == 2


def test_label_distribution(pipeline: Pipeline):
    expected = {(k,): v for k, v in pipeline.truth.label_distribution().items()}
    actual = keyed(pipeline.rows("confluence__label_distribution"), ("label_id",))
    assert_rows_match("confluence__label_distribution", actual, expected, ratios={"content_share"})
    notes = next(r for r in expected.values() if r["label_name"] == MEETING_NOTES)
    assert notes["content_count"] > 1 and notes["space_count"] >= 1


def test_recent_updates(pipeline: Pipeline):
    expected = {(r["recency_rank"],): r for r in pipeline.truth.recent_updates()}
    actual = keyed(pipeline.rows("confluence__recent_updates"), ("recency_rank",))
    assert_rows_match("confluence__recent_updates", actual, expected)
    m = pipeline.mutations
    # The newest changes are the mutations: the task's page (completed at +2h) then the archived page.
    assert [expected[(1,)]["content_id"], expected[(2,)]["content_id"]] == [m.meeting_notes_page, m.archived_page]


def test_stale_content(pipeline: Pipeline):
    expected = {(k,): v for k, v in pipeline.truth.stale_content().items()}
    actual = keyed(pipeline.rows("confluence__stale_content"), ("page_id",))
    assert_rows_match("confluence__stale_content", actual, expected)
    m = pipeline.mutations
    assert (m.archived_page,) not in actual and (m.trashed_page,) not in actual
    assert any(r["page_depth"] >= 2 for r in expected.values())
    # The threshold itself: exactly STALE_AFTER_DAYS days is stale, one day less is not.
    assert any(r["days_since_update"] == STALE_AFTER_DAYS for r in expected.values())
    truth = pipeline.truth
    fresher = [c.id for c in truth.landed.live.values() if c.id in truth.site.pages and c.status == "current"
               and truth.days_since(c.version.created_at) == STALE_AFTER_DAYS - 1]
    assert fresher and not any((page_id,) in actual for page_id in fresher)


def test_task_completion(pipeline: Pipeline):
    expected = pipeline.truth.task_completion()
    actual = keyed(pipeline.rows("confluence__task_completion"), ("space_id", "assignee_account_id"))
    assert_rows_match("confluence__task_completion", actual, expected, ratios={"completion_rate"})
    assert any(r["is_unassigned"] for r in expected.values())
    assert sum(r["overdue_task_count"] for r in expected.values()) > 0
    # Incomplete tasks due on the reference date itself are counted as open, not overdue.
    landed = pipeline.truth.landed
    assert any(t.status == "incomplete" and t.due_at is not None and naive(t.due_at).date() == AS_OF.date()
               and landed.container_is_live(t.container_id) for t in landed.tasks.values())


def test_comment_activity(pipeline: Pipeline):
    expected = {(k,): v for k, v in pipeline.truth.comment_activity().items()}
    actual = keyed(pipeline.rows("confluence__comment_activity"), ("content_id",))
    assert_rows_match("confluence__comment_activity", actual, expected)
    m = pipeline.mutations
    assert expected[(m.archived_page,)]["comment_count"] > 0
    assert sum(1 for r in expected.values() if r["comment_count"] == 0) > 0


def test_knowledge_gaps(pipeline: Pipeline):
    expected = pipeline.truth.knowledge_gaps()
    actual = keyed(pipeline.rows("confluence__knowledge_gaps"), ("subject_type", "subject_id"))
    assert_rows_match("confluence__knowledge_gaps", actual, expected,
                      ratios={"stale_share", "rest_of_site_stale_share", "peer_average_content_count"})
    assert {t for t, _ in expected} == {"space", "label"}
    assert any(r["is_knowledge_gap"] for r in expected.values())


def test_meeting_notes_digest(pipeline: Pipeline):
    truth = pipeline.truth
    expected = truth.meeting_notes_digest()
    rows = pipeline.rows("confluence__meeting_notes_digest")
    actual = keyed(rows, ("content_id", "task_id"))
    assert_rows_match("confluence__meeting_notes_digest", actual, expected)
    phrases = truth.meeting_note_phrases()
    mentions = truth.meeting_note_mentions()
    for row in rows:
        if row["task_id"] is not None:
            phrase = phrases[row["task_id"]]
            text = row["task_text"] or ""
            assert (phrase in text) if phrase else not row["task_text"], row["task_id"]
            # Mentions read as the users' names, never as account ids.
            assert all(f"@{name}" in text for name in mentions[row["task_id"]].values()), (row["task_id"], text)
            assert not any(f"@{account_id}" in text for account_id in mentions[row["task_id"]]), (row["task_id"], text)
    assert any(mentions[task_id] for _, task_id in expected if task_id is not None)
    m = pipeline.mutations
    completed = expected[(m.meeting_notes_page, m.completed_task)]
    assert completed["task_status"] == "complete" and completed["is_overdue"] is False
    assert any(task_id is None for _, task_id in expected)


def test_source_deleted_content(pipeline: Pipeline):
    windows = {FIRST: pipeline.first_window, SECOND: pipeline.second_window}
    expected = pipeline.truth.source_deleted_content(windows)
    actual = keyed(pipeline.rows("confluence__source_deleted_content"), ("object_type", "object_id"))
    assert_rows_match("confluence__source_deleted_content", actual, expected)
    m = pipeline.mutations
    assert expected[("page", m.trashed_page)]["deletion_kind"] == "trashed"
    assert expected[("page", m.purged_page)]["deletion_kind"] == "purged"
    assert expected[("attachment", m.trashed_attachment)]["deletion_kind"] == "trashed"
    # The site-wide comment lists drop trashed comments: the connector can only report them as purged.
    assert expected[("comment", m.trashed_comment)]["deletion_kind"] == "purged"
    # Everything deleted after the first sync was seen live by it, and keeps what it was.
    first = pipeline.truth.landed.first
    deleted_since = {k: r for k, r in expected.items() if r["deletion_detected_at"] is pipeline.second_window}
    assert {("page", m.trashed_page), ("page", m.purged_page), ("comment", m.trashed_comment)} <= set(deleted_since)
    assert all(r["was_seen_live"] and r["last_seen_live_at"] is pipeline.first_window for r in deleted_since.values())
    purged = actual[("page", m.purged_page)]
    assert (purged["title"], purged["author_account_id"]) == (first.content[m.purged_page].title,
                                                              first.content[m.purged_page].author_id)
    assert all(r["title"] is not None and r["author_account_id"] is not None for r in deleted_since.values())
    # Deleted before the first sync: never seen live.
    assert any(not r["was_seen_live"] and r["first_imported_at"] is pipeline.first_window for r in expected.values())


def test_content_enhanced(pipeline: Pipeline):
    expected = {(k,): v for k, v in content_enhanced(pipeline.truth).items()}
    actual = keyed(pipeline.rows("confluence__content_enhanced"), ("content_id",))
    assert_rows_match("confluence__content_enhanced", actual, expected)
    m = pipeline.mutations
    assert (m.trashed_page,) not in actual and expected[(m.archived_page,)]["status"] == "archived"
    assert all(any(r[c] for r in expected.values()) for c in ("label_names", "task_count", "attachment_count"))


def test_user_enhanced(pipeline: Pipeline):
    landed = pipeline.truth.landed
    # Every account a synced record references (the users stream carries exactly those).
    accounts = referenced_accounts(landed.site) | {seen.author_id for reads in landed.reads.values()
                                                   for _, seen in reads if seen.author_id}
    expected = {(k,): v for k, v in user_enhanced(pipeline.truth, accounts).items()}
    actual = keyed(pipeline.rows("confluence__user_enhanced"), ("account_id",))
    assert_rows_match("confluence__user_enhanced", actual, expected)
    assert sum(r["total_contributions"] for r in expected.values()) == len(pipeline.truth.contribution_events())
    assert any(r["overdue_assigned_task_count"] for r in expected.values())


def test_marts_do_not_depend_on_the_machine_time_zone(pipeline: Pipeline):
    """The project promises UTC timestamps whatever the loader wrote; a build on a machine set to
    America/New_York must give the same feed as the UTC build."""
    expected = {(r["recency_rank"],): r for r in pipeline.truth.recent_updates()}
    actual = keyed(pipeline.rows("confluence__recent_updates", pipeline.other_time_zone_schema), ("recency_rank",))
    assert_rows_match("confluence__recent_updates (built with TZ=America/New_York)", actual, expected)
