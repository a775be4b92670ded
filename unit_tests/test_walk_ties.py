"""Regression tests (issue 11, defect 1): objects sharing the cursor's exact millisecond.

Confluence does not specify the order of equal sort keys. A newest-first walk that stopped at the
first record already emitted at the cursor's instant never read a record of that same instant listed
after it, and then replaced the ids at the cursor, so no later sync read it either.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.sync.idset import encode_ids
from source_confluence.timestamps import format_timestamp
from unit_tests.builders import SITE, config, content_list_request, list_response, next_link, page, space, spaces_request

T1, T2, T3 = "2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"
RECENTLY = format_timestamp(datetime.now(UTC))


def state_of(stream: str, cursor: dict) -> list:
    partition = {"partition": {"space_id": "100"}, "cursor": {"complete": True, "known": encode_ids(["1"]),
                                                               "reconciled_at": RECENTLY, **cursor}}
    return StateBuilder().with_stream_state(stream, {"states": [partition]}).build()


def last_cursor(output, stream: str) -> dict:
    states = [m.state.stream.stream_state.__dict__ for m in output.state_messages
              if m.state.stream.stream_descriptor.name == stream]
    return states[-1]["states"][0]["cursor"]


def emitted(output) -> list[tuple[str, int]]:
    return [(r.record.data["id"], r.record.data["version_number"]) for r in output.records]


def test_a_blog_post_listed_after_an_emitted_one_at_the_cursors_instant_is_read():
    state = state_of("blog_posts", {"updated_at": T2, "ids_at_cursor": ["5"]})
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("blogposts", "100", descending=True),
                 list_response([page("5", T2), page("6", T2), page("1", T1)]))
        output = read(SourceConfluence(), config(), CatalogBuilder().with_stream("blog_posts", SyncMode.incremental)
                      .build(), state)
    assert emitted(output) == [("6", 2)]
    # Both versions at the cursor's instant are remembered: the next sync repeats neither.
    assert last_cursor(output, "blog_posts")["updated_at"] == T2
    assert sorted(last_cursor(output, "blog_posts")["cursor_versions"][T2]) == ["5", "6#2"]


def test_ties_at_the_cursor_are_read_across_a_page_boundary():
    state = state_of("pages", {"updated_at": T2, "ids_at_cursor": ["5", "7"]})
    with HttpMocker() as http:
        http.get(spaces_request(limit=2), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True, limit=2),
                 list_response([page("9", T3), page("5", T2)], next_link("pages", "100", True, "c2", 2)))
        http.get(content_list_request("pages", "100", descending=True, cursor="c2", limit=2),
                 list_response([page("7", T2), page("6", T2)], next_link("pages", "100", True, "c3", 2)))
        http.get(content_list_request("pages", "100", descending=True, cursor="c3", limit=2),
                 list_response([page("8", T2), page("1", T1)], next_link("pages", "100", True, "never", 2)))
        output = read(SourceConfluence(), config(page_size=2),
                      CatalogBuilder().with_stream("pages", SyncMode.incremental).build(), state)
    assert emitted(output) == [("9", 2), ("6", 2), ("8", 2)]
    assert last_cursor(output, "pages")["updated_at"] == T3


def test_a_same_millisecond_edit_of_an_emitted_page_is_read():
    # Version 3 of page 5 carries the very instant at which version 2 was emitted.
    state = state_of("pages", {"updated_at": T2, "cursor_versions": {T2: ["5#2"]}})
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("5", T2, version=3), page("1", T1)]))
        output = read(SourceConfluence(), config(), CatalogBuilder().with_stream("pages", SyncMode.incremental)
                      .build(), state)
    assert emitted(output) == [("5", 3)]


def _container_walk(kind: str) -> HttpRequest:
    statuses = ("current", "archived", "trashed", "deleted") if kind == "pages" else ("current", "trashed", "deleted")
    params = [("space-id", "100"), *[("status", s) for s in statuses], ("sort", "-modified-date"), ("limit", "250")]
    return HttpRequest(f"{SITE}/wiki/api/v2/{kind}?{urlencode(params)}")


def test_tasks_of_a_container_changed_at_the_marks_instant_are_read():
    marks = {"page": {"updated_at": T2, "ids": ["5"]}, "blogpost": {"updated_at": None, "ids": []}}
    state = state_of("tasks", {"updated_at": T2, "extra": marks})
    task = {"id": "t1", "localId": "1", "spaceId": "100", "pageId": "6", "status": "complete",
            "createdAt": T1, "updatedAt": T2, "body": {"storage": {"value": "<p>ship it</p>"}}}
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(_container_walk("pages"), list_response([page("5", T2, body=None), page("6", T2, body=None),
                                                         page("1", T1, body=None)]))
        http.get(_container_walk("blogposts"), list_response([]))
        query = urlencode([("page-id", "6"), ("body-format", "storage"), ("limit", "250")])
        tasks = HttpRequest(f"{SITE}/wiki/api/v2/tasks?{query}")
        http.get(tasks, list_response([task]))
        output = read(SourceConfluence(), config(), CatalogBuilder().with_stream("tasks", SyncMode.incremental)
                      .build(), state)
    assert [r.record.data["id"] for r in output.records] == ["t1"]
