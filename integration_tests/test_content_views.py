"""`content_views` over real HTTP (issue 14): the counts equal the double's, a sync spends at most
`page_views_budget` requests and the stream costs nothing when off; Data Center answers 404."""

from __future__ import annotations

import urllib.request
from urllib.error import HTTPError

import pytest

from confluence_double import ConfluenceDouble, DataCenterDouble, SiteSpec
from confluence_double.model.views import parse_from_date
from integration_tests.conftest import final_state, sync

pytestmark = pytest.mark.integration

SPEC = SiteSpec(spaces=2, pages=60, blog_posts=10, footer_comments=10, inline_comments=4, tasks=10,
                attachments=4, labels=4, users=6, seed=3, body_bytes=500, views_per_content=12)
FROM = "2024-01-01T00:00:00.000Z"


def analytics_requests(double, since: int) -> int:
    return sum(1 for r in double.requests[since:] if "/rest/api/analytics/" in r.path)


def stream_requests(double, since: int) -> int:
    """What content_views asks: the id listings and the analytics counts."""
    return sum(1 for r in double.requests[since:]
               if "/rest/api/analytics/" in r.path or r.path in ("/wiki/api/v2/pages", "/wiki/api/v2/blogposts"))


def live_ids(site) -> set[str]:
    return ({i for i, p in site.pages.items() if p.status == "current"}
            | {i for i, b in site.blog_posts.items() if b.status == "current"})


def records_of(output) -> dict:
    return {r.record.data["content_id"]: r.record.data for r in output.records}


def test_counts_equal_the_site_and_move_with_it():
    with ConfluenceDouble(SPEC) as double:
        site = double.site
        first = sync(double, ["content_views"], page_views=True, page_views_from=FROM)
        assert not first.errors
        got = records_of(first)
        assert set(got) == live_ids(site)
        for content_id, record in got.items():
            assert (record["views"], record["viewers"]) == site.view_counts(content_id, parse_from_date(FROM))
            assert record["counted_from"] == FROM
        read = next(iter(sorted(got)))
        reader = sorted(site.users)[-1]
        site.view_content(read, reader, times=3)
        # Budget: the listings (1 per space and type) and every page again.
        second = sync(double, ["content_views"], state=final_state(first), page_views=True, page_views_from=FROM,
                      page_views_budget=2 * len(got) + 2 * len(site.spaces))
        assert not second.errors
        moved = records_of(second)[read]
        assert moved["views"] >= got[read]["views"] + 3 and moved["counted_at"] > got[read]["counted_at"]


def test_a_sync_spends_at_most_the_budget_and_nothing_when_off():
    with ConfluenceDouble(SPEC) as double:
        before = len(double.requests)
        off = sync(double, ["content_views"])
        assert not off.errors and not off.records and stream_requests(double, before) == 0
        state = None
        seen: set[str] = set()
        syncs = 0
        while seen != live_ids(double.site) and syncs < 20:
            before = len(double.requests)
            output = sync(double, ["content_views"], state=state, page_views=True, page_views_budget=24)
            assert not output.errors and stream_requests(double, before) <= 24
            seen |= set(records_of(output))
            state = final_state(output)
            syncs += 1
        assert seen == live_ids(double.site)
        # 4 listing requests leave 20: 10 pages a sync, every live one within ceil(P / 10) syncs.
        assert syncs == -(-len(live_ids(double.site)) // 10)


def test_data_center_has_no_analytics_api():
    with DataCenterDouble(SPEC) as double:
        output = sync(double, ["content_views"], page_views=True)
        assert not output.errors and not output.records
        assert analytics_requests(double, 0) == 0
        token = double.config()["credentials"]["personal_access_token"]
        request = urllib.request.Request(double.url + "/rest/api/analytics/content/1/views",
                                         headers={"Authorization": f"Bearer {token}"})
        with pytest.raises(HTTPError) as answer:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310 - the local double
        assert answer.value.code == 404
