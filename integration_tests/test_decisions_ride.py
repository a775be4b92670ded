"""`decisions` riding the pages and blog posts walks over real HTTP, on both flavours of the double
(issue 14): synced with them it makes no request of its own, and an edit that removes a decision is
tombstoned by the next sync."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from confluence_double import ConfluenceDouble, DataCenterDouble, SiteSpec
from integration_tests.conftest import final_state, records_by_stream, sync
from integration_tests.test_decisions import live

pytestmark = pytest.mark.integration

SPEC = SiteSpec(spaces=2, pages=120, blog_posts=16, footer_comments=10, inline_comments=4, tasks=20,
                attachments=4, labels=4, users=6, seed=11, body_bytes=600)
STREAMS = ("pages", "blog_posts", "decisions")
COST = re.compile(r"Cost of stream '([^']+)': (\d+) request\(s\)")


@pytest.fixture(params=["cloud", "datacenter"])
def either(request) -> Iterator[ConfluenceDouble | DataCenterDouble]:
    with (ConfluenceDouble(SPEC) if request.param == "cloud" else DataCenterDouble(SPEC)) as server:
        yield server


def requests_of(output, stream: str) -> int:
    """The stream's requests, as the sync's cost lines report them (none listed: none made)."""
    found = [COST.search(m.log.message) for m in output.logs]
    return sum(int(m.group(2)) for m in found if m and m.group(1) == stream)


def test_riding_the_content_walks_costs_no_request_and_a_removed_decision_is_tombstoned(either):
    site = either.site
    first = sync(either, STREAMS)
    assert not first.errors
    assert set(records_by_stream(first)["decisions"]) == live(either) and live(either)
    assert requests_of(first, "pages") > 0 and requests_of(first, "decisions") == 0

    second = sync(either, STREAMS, state=final_state(first))
    assert not second.errors and requests_of(second, "decisions") == 0
    assert not any(r.get("deleted_at") for r in records_by_stream(second).get("decisions", {}).values())

    holder = next(p for p in site.pages.values()
                  if p.status == "current" and p.body is None and len(site.decisions_of(p.id)) >= 2)
    gone, kept = site.decisions_of(holder.id)[:2]
    site.remove_decision(holder.id, gone.local_id)
    third = sync(either, STREAMS, state=final_state(second))
    assert not third.errors and requests_of(third, "decisions") == 0
    delta = records_by_stream(third)["decisions"]
    assert delta[gone.id]["deleted_at"] and delta[gone.id]["updated_at"] >= records_by_stream(third)["pages"][
        holder.id]["updated_at"]
    assert delta[kept.id].get("deleted_at") is None and kept.id in live(either)
    assert {i for i, r in delta.items() if r.get("deleted_at")} == {gone.id}


def states_before_first_decision(output) -> list:
    """The states a platform keeps from a sync killed just before its first decision record."""
    kept = {}
    for message in output.records_and_state_messages:
        if message.record is not None and message.record.stream == "decisions":
            break
        if message.state is not None:
            kept[message.state.stream.stream_descriptor.name] = message.state
    return list(kept.values())


def test_a_sync_killed_before_the_decisions_leaves_them_pending_and_the_next_reads_them_by_id(either):
    site = either.site
    first = sync(either, STREAMS)
    assert not first.errors
    page = next(p for p in site.pages.values() if p.status == "current" and p.body is None)
    added = site.add_decision(page.id, "Freeze the schema", decided=True)
    second = sync(either, STREAMS, state=final_state(first))
    assert records_by_stream(second)["decisions"][added.id]["state"] == "decided"
    killed = states_before_first_decision(second)
    assert "pages" in {s.stream.stream_descriptor.name for s in killed}

    before = len(either.requests)
    third = sync(either, STREAMS, state=killed)
    assert not third.errors
    resumed = records_by_stream(third)["decisions"]
    assert resumed[added.id]["state"] == "decided" and resumed[added.id]["text"] == "Freeze the schema"
    by_id = [r for r in either.requests[before:]
             if any(v == page.id or f"id in ({page.id})" in v for values in r.query.values() for v in values)]
    assert len(by_id) == requests_of(third, "decisions") == 1  # the pending page, read by id with its body
