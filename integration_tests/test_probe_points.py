"""Where requests are metered in points (scoped API tokens and OAuth, through the gateway), a sync
with nothing changed finds it with one small page per partition (streams/probe.py); what changed is
still read, and the records are those an API-token sync reads."""

from __future__ import annotations

import re

from airbyte_cdk.test.entrypoint_wrapper import read

from confluence_double import ConfluenceDouble, SiteSpec
from integration_tests.conftest import catalog, final_state, records_by_stream
from source_confluence import SourceConfluence
from source_confluence.http.auth import AtlassianEndpoints
from source_confluence.streams.probe import METERED_PAGE_SIZE

SITE = SiteSpec(spaces=3, pages=300, blog_posts=30, footer_comments=120, inline_comments=30, tasks=60,
                attachments=40, labels=6, users=10, seed=5, body_bytes=300)
WALKED = ("pages", "blog_posts", "comments", "tasks", "attachments")
PER_STREAM = re.compile(r"Cost of stream '([^']+)': (\d+) request\(s\), (\d+) object\(s\) returned, (\d+) point")


def points(output) -> dict[str, tuple[int, int]]:
    found = (PER_STREAM.search(m.log.message) for m in output.logs)
    return {m.group(1): (int(m.group(2)), int(m.group(3))) for m in found if m}


def scoped_sync(double: ConfluenceDouble, state=None):
    source = SourceConfluence(endpoints=AtlassianEndpoints(api_url=double.url, auth_url=double.url))
    return read(source, double.oauth.scoped_config(double.url), catalog(WALKED), state)


def test_a_no_change_sync_costs_a_small_page_per_partition_and_changes_still_arrive():
    with ConfluenceDouble(SITE) as double:
        first = scoped_sync(double)
        assert not first.errors
        unchanged = scoped_sync(double, final_state(first))
        cost = points(unchanged)
        assert {s: r for s, r in records_by_stream(unchanged).items() if s != "users"} == {}
        # pages, blog posts: one per space; comments: footer and inline; attachments: one; every
        # request a probe of a few objects, never a page of 250.
        assert cost["pages"][0] == cost["blog_posts"][0] == 3 and cost["attachments"][0] == 1
        assert cost["comments"][0] == 2
        for stream in ("pages", "blog_posts", "comments", "attachments"):
            requests, objects = cost[stream]
            assert objects <= 3 * requests, (stream, cost[stream])

        page = next(p for p in double.site.pages.values() if p.status == "current")
        double.site.edit_page(page.id, title="Edited for the probe test")
        container = next(p for p in double.site.pages.values() if p.status == "current" and p.id != page.id)
        double.site.add_comment(container.id, "<p>a new comment</p>")
        changed = scoped_sync(double, final_state(unchanged))
        assert not changed.errors
        # The edited page's space: its probe, then one page of 25 from the top (100 pages per space,
        # all of which a page of 250 would return); the other spaces: their probes.
        requests, objects = points(changed)["pages"]
        assert requests == 3 + 1 and objects <= 3 * 3 + METERED_PAGE_SIZE, points(changed)["pages"]
        read_back = records_by_stream(changed)
        assert page.id in read_back["pages"] and read_back["pages"][page.id]["title"] == "Edited for the probe test"
        assert len(read_back["comments"]) == 1

        # An API-token sync of the same site and state reads the same records.
        token = read(SourceConfluence(), double.config(), catalog(WALKED), final_state(unchanged))
        assert {s: set(r) for s, r in records_by_stream(token).items()} == {
            s: set(r) for s, r in read_back.items()}
