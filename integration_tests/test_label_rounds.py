"""content_labels incremental over the double: a no-change sync reads no label list; the labels of
edited content arrive with the edit; a label added or removed without a version arrives at its
key's next round, a removal as a tombstone."""

from __future__ import annotations

import pytest
from airbyte_cdk.test.entrypoint_wrapper import read

from confluence_double import ConfluenceDouble, DataCenterDouble, SiteSpec
from integration_tests.conftest import catalog, final_state, sync
from source_confluence import SourceConfluence

pytestmark = pytest.mark.integration
STREAMS = ["pages", "content_labels"]
NEVER_DUE = {"label_reconciliation_interval_hours": 8760}
TINY = SiteSpec(spaces=2, pages=120, blog_posts=20, footer_comments=60, inline_comments=20, tasks=40,
                attachments=20, labels=10, users=8, seed=11, body_bytes=800)


def label_rows(output):
    return [m.record.data for m in output.records if m.record.stream == "content_labels"]


def label_requests(double: ConfluenceDouble) -> list[str]:
    return [r.path for r in double.requests if "/labels" in r.path]


def unlabelled_page(site) -> str:
    return next(pid for pid in sorted(site.pages) if not site.labels_by_content.get(pid))


def test_no_change_sync_reads_no_label_listing(tiny_double: ConfluenceDouble):
    first = sync(tiny_double, STREAMS, **NEVER_DUE)
    assert len(label_rows(first)) > 50
    tiny_double.reset_requests()
    second = sync(tiny_double, STREAMS, final_state(first), **NEVER_DUE)
    assert label_rows(second) == []
    assert label_requests(tiny_double) == []


def test_labels_of_an_edited_page_arrive_with_the_edit(tiny_double: ConfluenceDouble):
    site = tiny_double.site
    first = sync(tiny_double, STREAMS, **NEVER_DUE)
    page_id = unlabelled_page(site)
    label = site.add_label(page_id, "fresh-label")
    site.edit_page(page_id, title="Edited with a label")
    tiny_double.reset_requests()
    second = sync(tiny_double, STREAMS, final_state(first), **NEVER_DUE)
    assert [(row["id"], row.get("deleted_at")) for row in label_rows(second)] == [(f"{page_id}:{label.id}", None)]
    # Read with the search (api/cloud/label_search.py): no per-page label list.
    assert label_requests(tiny_double) == []
    searches = [r.query for r in tiny_double.requests if r.path == "/wiki/rest/api/content/search"]
    assert searches == [{"cql": [f"id in ({page_id})"], "expand": ["metadata.labels,version"], "limit": ["100"]}]


def test_changes_without_a_version_arrive_at_the_next_round_and_removals_as_tombstones(tiny_double: ConfluenceDouble):
    site = tiny_double.site
    first = sync(tiny_double, STREAMS, **NEVER_DUE)
    labelled = next(pid for pid in sorted(site.pages) if site.labels_by_content.get(pid))
    removed = site.labels[site.labels_by_content[labelled][0]]
    site.remove_label(labelled, removed.name)
    added_to = unlabelled_page(site)
    added = site.add_label(added_to, removed.name)
    quiet = sync(tiny_double, STREAMS, final_state(first), **NEVER_DUE)
    assert label_rows(quiet) == []  # no version, no round due: nothing yet
    due = sync(tiny_double, STREAMS, final_state(quiet), label_reconciliation_interval_hours=0)
    rows = {row["id"]: row for row in label_rows(due)}
    gone = rows[f"{labelled}:{removed.id}"]
    assert gone.get("deleted_at") is not None and gone.get("deleted_at") == gone["updated_at"]
    assert rows[f"{added_to}:{added.id}"].get("deleted_at") is None
    live = {row_id for row_id, row in rows.items() if row.get("deleted_at") is None}
    before = {row["id"] for row in label_rows(first)}
    assert live == before - {f"{labelled}:{removed.id}"} | {f"{added_to}:{added.id}"}
    after = sync(tiny_double, STREAMS, final_state(due), label_reconciliation_interval_hours=0)
    assert not [row for row in label_rows(after) if row.get("deleted_at") is not None]  # a tombstone once


def test_data_center_reads_the_labels_of_changed_content_by_search_and_rounds_per_space():
    with DataCenterDouble(TINY) as dc:
        site = dc.site
        config = {**dc.config(), **NEVER_DUE}
        first = read(SourceConfluence(), config, catalog(STREAMS), None)
        assert label_rows(first)
        page_id = unlabelled_page(site)
        label = site.add_label(page_id, "fresh-label")
        site.edit_page(page_id, title="Edited with a label")
        dc.reset_requests()
        second = read(SourceConfluence(), config, catalog(STREAMS), final_state(first))
        assert [row["id"] for row in label_rows(second)] == [f"{page_id}:{label.id}"]
        searches = [r.query for r in dc.requests if "metadata.labels" in r.query.get("expand", [""])[0] and "cql" in r.query]
        assert len(searches) == 1 and f"id in ({page_id})" in searches[0]["cql"][0]  # by id, no space listing
        labelled = next(cid for cid in sorted(site.pages) if site.labels_by_content.get(cid) and cid != page_id)
        removed = site.labels[site.labels_by_content[labelled][0]]
        site.remove_label(labelled, removed.name)
        due = read(SourceConfluence(), {**config, "label_reconciliation_interval_hours": 0}, catalog(STREAMS),
                   final_state(second))
        gone = {row["id"]: row for row in label_rows(due) if row.get("deleted_at")}
        assert list(gone) == [f"{labelled}:{removed.id}"]
