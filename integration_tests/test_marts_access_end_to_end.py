"""End to end, the access, history and engagement marts: the warehouse built by `marts_pipeline`
(two syncs around `marts_scenario`'s mutations) against truths computed from the double's site
model: `access_mart_truth` over the site's restrictions, folders, groups, members and space grants
(`site_access_records`), and `history_mart_truth` for decisions and page views."""

from __future__ import annotations

import pytest

from integration_tests.access_mart_truth import access_overview, content_access, content_access_by_user
from integration_tests.history_mart_truth import content_engagement, decision_log, digest_decisions
from integration_tests.marts_pipeline import POPULAR_VIEWS, Pipeline, assert_rows_match, keyed

pytestmark = [pytest.mark.integration, pytest.mark.pipeline]


def test_content_access(pipeline: Pipeline):
    expected = {(k,): v for k, v in content_access(pipeline.access).items()}
    actual = keyed(pipeline.rows("confluence__content_access"), ("content_access_id",))
    assert_rows_match("confluence__content_access", actual, expected)
    m = pipeline.mutations
    # The page restricted between the syncs: its readers are the restricting group's members and the
    # user it names (the group holds no space permission of its own, so it has no group row).
    mine = [r for r in expected.values() if r["content_id"] == m.restricted_page]
    assert mine and all(r["restriction_source"] == "self" and r["principal_type"] == "user" for r in mine)
    assert {r["restriction_source"] for r in expected.values()} >= {"none", "self", "ancestor"}


def test_content_access_by_user(pipeline: Pipeline):
    expected = {(k,): v for k, v in content_access_by_user(pipeline.access).items()}
    actual = keyed(pipeline.rows("confluence__content_access_by_user"), ("content_user_id",))
    assert_rows_match("confluence__content_access_by_user", actual, expected)
    m = pipeline.mutations
    _, joined = m.joined_group
    # The user added to the restricting group after the first sync now reads the restricted page and
    # its children (restrictions are inherited).
    assert expected[(f"{m.restricted_page}:{joined}",)]["restriction_access"] == f"group:{m.joined_group[0]}"
    children = [c for c in pipeline.truth.site.children.get(m.restricted_page, ())
                if pipeline.truth.site.pages[c].status == "current"]
    assert children and all(actual[(f"{c}:{joined}",)]["restriction_access"] == f"group:{m.joined_group[0]}"
                            for c in children)


def test_access_overview(pipeline: Pipeline):
    expected = {(k,): v for k, v in access_overview(pipeline.access).items()}
    actual = keyed(pipeline.rows("confluence__access_overview"), ("content_id",))
    assert_rows_match("confluence__access_overview", actual, expected)
    m = pipeline.mutations
    assert actual[(m.restricted_page,)]["is_restricted"] is True
    lifted = expected[(m.lifted_page,)]
    assert lifted["restriction_source"] in ("none", "ancestor")  # its own restriction was lifted
    assert any(r["is_open_to_anonymous"] for r in expected.values())
    assert any(r["nearest_restricted_ancestor_id"] for r in expected.values())


def test_moved_page_sits_in_its_folder(pipeline: Pipeline):
    m = pipeline.mutations
    site = pipeline.truth.site
    row = keyed(pipeline.rows("confluence__content_enhanced"), ("content_id",))[(m.moved_page,)]
    assert row["parent_id"] == m.moved_into_folder
    assert row["page_path_titles"].endswith(f"{site.folders[m.moved_into_folder].title} > {site.pages[m.moved_page].title}")
    assert row["root_page_id"] == m.moved_page  # no page above it: folders are not roots


def test_decision_log(pipeline: Pipeline):
    expected = decision_log(pipeline.truth, pipeline.first_versions)
    actual = keyed(pipeline.rows("confluence__decision_log"), ("decision_id",))
    assert_rows_match("confluence__decision_log", actual, expected)
    m = pipeline.mutations
    container = m.removed_decision.split(":", 1)[0]
    assert (m.removed_decision,) not in actual
    # The other decisions of its page keep the time they were first seen; the page moved on.
    siblings = [r for r in expected.values() if r["container_id"] == container]
    assert all(r["first_seen_at"] < r["updated_at"] for r in siblings)
    assert {r["state"] for r in expected.values()} == {"decided", "undecided"}
    assert any(r["is_meeting_note"] for r in expected.values())


def test_meeting_notes_digest_counts_decisions(pipeline: Pipeline):
    counts = digest_decisions(pipeline.truth)
    rows = pipeline.rows("confluence__meeting_notes_digest")
    assert rows
    for row in rows:
        assert (row["decision_count"], row["decided_decision_count"]) == counts.get(row["content_id"], (0, 0)), row["content_id"]
    assert any(row["decision_count"] for row in rows)


def test_content_engagement(pipeline: Pipeline):
    expected = content_engagement(pipeline.truth, pipeline.first_window, pipeline.second_window, POPULAR_VIEWS)
    actual = keyed(pipeline.rows("confluence__content_engagement"), ("content_id",))
    assert_rows_match("confluence__content_engagement", actual, expected)
    m = pipeline.mutations
    viewed = actual[(m.viewed_page,)]
    assert viewed["view_count"] == pipeline.truth.site.view_counts(m.viewed_page, None)[0] and viewed["view_count"] >= 3
    assert any(r["is_stale_and_unread"] for r in expected.values())
    assert any(r["is_popular_but_stale"] for r in expected.values())
