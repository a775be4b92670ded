"""content_versions: the first sync per `version_history`, incremental reads of new versions only,
long histories, a killed sync resuming, and an API that lists versions in an order it does not state."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.config import ConfigError
from source_confluence.config.parse import parse_config
from source_confluence.streams.versions import VersionBound
from unit_tests.builders import SITE, config, list_response, page, space, spaces_request

T1, T2, T25, T3, T4 = ("2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z", "2024-02-15T00:00:00.000Z",
                       "2024-03-01T00:00:00.000Z", "2024-04-01T00:00:00.000Z")
KEY = {"space_id": "100", "content_type": "page"}
PAGES_ONLY = {"content_types": ["pages"]}


def walk(descending: bool = True, cursor: str | None = None, limit: int = 250) -> HttpRequest:
    params = [("space-id", "100"), *[("status", s) for s in ("current", "archived", "trashed", "deleted")],
              ("sort", "-modified-date" if descending else "modified-date"), ("limit", str(limit))]
    return HttpRequest(f"{SITE}/wiki/api/v2/pages?{urlencode(params + ([('cursor', cursor)] if cursor else []))}")


def versions_request(page_id: str, cursor: str | None = None, limit: int = 250) -> HttpRequest:
    params = [("sort", "-modified-date"), ("limit", str(limit))] + ([("cursor", cursor)] if cursor else [])
    return HttpRequest(f"{SITE}/wiki/api/v2/pages/{page_id}/versions?{urlencode(params)}")


def link(request: HttpRequest) -> str:
    return request._parsed_url.path + "?" + request._parsed_url.query


def version(number: int, created_at: str, author: str = "acc-3", minor: bool = False) -> dict:
    return {"number": number, "createdAt": created_at, "authorId": author, "message": f"v{number}",
            "minorEdit": minor, "page": {"id": "6", "title": "Page 6"}}


def listed(page_id: str, at: str, number: int) -> dict:
    return page(page_id, at, version=number, body=None)


def catalog():
    return CatalogBuilder().with_stream("content_versions", SyncMode.incremental).build()


def state(cursor: dict) -> list:
    return StateBuilder().with_stream_state("content_versions", {"states": [{"partition": KEY, "cursor": cursor}]}).build()


def ids(output) -> list[str]:
    return [r.record.data["id"] for r in output.records]


def cursors(output) -> list[dict]:
    return [m.state.stream.stream_state.__dict__["states"][0]["cursor"] for m in output.state_messages
            if m.state.stream.stream_state.__dict__.get("states")]


def test_first_sync_since_start_date_reads_whole_histories_of_content_changed_since_then():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(walk(), list_response([listed("6", T3, 3), listed("1", T1, 1)]))
        http.get(versions_request("6"), list_response([version(3, T3), version(2, T25, minor=True),
                                                       version(1, T1, author="acc-1")]))
        output = read(SourceConfluence(), config(start_date=T2, **PAGES_ONLY), catalog())
    assert not output.errors and ids(output) == ["6:3", "6:2", "6:1"]  # page 1 changed before start_date
    first = output.records[-1].record.data
    # Null fields (a page's container) are left out of record messages.
    assert first == {"id": "6:1", "content_id": "6", "content_type": "page", "space_id": "100",
                     "version_number": 1, "author_id": "acc-1", "created_at": T1, "message": "v1",
                     "minor_edit": False}
    assert output.records[1].record.data["minor_edit"] is True
    assert cursors(output)[-1]["updated_at"] == T3


def test_first_sync_all_reads_every_history_oldest_first_whatever_the_start_date():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(walk(descending=False), list_response([listed("1", T1, 1), listed("6", T3, 2)]))
        http.get(versions_request("1"), list_response([version(1, T1)]))
        http.get(versions_request("6"), list_response([version(2, T3), version(1, T1)]))
        output = read(SourceConfluence(), config(start_date=T2, version_history="all", **PAGES_ONLY), catalog())
    assert not output.errors and ids(output) == ["1:1", "6:2", "6:1"]


def test_version_history_none_reads_nothing_and_says_so_once():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        output = read(SourceConfluence(), config(version_history="none", **PAGES_ONLY), catalog())
    assert not output.errors and output.records == []
    said = [m for m in output.logs if "version_history is none" in m.log.message]
    assert len(said) == 1


def test_an_incremental_sync_reads_only_the_versions_made_since_the_cursor():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(walk(), list_response([listed("6", T4, 5), listed("2", T1, 1)]))
        versions = versions_request("6")
        http.get(versions, list_response([version(5, T4), version(4, T3), version(3, T1)],
                                         link(versions_request("6", "c2"))))
        output = read(SourceConfluence(), config(**PAGES_ONLY), catalog(),
                      state({"updated_at": T2, "complete": True}))
        http.assert_number_of_calls(versions, 1)  # its page reached a version older than the cursor: done
    assert not output.errors and ids(output) == ["6:5", "6:4"]
    assert cursors(output)[-1]["updated_at"] == T4


def test_a_long_history_is_paged_through_down_to_the_cursor_and_no_further():
    first, second = versions_request("6", limit=2), versions_request("6", "c2", limit=2)
    with HttpMocker() as http:
        http.get(spaces_request(limit=2), list_response([space()]))
        http.get(walk(limit=2), list_response([listed("6", T4, 5), listed("2", T1, 1)]))
        http.get(first, list_response([version(5, T4), version(4, T3)], link(second)))
        http.get(second, list_response([version(3, T25), version(2, T1)], link(versions_request("6", "c3", limit=2))))
        output = read(SourceConfluence(), config(page_size=2, **PAGES_ONLY), catalog(),
                      state({"updated_at": T2, "complete": True}))
    assert not output.errors and ids(output) == ["6:5", "6:4", "6:3"]


def test_a_killed_walk_checkpoints_its_bound_and_a_resumed_one_reads_every_version_since_it():
    second = walk(cursor="c2")
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(walk(), list_response([listed("6", T4, 5)], link(second)))
        http.get(versions_request("6"), list_response([version(5, T4), version(4, T1)]))
        http.get(second, list_response([listed("7", T3, 3), listed("2", T1, 1)]))
        http.get(versions_request("7"), list_response([version(3, T3), version(2, T25), version(1, T1)]))
        output = read(SourceConfluence(), config(**PAGES_ONLY), catalog(), state({"updated_at": T2, "complete": True}))
    # The first page's checkpoint comes after its versions and keeps the bound with the position.
    assert cursors(output)[0]["resume"]["versions_since"] == T2
    assert [m.type.value for m in output._messages].index("STATE") > [m.type.value for m in output._messages].index("RECORD")
    killed = cursors(output)[0]
    assert killed["resume"]["next"] == link(second)

    # The next sync resumes there; a cursor moved since (oldest-first walks move it page by page)
    # does not narrow what the walk reads: the bound it started from does.
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(second, list_response([listed("7", T3, 3), listed("2", T1, 1)]))
        http.get(versions_request("7"), list_response([version(3, T3), version(2, T25), version(1, T1)]))
        resumed = read(SourceConfluence(), config(**PAGES_ONLY), catalog(), state({**killed, "updated_at": T3}))
    assert not resumed.errors and ids(resumed) == ["7:3", "7:2"]
    assert "resume" not in cursors(resumed)[-1]


@pytest.mark.parametrize(("numbers", "newest_first", "reached"), [
    ([5, 4, 1], False, True),   # seen newest first, and past the bound
    ([1, 4, 5], False, False),  # oldest first (an order Data Center's contract allows): read on
    ([4, 5, 1], True, True),    # asked newest first (Cloud's sort by time): the last one decides
    ([5, 4], False, False),     # nothing older than the bound yet
])
def test_a_page_of_versions_ends_the_read_only_when_it_proves_nothing_newer_follows(numbers, newest_first, reached):
    times = {1: T1, 4: T3, 5: T4}
    page_of = [{"number": n, "createdAt": times[n]} for n in numbers]
    assert VersionBound(T2).reached(page_of, newest_first) is reached
    assert VersionBound(None).reached(page_of, newest_first) is False


def test_version_history_rejects_an_unknown_value_naming_the_field():
    with pytest.raises(ConfigError) as error:
        parse_config(config(version_history="recent"))
    assert "version_history" in error.value.message and "since_start_date" in error.value.message
    assert parse_config(config()).version_history == "since_start_date"


class RecordingTransport:
    """Serves one version list and records every request (a stand-in for `transport.Transport`)."""

    site_url = SITE

    def __init__(self, results: list[dict]) -> None:
        self.results = results
        self.paths: list[str] = []

    def get_list(self, path_or_url: str):
        self.paths.append(path_or_url)
        return {"results": self.results, "_links": {}}, None

    def get(self, path_or_url: str, params=None):
        self.paths.append(path_or_url)
        return {"number": 1, "createdAt": T1, "authorId": "acc-9"}, None


def test_a_comments_first_version_read_by_content_versions_needs_no_request_of_its_own():
    from source_confluence.api.cloud.client import CloudClient
    from source_confluence.api.protocol import FOOTER_COMMENT, INLINE_COMMENT

    transport = RecordingTransport([version(2, T3), version(1, T1, author="acc-1")])
    client = CloudClient(transport, 250)
    assert [v["number"] for listed in client.versions(FOOTER_COMMENT, "c1") for v in listed.results] == [2, 1]
    assert client.comment_version(FOOTER_COMMENT, "c1", 1)["authorId"] == "acc-1"
    assert len(transport.paths) == 1  # the version list only
    # Another comment, or the other kind with the same id, is still asked for.
    assert client.comment_version(INLINE_COMMENT, "c1", 1)["authorId"] == "acc-9"
    assert transport.paths[-1] == "/wiki/api/v2/inline-comments/c1/versions/1"
