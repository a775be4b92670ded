"""`tasks` after its first listing walks each space's changed containers with the content streams'
walk (issue 12): it checkpoints its position page by page inside `container_cursors`, and a page link
that expires mid-walk restarts it from that checkpoint, as it does for pages."""

from __future__ import annotations

from urllib.parse import urlencode

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest

from source_confluence import SourceConfluence
from unit_tests.builders import SITE, config, json_response, list_response, page, space, spaces_request
from unit_tests.test_walk_ties import T1, T2, T3, state_of

MARKS = {"page": {"updated_at": T1, "cursor_versions": {T1: ["1#2"]}}, "blogpost": {"updated_at": None}}


def container_walk(kind: str, cursor: str | None = None, descending: bool = True) -> HttpRequest:
    statuses = ("current", "archived", "trashed", "deleted") if kind == "pages" else ("current", "trashed", "deleted")
    params = [("space-id", "100"), *[("status", s) for s in statuses],
              ("sort", "-modified-date" if descending else "modified-date"), ("limit", "250")]
    return HttpRequest(f"{SITE}/wiki/api/v2/{kind}?{urlencode(params + ([('cursor', cursor)] if cursor else []))}")


def link(request: HttpRequest) -> str:
    return request._parsed_url.path + "?" + request._parsed_url.query


def tasks_of(page_id: str) -> HttpRequest:
    query = urlencode([("page-id", page_id), ("body-format", "storage"), ("limit", "250")])
    return HttpRequest(f"{SITE}/wiki/api/v2/tasks?{query}")


def task(page_id: str) -> dict:
    return {"id": f"t{page_id}", "localId": "1", "spaceId": "100", "pageId": page_id, "status": "incomplete",
            "createdAt": T1, "updatedAt": T2, "body": {"storage": {"value": "<p>do it</p>"}}}


def catalog():
    return CatalogBuilder().with_stream("tasks", SyncMode.incremental).build()


def marks_of(output) -> list[dict]:
    return [m.state.stream.stream_state.__dict__["states"][0]["cursor"]["container_cursors"]["page"]
            for m in output.state_messages]


def test_the_changed_container_walk_checkpoints_its_position_inside_the_container_cursor():
    second = container_walk("pages", "c2")
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(container_walk("pages"), list_response([page("6", T3, body=None)], link(second)))
        http.get(second, list_response([page("7", T2, body=None), page("1", T1, body=None)]))
        http.get(container_walk("blogposts", descending=False), list_response([]))  # no cursor: oldest first
        http.get(tasks_of("6"), list_response([task("6")]))
        http.get(tasks_of("7"), list_response([task("7")]))
        output = read(SourceConfluence(), config(), catalog(), state_of("tasks", {"updated_at": T1,
                                                                                  "container_cursors": MARKS}))
    assert not output.errors and [r.record.data["id"] for r in output.records] == ["t6", "t7"]
    marks = marks_of(output)
    # After the first page: the cursor holds (newest first it moves at the bound), the position is kept.
    assert marks[0] == {"updated_at": T1, "cursor_versions": {T1: ["1#2"]},
                        "resume": {"order": "desc", "next": link(second), "high": T3, "high_ids": ["6#2"]}}
    assert marks[-1] == {"updated_at": T3, "cursor_versions": {T3: ["6#2"]}}


def test_a_page_link_expiring_mid_walk_restarts_from_the_checkpoint_without_repeating_tasks():
    second = container_walk("pages", "c2")
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(container_walk("pages"), [list_response([page("6", T3, body=None)], link(second)),
                                           list_response([page("6", T3, body=None), page("7", T2, body=None),
                                                          page("1", T1, body=None)])])
        http.get(second, json_response({"errors": [{"title": "cursor expired"}]}, status=400))
        http.get(container_walk("blogposts", descending=False), list_response([]))  # no cursor: oldest first
        six = tasks_of("6")
        http.get(six, list_response([task("6")]))
        http.get(tasks_of("7"), list_response([task("7")]))
        output = read(SourceConfluence(), config(), catalog(), state_of("tasks", {"updated_at": T1,
                                                                                  "container_cursors": MARKS}))
        http.assert_number_of_calls(six, 1)
    assert not output.errors and [r.record.data["id"] for r in output.records] == ["t6", "t7"]
    assert output.is_in_logs("a page link was rejected mid-walk")
    assert marks_of(output)[-1] == {"updated_at": T3, "cursor_versions": {T3: ["6#2"]}}
