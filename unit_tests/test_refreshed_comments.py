"""Regression test: an inline comment the deletion check re-read is not delivered again by the walk.

Found by the Data Center adversary: a comment created and resolved while Data Center's search index
lagged was missed by the walk (not indexed yet) and delivered by the deletion check's re-read of the
comments resolved since the last check. Its version was not kept in the partition's
`cursor_versions`, so once the index showed it, the next sync's walk delivered the same version
again, a repeat the docs do not allow ("for an inline comment resolved while a sync ran, by the next
deletion check" only).
"""

from __future__ import annotations

from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.sync.idset import encode_ids
from unit_tests.dc_builders import config, page, request, results, search_request, space, spaces_request, user

CURSOR = "2024-03-01T10:20:00.000Z"  # 11:20 in Berlin, the server's zone
CHECKED = "2024-03-01T10:25:00.000Z"
WRITTEN = "2024-03-01T11:30:00.000+01:00"  # the comment's only version, after the cursor
WRITTEN_UTC = "2024-03-01T10:30:00.000Z"
RESOLVED = "2024-03-01T11:40:00.000+01:00"  # after the last check: the check re-reads it
COMMENT_EXPAND = "container,history,version,ancestors,extensions.inlineProperties,extensions.resolution"
WALK = 'type = comment and lastmodified >= "2024-03-01 11:20" order by lastmodified asc'


def inline_comment() -> dict[str, Any]:
    return {"id": "55", "type": "comment", "status": "current", "title": "Re: Page 8",
            "container": {"id": "8", "type": "page", "status": "current"},
            "ancestors": [], "history": {"createdDate": WRITTEN, "createdBy": user()},
            "version": {"by": user(), "when": WRITTEN, "number": 1, "minorEdit": False},
            "extensions": {"location": "inline", "resolution": {"status": "resolved", "lastModifier": user(),
                                                                "lastModifiedDate": RESOLVED}}}


def comments_state(cursor: dict[str, Any]) -> list:
    return StateBuilder().with_stream_state("comments", {"states": [{"partition": {"comment_type": "all"},
                                                                     "cursor": cursor}]}).build()


def mock_site(http: HttpMocker, walked: list[dict[str, Any]]) -> None:
    http.get(spaces_request(), results([space()]))
    http.get(search_request(WALK, COMMENT_EXPAND, 250), results(walked, limit=250))
    http.get(search_request('type = page and id in (8) order by lastmodified asc', "space,history,version,ancestors",
                            250), results([page("8", "2024-03-01T09:00:00.000+01:00", body=None)], limit=250))


def sync(state: list, walked: list[dict[str, Any]], check: bool) -> Any:
    catalog = CatalogBuilder().with_stream("comments", SyncMode.incremental).build()
    with HttpMocker() as http:
        mock_site(http, walked)
        if check:
            http.get(search_request("type = comment order by lastmodified asc", "container,extensions.resolution,version", 250),
                     results([inline_comment()], limit=250))
            http.get(request("/content/8/child/comment", [("location", "inline"), ("depth", "all"),
                                                           ("expand", COMMENT_EXPAND), ("limit", 250)]),
                     results([inline_comment()], limit=250))
        return read(SourceConfluence(), config(include_bodies=False, deletion_check_interval_hours=0 if check else 24),
                    catalog, state)


def test_a_comment_the_deletion_check_delivered_is_not_delivered_again_by_the_next_walk():
    # Sync 1: the index does not list the new comment yet; the check's id scan shows it resolved.
    first = sync(comments_state({"updated_at": CURSOR, "complete": True, "synced_ids": encode_ids(set()),
                                 "reconciled_at": CHECKED}), [], check=True)
    assert not first.errors
    assert [(r.record.data["id"], r.record.data["version_number"], r.record.data["resolution_status"])
            for r in first.records] == [("55", 1, "resolved")]
    cursor = first.state_messages[-1].state.stream.stream_state.__dict__["states"][0]["cursor"]
    assert cursor["cursor_versions"] == {WRITTEN_UTC: ["55#1"]}
    # Sync 2 (check not due): the index now lists the comment, in the version already delivered.
    second = sync(comments_state({**cursor, "reconciled_at": "2099-01-01T00:00:00.000Z"}), [inline_comment()],
                  check=False)
    assert not second.errors
    assert [r.record.data["id"] for r in second.records] == []
