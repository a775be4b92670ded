"""comments: creation times of comments edited after they were written (Cloud v2): a page's edited
comments in one v1 search with their history, each id the search misses read from its version 1."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest

from source_confluence import SourceConfluence
from unit_tests.builders import (
    SITE,
    comment,
    comment_list_request,
    comment_version,
    config,
    containers_request,
    json_response,
    list_response,
    page,
    space,
    spaces_request,
)

WRITTEN, EDITED, LATER = "2024-01-01T09:00:00.000Z", "2024-02-01T10:00:00.000Z", "2024-03-01T11:00:00.000Z"


def version_request(kind: str, comment_id: str, number: int) -> HttpRequest:
    return HttpRequest(f"{SITE}/wiki/api/v2/{kind}/{comment_id}/versions/{number}")


def search_request(ids: list[str]) -> HttpRequest:
    query = urlencode([("cql", f"id in ({','.join(ids)})"), ("expand", "history"), ("limit", "100")],
                      quote_via=quote, safe=",")
    return HttpRequest(f"{SITE}/wiki/rest/api/content/search?{query}")


def history_hit(comment_id: str, created_at: str, author: str) -> dict:
    """A v1 Content of a comment with its history expanded (createdDate: version 1's time)."""
    return {"id": comment_id, "type": "comment", "status": "current", "title": "Re: Page 10",
            "history": {"latest": True, "createdDate": created_at, "createdBy": {"type": "known", "accountId": author}},
            "_links": {"self": f"{SITE}/wiki/rest/api/content/{comment_id}"}}


def search_response(hits: list[dict], next_link: str | None = None):
    links = {"base": f"{SITE}/wiki", "context": "/wiki", **({"next": next_link} if next_link else {})}
    return json_response({"results": hits, "start": 0, "limit": 100, "size": len(hits), "_links": links})


def read_comments(http: HttpMocker, footer: list[dict], inline: list[dict]):
    http.get(spaces_request(), list_response([space()]))
    http.get(comment_list_request("footer-comments"), list_response(footer))
    http.get(comment_list_request("inline-comments"), list_response(inline))
    http.get(containers_request("pages", ["10"]), list_response([page("10", WRITTEN)]))
    output = read(SourceConfluence(), config(), CatalogBuilder().with_stream("comments", SyncMode.incremental).build())
    return {r.record.data["id"]: r.record.data for r in output.records}, output


def test_a_page_of_three_edited_comments_costs_one_search_and_no_version_request():
    with HttpMocker() as http:
        search = search_request(["501", "502", "503"])
        # Any order, with a content the search was not asked for: only the asked ids count.
        http.get(search, search_response([history_hit("503", EDITED, "acc-7"), history_hit("999", WRITTEN, "acc-1"),
                                          history_hit("501", WRITTEN, "acc-5"), history_hit("502", LATER, "acc-6")]))
        records, output = read_comments(http, footer=[comment("501", LATER, version=3), comment("502", LATER, version=2),
                                                      comment("503", LATER, version=4), comment("504", WRITTEN, version=1)],
                                        inline=[])
        http.assert_number_of_calls(search, 1)
    assert {i: (r["created_at"], r["updated_at"], r["author_id"]) for i, r in records.items()} == {
        "501": (WRITTEN, LATER, "acc-4"), "502": (LATER, LATER, "acc-4"), "503": (EDITED, LATER, "acc-4"),
        "504": (WRITTEN, WRITTEN, "acc-4")}
    assert output.errors == []


def test_the_search_follows_its_next_link():
    with HttpMocker() as http:
        later = HttpRequest(f"{SITE}/wiki/rest/api/content/search?cql=id%20in%20(501,502)&expand=history&limit=100&cursor=c2")
        http.get(search_request(["501", "502"]), search_response(
            [history_hit("502", EDITED, "acc-6")], next_link="/rest/api/content/search?cql=id%20in%20(501,502)"
            "&expand=history&limit=100&cursor=c2"))
        http.get(later, search_response([history_hit("501", WRITTEN, "acc-5")]))
        records, _ = read_comments(http, footer=[comment("501", LATER, version=3), comment("502", LATER, version=2)],
                                   inline=[])
        http.assert_number_of_calls(later, 1)
    assert (records["501"]["created_at"], records["502"]["created_at"]) == (WRITTEN, EDITED)


def test_an_id_the_search_misses_falls_back_to_its_first_version():
    with HttpMocker() as http:
        # 502 is not in the index yet; 503 comes back without a creation time.
        http.get(search_request(["501", "502", "503"]), search_response(
            [history_hit("501", WRITTEN, "acc-5"), {**history_hit("503", WRITTEN, "acc-5"), "history": {"latest": True}}]))
        missed = version_request("footer-comments", "502", 1)
        http.get(missed, json_response(comment_version(1, EDITED)))
        http.get(version_request("footer-comments", "503", 1), json_response(comment_version(1, WRITTEN)))
        records, _ = read_comments(http, footer=[comment("501", LATER, version=3), comment("502", LATER, version=2),
                                                 comment("503", LATER, version=2)], inline=[])
        http.assert_number_of_calls(missed, 1)
    assert [records[i]["created_at"] for i in ("501", "502", "503")] == [WRITTEN, EDITED, WRITTEN]


def test_no_search_when_no_comment_is_edited():
    with HttpMocker() as http:
        # No search is mocked: a search request would fail the read.
        records, output = read_comments(http, footer=[comment("501", WRITTEN, version=1)],
                                        inline=[comment("601", EDITED, version=1)])
    assert (records["501"]["created_at"], records["601"]["created_at"]) == (WRITTEN, EDITED)
    assert output.errors == []


def test_a_search_refused_for_its_scope_falls_back_to_each_first_version_with_a_warning():
    with HttpMocker() as http:
        refused = search_request(["501"])
        http.get(refused, json_response({"code": 401, "message": "Unauthorized; scope does not match"}, status=401))
        http.get(version_request("footer-comments", "501", 1), json_response(comment_version(1, WRITTEN)))
        records, output = read_comments(http, footer=[comment("501", LATER, version=3)], inline=[])
        http.assert_number_of_calls(refused, 1)
    assert records["501"]["created_at"] == WRITTEN and output.errors == []
    assert any("read:content-details:confluence" in log.log.message for log in output.logs if log.log)


def test_an_edited_comment_the_search_misses_gets_its_first_versions_time_one_request_each():
    with HttpMocker() as http:
        http.get(search_request(["501"]), search_response([]))
        http.get(search_request(["601"]), search_response([]))
        first = version_request("footer-comments", "501", 1)
        http.get(first, json_response(comment_version(1, WRITTEN)))
        http.get(version_request("inline-comments", "601", 1), json_response(comment_version(1, EDITED, author="acc-5")))
        records, _ = read_comments(http, footer=[comment("501", LATER, version=3), comment("502", EDITED, version=1)],
                                   inline=[comment("601", LATER, version=2)])
        http.assert_number_of_calls(first, 1)
    assert records["501"]["created_at"] == WRITTEN and records["501"]["updated_at"] == LATER
    assert records["601"]["created_at"] == EDITED
    # Never edited: the version time is the creation time, and no version is asked for.
    assert records["502"]["created_at"] == EDITED


def test_a_comment_gone_before_its_first_version_is_read_keeps_no_creation_time():
    with HttpMocker() as http:
        http.get(search_request(["501"]), search_response([]))
        gone = version_request("footer-comments", "501", 1)
        http.get(gone, json_response({"errors": [{"status": 404, "title": "Not Found"}]}, status=404))
        records, output = read_comments(http, footer=[comment("501", LATER, version=3)], inline=[])
        http.assert_number_of_calls(gone, 1)
    assert records["501"].get("created_at") is None and records["501"]["version_number"] == 3
    assert output.errors == []


def test_comments_outside_the_selection_cost_no_creation_time():
    with HttpMocker() as http:
        search = search_request(["501"])
        http.get(search, search_response([history_hit("501", WRITTEN, "acc-5")]))
        http.get(spaces_request(), list_response([space()]))
        http.get(comment_list_request("footer-comments"), list_response(
            [comment("501", LATER, version=3), comment("502", LATER, version=3, page_id=None, blogPostId="30")]))
        http.get(comment_list_request("inline-comments"), list_response([]))
        http.get(containers_request("pages", ["10"]), list_response([page("10", WRITTEN)]))
        http.get(containers_request("blogposts", ["30"]), list_response([page("30", WRITTEN)]))
        output = read(SourceConfluence(), config(content_types=["pages", "comments"]),
                      CatalogBuilder().with_stream("comments", SyncMode.incremental).build())
        # Blog posts are switched off: the comment on one is dropped, and its creation time not searched.
        http.assert_number_of_calls(search, 1)
    assert [(r.record.data["id"], r.record.data["created_at"]) for r in output.records] == [("501", WRITTEN)]
    assert output.errors == []
