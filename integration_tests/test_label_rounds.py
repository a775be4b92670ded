"""content_labels incremental over the double: a no-change sync reads no label list; the labels of
edited content arrive with the edit; a label added or removed without a version arrives at its
key's next round, a removal as a tombstone."""

from __future__ import annotations

import pytest

from confluence_double import ConfluenceDouble
from integration_tests.conftest import final_state, sync

pytestmark = pytest.mark.integration
STREAMS = ["pages", "content_labels"]
NEVER_DUE = {"label_reconciliation_interval_hours": 8760}


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
    assert label_requests(tiny_double) == [f"/wiki/api/v2/pages/{page_id}/labels"]


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
