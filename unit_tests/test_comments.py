"""comments: creation times of comments edited after they were written (Cloud v2)."""

from __future__ import annotations

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


def read_comments(http: HttpMocker, footer: list[dict], inline: list[dict]):
    http.get(spaces_request(), list_response([space()]))
    http.get(comment_list_request("footer-comments"), list_response(footer))
    http.get(comment_list_request("inline-comments"), list_response(inline))
    http.get(containers_request("pages", ["10"]), list_response([page("10", WRITTEN)]))
    output = read(SourceConfluence(), config(), CatalogBuilder().with_stream("comments", SyncMode.incremental).build())
    return {r.record.data["id"]: r.record.data for r in output.records}, output


def test_an_edited_comment_gets_its_first_versions_time_one_request_each():
    with HttpMocker() as http:
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
        gone = version_request("footer-comments", "501", 1)
        http.get(gone, json_response({"errors": [{"status": 404, "title": "Not Found"}]}, status=404))
        records, output = read_comments(http, footer=[comment("501", LATER, version=3)], inline=[])
        http.assert_number_of_calls(gone, 1)
    assert records["501"].get("created_at") is None and records["501"]["version_number"] == 3
    assert output.errors == []
