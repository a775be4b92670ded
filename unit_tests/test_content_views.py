"""`content_views` (issue 14): opt-in, at most `page_views_budget` requests per sync, the most
out-of-date counts first across syncs; empty on Data Center."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest

from source_confluence import SourceConfluence
from source_confluence.config import ConfigError
from source_confluence.config.parse import parse_config
from unit_tests import dc_builders
from unit_tests.builders import CONFIG, SITE, config, json_response, list_response, space, spaces_request

STATUSES = {"pages": ("current", "archived", "trashed", "deleted"), "blogposts": ("current", "trashed", "deleted")}


def listing(kind: str) -> HttpRequest:
    params = [("space-id", "100"), *[("status", s) for s in STATUSES[kind]], ("sort", "id"), ("limit", "250")]
    return HttpRequest(f"{SITE}/wiki/api/v2/{kind}?{urlencode(params)}")


def count_request(content_id: str, metric: str, from_date: str | None = None) -> HttpRequest:
    query = f"?{urlencode({'fromDate': from_date})}" if from_date else ""
    return HttpRequest(f"{SITE}/wiki/rest/api/analytics/content/{content_id}/{metric}{query}")


def catalog():
    return CatalogBuilder().with_stream("content_views", SyncMode.incremental).build()


def mock_site(http: HttpMocker, from_date: str | None = None) -> None:
    http.get(spaces_request(), list_response([space()]))
    http.get(listing("pages"), list_response([{"id": i, "status": "current"} for i in ("1", "2", "3")]
                                             + [{"id": "9", "status": "trashed"}]))
    http.get(listing("blogposts"), list_response([{"id": "4", "status": "current"}]))
    for content_id in ("1", "2", "3", "4"):
        http.get(count_request(content_id, "views", from_date), json_response({"id": int(content_id), "count": 10}))
        http.get(count_request(content_id, "viewers", from_date), json_response({"id": int(content_id), "count": 3}))


def counted_ids(output) -> list[str]:
    return [r.record.data["content_id"] for r in output.records]


def test_off_by_default_it_reads_nothing_and_says_why():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        output = read(SourceConfluence(), config(), catalog())
    assert not output.errors and not output.records
    assert output.is_in_logs("page views are off")


def test_the_budget_caps_each_sync_and_the_most_out_of_date_counts_go_first():
    # Budget 6: the two listings (pages, blog posts) and two pages counted (two requests each).
    options = config(page_views=True, page_views_budget=6, start_date="2024-01-01T00:00:00Z")
    state = None
    rounds = []
    for _ in range(3):
        with HttpMocker() as http:
            mock_site(http, "2024-01-01T00:00:00.000Z")
            output = read(SourceConfluence(), options, catalog(), state)
        assert not output.errors
        rounds.append(counted_ids(output))
        state = [output.state_messages[-1].state]
    # Never counted first (ids in order), then the oldest counts: every live page within ceil(2*4/4) = 2 syncs.
    assert rounds == [["1", "2"], ["3", "4"], ["1", "2"]]
    first = output.records[0].record.data
    assert first == {"content_id": "1", "content_type": "page", "space_id": "100", "views": 10, "viewers": 3,
                     "counted_from": "2024-01-01T00:00:00.000Z", "counted_at": first["counted_at"]}
    assert output.is_in_logs("every one is counted within 2 sync")


def test_a_budget_smaller_than_the_listing_counts_nothing_and_says_so():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(listing("pages"), list_response([{"id": "1", "status": "current"}]))
        http.get(listing("blogposts"), list_response([]))
        output = read(SourceConfluence(), config(page_views=True, page_views_budget=2), catalog())
    assert not output.errors and not output.records
    assert output.is_in_logs("took the whole page_views_budget")


def test_data_center_has_no_analytics_the_stream_is_empty_and_says_so_once():
    with HttpMocker() as http:
        http.get(dc_builders.spaces_request(), dc_builders.results([dc_builders.space()]))
        output = read(SourceConfluence(), dc_builders.config(page_views=True), catalog())
    assert not output.errors and not output.records
    assert [m for m in output.logs if "no page analytics API" in m.log.message].__len__() == 1


@pytest.mark.parametrize(("options", "field"), [
    ({"page_views_from": "last week"}, "page_views_from"),
    ({"page_views_budget": 1}, "page_views_budget"),
    ({"page_views": "yes"}, "page_views"),
])
def test_bad_page_view_options_name_their_field(options, field):
    with pytest.raises(ConfigError) as error:
        parse_config({**CONFIG, **options})
    assert field in str(error.value)
