"""End to end: the double's generated site, synced by the connector through PyAirbyte into DuckDB,
built with ``dbt build``, and every mart compared with what ``mart_truth`` expects from the site model.

The session fixture (`marts_pipeline`) syncs once, mutates the site (`marts_scenario`: content,
access, folders, decisions and views), syncs again incrementally, so that deleted content and
tombstones are in the warehouse, then builds the dbt project with a fixed reference time. Counts
and ids must match exactly, ratios to 1e-6. The access, history and engagement marts are checked in
test_marts_access_end_to_end.py.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from integration_tests.entity_mart_truth import content_enhanced, user_enhanced
from integration_tests.marts_pipeline import Pipeline, assert_rows_match, keyed
from integration_tests.marts_scenario import AS_OF, MEETING_NOTES, MUTATED_AT, STALE_AFTER_DAYS
from integration_tests.site_truth import expected_ids, referenced_accounts, version_authors
from integration_tests.sync_history import FIRST, SECOND, naive

pytestmark = [pytest.mark.integration, pytest.mark.pipeline]


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
    # content_versions is synced: the users stream resolves every version author too.
    accounts |= version_authors(landed.site) | {r["author_id"] for r in pipeline.truth.content_versions
                                                if r["author_id"] in landed.site.users}
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
