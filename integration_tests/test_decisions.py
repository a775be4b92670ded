"""`decisions` and the removal of tasks over real HTTP, on both flavours of the double (issue 14):
a full sync equals the site, an incremental one carries exactly the changes (decisions added,
decided, removed, their containers trashed or purged; a task removed from its body) and leaves the
warehouse equal to the site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from confluence_double import ConfluenceDouble, DataCenterDouble, SiteSpec
from integration_tests.conftest import final_state, records_by_stream, requests_by_path, sync
from integration_tests.site_truth import live_decisions

pytestmark = pytest.mark.integration

SPEC = SiteSpec(spaces=2, pages=160, blog_posts=20, footer_comments=40, inline_comments=10, tasks=60,
                attachments=10, labels=10, users=8, seed=5, body_bytes=700)
STREAMS = ("decisions", "tasks")
ALWAYS_CHECK = {"deletion_check_interval_hours": 0}


@pytest.fixture(params=["cloud", "datacenter"])
def either(request) -> Iterator[ConfluenceDouble | DataCenterDouble]:
    with (ConfluenceDouble(SPEC) if request.param == "cloud" else DataCenterDouble(SPEC)) as server:
        yield server


def live(double) -> set[str]:
    """What the warehouse must hold: Data Center lists current content only (archived pages too on Cloud)."""
    site, truth = double.site, live_decisions(double.site)
    if not isinstance(double, DataCenterDouble):
        return truth
    return {i for i in truth if site.container(i.split(":")[0]).status == "current"}


def merged(*outputs) -> dict[str, dict]:
    """Records applied in order, as a destination keeping the last record per key does."""
    out: dict[str, dict] = {"decisions": {}, "tasks": {}}
    for output in outputs:
        for stream, records in records_by_stream(output).items():
            out[stream].update(records)
    return out


def test_full_and_incremental_syncs_equal_the_site(either):
    site = either.site
    first = sync(either, STREAMS)
    assert not first.errors
    warehouse = merged(first)
    assert set(warehouse["decisions"]) == live(either) and live(either)
    sample = next(iter(sorted(live(either))))
    container_id, local_id = sample.split(":")
    decision = next(d for d in site.decisions_of(container_id) if d.local_id == local_id)
    record = warehouse["decisions"][sample]
    assert record["state"] == ("decided" if decision.decided else "undecided")
    assert record["updated_at"] == record["first_seen_at"] and record.get("deleted_at") is None

    pages = [p for p in site.pages.values() if p.status == "current" and p.body is None]
    holders = [p for p in pages if site.decisions_of(p.id)]
    added = site.add_decision(pages[3].id, "Adopt the new runbook", decided=False)
    legacy = site.add_decision(pages[4].id, "Keep the old process", legacy=True)
    changed, removed_from, trashed, purged = holders[0], holders[1], holders[2], holders[3]
    flipped = site.decide(changed.id, site.decisions_of(changed.id)[0].local_id,
                          decided=not site.decisions_of(changed.id)[0].decided)
    gone = site.decisions_of(removed_from.id)[0]
    site.remove_decision(removed_from.id, gone.local_id)
    trashed_ids = {d.id for d in site.decisions_of(trashed.id)}
    site.trash_page(trashed.id)
    purged_ids = {d.id for d in site.decisions_of(purged.id)}
    for child in list(site.children.get(purged.id, ())):
        site.move_page(child, pages[0].id)
    site.purge_page(purged.id)
    task = next(t for t in site.tasks.values() if t.container_type == "page" and site.pages[t.container_id].body is None
                and site.pages[t.container_id].status == "current" and t.container_id not in (trashed.id, purged.id))
    task_ids = {task.id, f"{task.container_id}-{task.local_id}"}
    site.remove_task(task.id)

    second = sync(either, STREAMS, state=final_state(first), **ALWAYS_CHECK)
    assert not second.errors
    delta = records_by_stream(second)["decisions"]
    assert {added.id, legacy.id, flipped.id} <= set(delta)
    assert delta[added.id]["state"] == "undecided" and delta[legacy.id]["text"] == "Keep the old process"
    assert delta[flipped.id]["first_seen_at"] == record_first_seen(warehouse, flipped.id)
    tombstones = {i for i, r in delta.items() if r.get("deleted_at")}
    assert tombstones == {gone.id} | trashed_ids | purged_ids
    task_tombstones = {i for i, r in records_by_stream(second).get("tasks", {}).items() if r.get("deleted_at")}
    if isinstance(either, DataCenterDouble):  # parsed from the body read again
        assert task_tombstones == task_ids & {f"{task.container_id}-{task.local_id}"}
    else:  # Cloud's task list just stops listing it (see the docs' Limitations)
        assert not task_tombstones

    warehouse = merged(first, second)
    assert {i for i, r in warehouse["decisions"].items() if not r.get("deleted_at")} == live(either)

    # Nothing changed: one request per space and container type (and the tasks' walks).
    before = len(either.requests)
    third = sync(either, ["decisions"], state=final_state(second))
    assert not third.errors and not third.records
    assert len(either.requests) - before <= 2 * len(site.spaces) + 2  # the spaces list, and (DC) the clock


def record_first_seen(warehouse: dict, decision_id: str) -> str:
    return warehouse["decisions"][decision_id]["first_seen_at"]


def test_decisions_read_no_container_twice_and_no_other_list(double):
    first = sync(double, ["decisions"])
    assert not first.errors
    paths = requests_by_path(double)
    assert set(paths) <= {"/wiki/api/v2/spaces", "/wiki/api/v2/pages", "/wiki/api/v2/blogposts",
                          "/wiki/api/v2/users-bulk"}
