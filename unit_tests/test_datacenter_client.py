"""Data Center client with the CDK's HttpMocker: CQL walks and their bounds in the server's zone,
the anchor that detects a list moving under the walk, the scan endpoint and its fallback, users
from expansions, tasks from bodies, and the v1 -> v2 shapes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams.http.requests_native_auth import TokenAuthenticator
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.api.datacenter import v1_shapes
from source_confluence.api.datacenter.client import DataCenterClient
from source_confluence.api.datacenter.cql import ServerClock
from source_confluence.api.protocol import PAGE
from source_confluence.http.transport import ConfluenceHttpError, Transport
from source_confluence.sync.ledger import ItemLedger
from unit_tests.dc_builders import (
    BASE,
    BODY_EXPAND,
    CONTENT_EXPAND,
    PAT,
    config,
    json_response,
    label,
    page,
    request,
    results,
    search_request,
    space,
    spaces_request,
    user,
)
from unit_tests.every_checkpoint import every_checkpoint  # noqa: F401 - a fixture

PAGES_CQL = 'type = page and space = "ENG"'
ASC = " order by lastmodified asc"


def catalog(stream: str = "pages"):
    return CatalogBuilder().with_stream(stream, SyncMode.incremental).build()


def ids(output):
    return [r.record.data["id"] for r in output.records]


def client(time_zone: str | None = "Europe/Berlin", page_size: int = 250) -> DataCenterClient:
    transport = Transport(site_url=BASE, authenticator=TokenAuthenticator(PAT), logger=logging.getLogger("test"))
    return DataCenterClient(transport, page_size, BASE, time_zone)


def test_first_sync_walks_cql_oldest_first_and_records_read_like_cloud():
    with HttpMocker() as http:
        http.get(spaces_request(), results([space()]))
        http.get(search_request(PAGES_CQL + ASC, BODY_EXPAND, 50),
                 results([page("7", "2024-03-01T11:00:30.500+01:00", body='<p>Hi <ac:link><ri:user ri:userkey="8a7f0001"/>'
                                '</ac:link></p>')]))
        output = read(SourceConfluence(), config(), catalog())
    [record] = [r.record.data for r in output.records]
    assert record["updated_at"] == "2024-03-01T10:00:30.500Z"  # the server's +01:00 wall time, as UTC
    assert record["created_at"] == "2023-02-01T09:00:00.000Z"
    assert record["author_id"] == "8a7f0001" and record["version_author_id"] == "8a7f0002"
    assert record["space_id"] == "98305" and record["parent_id"] == "1001" and record["position"] == 3
    assert "owner_id" not in record  # Data Center has no page owner: null
    assert record["web_url"] == BASE + "/display/ENG/Page+7"
    assert record["body_text"] == "Hi @Ann Analyst"  # the mention's name came with the content
    [state] = [m.state.stream.stream_state.__dict__ for m in output.state_messages][-1:]
    cursor = state["states"][0]["cursor"]
    assert cursor["updated_at"] == "2024-03-01T10:00:30.500Z" and cursor["cursor_versions"] == {
        "2024-03-01T10:00:30.500Z": ["7#2"]}


@pytest.mark.usefixtures("every_checkpoint")  # reads the state of each checkpoint
def test_the_next_page_moves_the_bound_and_starts_at_the_last_result():
    first = [page("1", "2024-03-01T11:00:10.000+01:00"), page("2", "2024-03-01T11:00:40.000+01:00")]
    with HttpMocker() as http:
        http.get(spaces_request(limit=2), results([space()], limit=2))
        http.get(search_request(PAGES_CQL + ASC, BODY_EXPAND, 2), results(first, limit=2))
        # Both results are in 11:00 (local): the next page asks from that minute, one before the end.
        second = search_request(PAGES_CQL + ' and lastmodified >= "2024-03-01 11:00"' + ASC, BODY_EXPAND, 2, start=1)
        http.get(second, results([first[1], page("3", "2024-03-01T11:05:00.000+01:00")], limit=2))
        third = search_request(PAGES_CQL + ' and lastmodified >= "2024-03-01 11:05"' + ASC, BODY_EXPAND, 2, start=0)
        http.get(third, results([page("3", "2024-03-01T11:05:00.000+01:00")], limit=2))
        output = read(SourceConfluence(), config(page_size=2), catalog())
        http.assert_number_of_calls(second, 1)
    assert ids(output) == ["1", "2", "3"]
    # A checkpoint keeps the last proven bound alone (start 0), as a position, not a link. After the
    # first page that is the walk's own start; the bound 11:00 is proven once the anchor (2) comes
    # back under it.
    cursors = [m.state.stream.stream_state.__dict__["states"][0]["cursor"] for m in output.state_messages]
    assert cursors[0]["resume"] == {"order": "asc", "bound": None, "start": 0}
    assert cursors[0]["updated_at"] is None  # nothing proven yet: a hit's own time proves nothing
    assert cursors[1]["resume"] == {"order": "asc", "bound": "2024-03-01 11:00", "start": 0}
    assert cursors[1]["updated_at"] == "2024-03-01T10:00:00.000Z"  # 11:00 Berlin


def test_an_incremental_sync_asks_from_the_cursors_minute_stepping_back_an_ambiguous_dst_hour():
    # 00:30:15Z on 27 Oct 2024 is 02:30 CEST, a wall time Berlin lives twice that night; read as the
    # second (CET) it would be 01:30Z, after the cursor. The bound steps back an hour: 01:30 CEST.
    cursor = {"updated_at": "2024-10-27T00:30:15.000Z", "ids_at_cursor": ["1"], "complete": True,
              "known": "", "reconciled_at": "2099-01-01T00:00:00.000Z"}
    state = StateBuilder().with_stream_state("pages", {"states": [{"partition": {"space_id": "98305"},
                                                                    "cursor": cursor}]}).build()
    with HttpMocker() as http:
        http.get(spaces_request(), results([space()]))
        http.get(search_request(PAGES_CQL + ' and lastmodified >= "2024-10-27 01:30"' + ASC, BODY_EXPAND, 50),
                 results([page("9", "2024-10-27T02:10:00.000+02:00"), page("1", "2024-10-27T02:30:15.000+02:00"),
                          page("2", "2024-10-27T02:30:59.000+02:00")]))
        output = read(SourceConfluence(), config(), catalog(), state)
    assert ids(output) == ["2"]  # 9 is before the cursor's minute, 1 is the cursor itself


def test_without_a_configured_zone_the_offset_is_detected_and_a_bound_keeps_two_hours_margin():
    cursor = {"updated_at": "2024-05-01T10:00:30.000Z", "ids_at_cursor": ["1"], "complete": True,
              "known": "", "reconciled_at": "2099-01-01T00:00:00.000Z"}
    state = StateBuilder().with_stream_state("pages", {"states": [{"partition": {"space_id": "98305"},
                                                                    "cursor": cursor}]}).build()
    with HttpMocker() as http:
        http.get(spaces_request(), results([space()]))
        calibration = search_request("type in (page, blogpost) order by lastmodified desc", "version", 1)
        http.get(calibration, results([page("5", "2024-05-02T09:00:00.000+05:30")], limit=1))
        # 10:00Z - 2h = 08:00Z, at +05:30 is 13:30 local.
        http.get(search_request(PAGES_CQL + ' and lastmodified >= "2024-05-01 13:30"' + ASC, BODY_EXPAND, 50),
                 results([page("1", "2024-05-01T15:30:30.000+05:30"), page("3", "2024-05-01T15:31:00.000+05:30")]))
        output = read(SourceConfluence(), config(credentials={"server_time_zone": None}), catalog(), state)
        http.assert_number_of_calls(calibration, 1)
    assert ids(output) == ["3"]


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        ("Europe/Berlin", datetime(2024, 7, 1, 10, 5, 59, tzinfo=UTC), "2024-07-01 12:05"),
        ("Asia/Kathmandu", datetime(2024, 7, 1, 10, 5, 0, tzinfo=UTC), "2024-07-01 15:50"),
        ("America/St_Johns", datetime(2024, 1, 1, 3, 0, 0, tzinfo=UTC), "2023-12-31 23:30"),
        # Autumn change in New York: 05:30Z is 01:30 EDT, which repeats as EST; step back an hour.
        ("America/New_York", datetime(2024, 11, 3, 5, 30, tzinfo=UTC), "2024-11-03 00:30"),
        # The second 01:30 (EST) may be read as either: the earlier reading is before it, so it stays.
        ("America/New_York", datetime(2024, 11, 3, 6, 30, tzinfo=UTC), "2024-11-03 01:30"),
    ],
)
def test_bounds_in_a_known_zone_are_never_read_later_than_meant(zone, moment, expected):
    text, at = ServerClock(zone=ZoneInfo(zone)).cursor_bound(moment)
    assert text == expected
    naive = datetime.strptime(text, "%Y-%m-%d %H:%M")
    latest = max(naive.replace(tzinfo=ZoneInfo(zone), fold=f).astimezone(UTC) for f in (0, 1))
    assert latest <= moment.replace(second=0) and at <= moment


def test_a_walk_bound_from_a_results_offset_steps_back_in_the_small_hours():
    clock = ServerClock(offset=timedelta(hours=2))
    assert clock.continuation_bound(datetime(2024, 6, 1, 10, 15, tzinfo=UTC), timedelta(hours=2))[0] == "2024-06-01 12:15"
    # 00:45Z is 02:45 local, when a DST change may happen: an hour earlier.
    assert clock.continuation_bound(datetime(2024, 6, 1, 0, 45, tzinfo=UTC), timedelta(hours=2))[0] == "2024-06-01 01:45"


def test_page_listing_uses_the_scan_endpoint_and_falls_back_to_search_before_7_18():
    scan = request("/content/scan", [("type", "page"), ("spaceKey", "ENG"), ("limit", 250)])
    with HttpMocker() as http:
        http.get(spaces_request(), results([space()]))
        http.get(scan, json_response({"results": [page("1", "2024-01-01T10:00:00.000+01:00", body=None)],
                                      "cursor": "content:false:null", "nextCursor": "content:false:1", "limit": 250,
                                      "size": 1, "_links": {"base": BASE, "context": "/confluence",
                                                            "next": "/rest/api/content/scan?cursor=content:false:1"}}))
        # Data Center's next link is relative to the base URL: the client adds the context path.
        http.get(request("/content/scan", [("cursor", "content:false:1")]),
                 json_response({"results": [page("2", "2024-01-01T10:00:00.000+01:00", body=None)], "size": 1,
                                "limit": 250, "_links": {"base": BASE}}))
        assert [item["id"] for item in client().listing(PAGE, "98305")] == ["1", "2"]
    with HttpMocker() as http:
        http.get(spaces_request(), results([space()]))
        http.get(scan, json_response({"statusCode": 404, "message": "not found"}, status=404))
        fallback = search_request(PAGES_CQL + ASC, "version", 250)
        http.get(fallback, results([page("1", "2024-01-01T10:00:00.000+01:00", body=None)], limit=250))
        old = client()
        assert [item["id"] for item in old.listing(PAGE, "98305")] == ["1"]
        assert [item["id"] for item in old.listing(PAGE, "98305")] == ["1"]
        http.assert_number_of_calls(scan, 1)  # not asked again once it is known to be missing
        http.assert_number_of_calls(fallback, 2)


def test_users_come_from_content_and_only_unseen_keys_are_looked_up_once():
    dc = client()
    converted = dc._convert(page("1", "2024-01-01T10:00:00.000+01:00"))
    assert converted["authorId"] == "8a7f0001"
    with HttpMocker() as http:
        lookup = request("/user", [("key", "8a7f0009")])
        http.get(lookup, json_response({"statusCode": 404, "message": "No user"}, status=404))
        first = dc.users(["8a7f0001", "8a7f0002", "8a7f0009"])
        second = dc.users(["8a7f0009", "8a7f0001"])
        http.assert_number_of_calls(lookup, 1)
    assert [u["displayName"] for u in first] == ["Ann Analyst", "Bob Builder"]
    assert [u["accountId"] for u in second] == ["8a7f0001"]
    assert first[0]["publicName"] == "ann" and first[0]["_links"]["webui"] == "/display/~ann"


def test_tasks_are_read_from_the_bodies_of_the_spaces_containers():
    body = ('<ac:task-list><ac:task><ac:task-id>3</ac:task-id><ac:task-status>complete</ac:task-status>'
            '<ac:task-body>Ship it <ac:link><ri:user ri:userkey="8a7f0002" /></ac:link> <time datetime="2024-04-01" />'
            '</ac:task-body></ac:task></ac:task-list>')
    with HttpMocker() as http:
        http.get(spaces_request(), results([space()]))
        for kind in ("page", "blogpost"):
            http.get(search_request(f'type = {kind} and space = "ENG" order by lastmodified desc', "version", 1),
                     results([page("7", "2024-03-01T11:00:00.000+01:00", body=None)], limit=1))
        http.get(search_request('type in (page, blogpost) and space = "ENG"' + ASC, "space,version,body.storage", 50),
                 results([page("7", "2024-03-01T11:00:00.000+01:00", body=body)]))
        output = read(SourceConfluence(), config(), catalog("tasks"))
    [task] = [r.record.data for r in output.records]
    assert task == {**task, "id": "7-3", "local_id": "3", "container_id": "7", "container_type": "page",
                    "space_id": "98305", "status": "complete", "body_text": "Ship it @8a7f0002 2024-04-01",
                    "assigned_to": "8a7f0002", "due_at": "2024-04-01T00:00:00.000Z",
                    "updated_at": "2024-03-01T10:00:00.000Z"}
    assert not {"created_by", "completed_by", "created_at", "completed_at"} & set(task)


def test_labels_come_with_the_content_of_each_space():
    labelled = page("7", "2024-03-01T11:00:00.000+01:00", body=None, labels=[label("42", "how-to")])
    scan = request("/content/scan", [("type", "page"), ("spaceKey", "ENG"), ("expand", "space,metadata.labels"),
                                     ("limit", 250)])
    with HttpMocker() as http:
        http.get(spaces_request(), results([space(labels=[label("77", "team-eng", "team")])]))
        http.get(scan, json_response({"results": [labelled, page("8", "2024-03-01T11:00:00.000+01:00", body=None,
                                                                  labels=[])],
                                      "size": 2, "limit": 250, "_links": {"base": BASE}}))
        http.get(search_request('type = blogpost and space = "ENG"' + ASC, "space,metadata.labels,version", 250),
                 results([], limit=250))
        http.get(search_request('type = attachment and space = "ENG"' + ASC, "container,metadata.labels,version", 250),
                 results([], limit=250))
        output = read(SourceConfluence(), config(), CatalogBuilder().with_stream("content_labels",
                                                                                  SyncMode.full_refresh).build())
    assert sorted(r.record.data["id"] for r in output.records) == ["7:42", "98305:77"]


def test_check_names_the_token_when_data_center_treats_it_as_anonymous():
    with HttpMocker() as http:
        http.get(request("/user/current"), json_response({"type": "anonymous", "displayName": "Anonymous"}))
        status = SourceConfluence().check(logging.getLogger("test"), config())
    assert status.status.value == "FAILED"
    assert "anonymous" in status.message and "credentials.personal_access_token" in status.message
    assert PAT not in status.message


def test_v1_comments_and_attachments_take_the_v2_shape():
    inline = v1_shapes.converted({
        "id": "55", "type": "comment", "status": "current", "title": "Re: Page",
        "container": {"id": "7", "type": "blogpost"},
        "ancestors": [{"id": "50", "type": "comment"}, {"id": "54", "type": "comment"}],
        "history": {"createdDate": "2024-01-01T12:00:00.000+01:00", "createdBy": user()},
        "version": {"by": user(), "when": "2024-01-02T12:00:00.000+01:00", "number": 2, "minorEdit": False},
        "extensions": {"location": "inline", "inlineProperties": {"markerRef": "m1", "originalSelection": "this"},
                       "resolution": {"status": "resolved", "lastModifier": user("8a7f0002", "bob"),
                                      "lastModifiedDate": "2024-01-03T12:00:00.000+01:00"}},
    })
    assert inline == {**inline, "id": "55", "blogPostId": "7", "parentCommentId": "54", "_comment_type": "inline",
                      "createdAt": "2024-01-01T11:00:00.000Z", "resolutionStatus": "resolved",
                      "resolutionLastModifiedAt": "2024-01-03T11:00:00.000Z", "resolutionLastModifierId": "8a7f0002",
                      "properties": {"inlineMarkerRef": "m1", "inlineOriginalSelection": "this"}}
    attachment = v1_shapes.converted({
        "id": "att9", "type": "attachment", "status": "current", "title": "a.png",
        "container": {"id": "7", "type": "page"}, "extensions": {"mediaType": "image/png", "fileSize": 12, "comment": ""},
        "version": {"when": "2024-01-02T12:00:00.000+01:00", "number": 1, "minorEdit": False},
        "_links": {"webui": "/pages/viewpageattachments.action?pageId=7", "download": "/download/attachments/7/a.png"},
    })
    assert attachment == {**attachment, "pageId": "7", "mediaType": "image/png", "fileSize": 12, "comment": "",
                          "downloadLink": "/download/attachments/7/a.png"}
    assert v1_shapes.user({"type": "anonymous"}) is None


def test_nested_task_lists_are_separate_tasks_in_body_order():
    storage = ('<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status>'
               '<ac:task-body>outer<ac:task-list><ac:task><ac:task-id>2</ac:task-id><ac:task-status>complete'
               '</ac:task-status><ac:task-body>inner</ac:task-body></ac:task></ac:task-list></ac:task-body></ac:task>'
               '<ac:task><ac:task-id>3</ac:task-id><ac:task-body>no status</ac:task-body></ac:task></ac:task-list>')
    assert v1_shapes.tasks_in_storage(storage) == [("1", "incomplete", "outer"), ("2", "complete", "inner"),
                                                   ("3", "incomplete", "no status")]
    assert v1_shapes.tasks_in_storage("<p>no tasks</p>") == [] and v1_shapes.tasks_in_storage(None) == []


def test_walks_name_the_space_by_key_and_an_unknown_space_is_a_404():
    dc = client()
    with HttpMocker() as http:
        http.get(spaces_request(), results([space()]))
        first = search_request(PAGES_CQL + ASC, CONTENT_EXPAND, 250)
        http.get(first, results([page("1", "2024-03-01T11:00:10.000+01:00")], limit=250))
        [listed] = list(dc.walk(PAGE, "98305", "asc", None, bodies=False))
        http.assert_number_of_calls(first, 1)
        with pytest.raises(ConfluenceHttpError) as missing:
            next(iter(dc.walk(PAGE, "4242", "asc", None, bodies=True)))
    assert [item["id"] for item in listed.results] == ["1"] and listed.resume is None
    assert missing.value.status == 404


def test_a_walk_continues_from_its_position_by_building_the_search_from_the_bound():
    dc = client()
    with HttpMocker() as http:
        http.get(spaces_request(), results([space()]))
        resumed = search_request(PAGES_CQL + ' and lastmodified >= "2024-03-01 11:00"' + ASC, CONTENT_EXPAND, 250, start=3)
        http.get(resumed, results([page("4", "2024-03-01T11:02:00.000+01:00")], limit=250, start=3))
        [listed] = list(dc.walk(PAGE, "98305", "asc", None, False, {"order": "asc", "bound": "2024-03-01 11:00", "start": 3}))
        http.assert_number_of_calls(resumed, 1)
    assert [item["id"] for item in listed.results] == ["4"]


@pytest.mark.parametrize("position", [
    {"order": "asc", "next": "/wiki/api/v2/pages?cursor=abc"},  # a Cloud position
    {"order": "asc", "bound": "2024-03-01 11:00"},  # no start
    {"order": "asc", "bound": 17, "start": 0},
    {"order": "asc", "bound": None, "start": -1},
])
def test_a_position_this_client_did_not_write_is_answered_like_an_expired_link(position):
    # A foreign or corrupted Data Center state must make the stream start over, not crash.
    with HttpMocker() as http, pytest.raises(ConfluenceHttpError) as caught:
        http.get(spaces_request(), results([space()]))
        next(iter(client().space_tasks("98305", False, position)))
    assert caught.value.status == 400


# As release 2.0.0 kept an interrupted Data Center walk: the link of its proven bound (`resume.next`).
LEGACY_PAGES_LINK = ("/confluence/rest/api/content/search?cql=type%20%3D%20page%20and%20space%20%3D%20%22ENG%22%20and"
                     "%20lastmodified%20%3E%3D%20%222024-03-01%2011%3A00%22%20order%20by%20lastmodified%20asc"
                     "&expand=space,history,version,ancestors,body.storage&limit=50&start=0")
LEGACY_TASKS_LINK = ("/confluence/rest/api/content/search?cql=type%20in%20%28page%2C%20blogpost%29%20and%20space%20%3D"
                     "%20%22ENG%22%20and%20lastmodified%20%3E%3D%20%222024-03-01%2011%3A05%22%20order%20by%20lastmodified"
                     "%20asc&expand=space,version,body.storage&limit=50&start=0")


def test_a_walk_saved_as_a_2_0_link_resumes_from_its_bound_and_checkpoints_a_position():
    cursor = {"updated_at": None, "complete": False, "resume": {"order": "asc", "next": LEGACY_PAGES_LINK},
              "synced_ids": "", "reconciled_at": "2099-01-01T00:00:00.000Z"}
    state = StateBuilder().with_stream_state("pages", {"states": [{"partition": {"space_id": "98305"},
                                                                    "cursor": cursor}]}).build()
    bound = PAGES_CQL + ' and lastmodified >= "2024-03-01 11:00"' + ASC
    with HttpMocker() as http:
        http.get(spaces_request(limit=2), results([space()], limit=2))
        resumed = search_request(bound, BODY_EXPAND, 2)
        http.get(resumed, results([page("3", "2024-03-01T11:00:30.000+01:00"), page("4", "2024-03-01T11:07:00.000+01:00")],
                                  limit=2))
        http.get(search_request(PAGES_CQL + ' and lastmodified >= "2024-03-01 11:07"' + ASC, BODY_EXPAND, 2),
                 results([page("4", "2024-03-01T11:07:00.000+01:00")], limit=2))
        output = read(SourceConfluence(), config(page_size=2), catalog(), state)
        http.assert_number_of_calls(resumed, 1)
    assert not output.errors and ids(output) == ["3", "4"]
    cursors = [m.state.stream.stream_state.__dict__["states"][0]["cursor"] for m in output.state_messages]
    assert cursors[0]["resume"] == {"order": "asc", "bound": "2024-03-01 11:00", "start": 0}
    assert "resume" not in cursors[-1] and cursors[-1]["complete"] is True


def test_a_tasks_listing_saved_as_a_2_0_link_continues_from_its_bound():
    marks = {"page": {"updated_at": "2024-03-01T10:20:00.000Z"}, "blogpost": {"updated_at": None}}
    cursor = {"updated_at": None, "complete": False, "container_cursors": marks,
              "resume": {"order": "asc", "next": LEGACY_TASKS_LINK}}
    state = StateBuilder().with_stream_state("tasks", {"states": [{"partition": {"space_id": "98305"},
                                                                    "cursor": cursor}]}).build()
    body = '<ac:task-list><ac:task><ac:task-id>5</ac:task-id><ac:task-body>Go</ac:task-body></ac:task></ac:task-list>'
    with HttpMocker() as http:
        http.get(spaces_request(), results([space()]))
        http.get(search_request('type in (page, blogpost) and space = "ENG" and lastmodified >= "2024-03-01 11:05"' + ASC,
                                "space,version,body.storage", 50),
                 results([page("8", "2024-03-01T11:06:00.000+01:00", body=body)]))
        output = read(SourceConfluence(), config(), catalog("tasks"), state)
    assert not output.errors and ids(output) == ["8-5"]
    [final] = [m.state.stream.stream_state.__dict__["states"][0]["cursor"] for m in output.state_messages][-1:]
    cursors = {t: dict(mark) for t, mark in final["container_cursors"].items()}
    assert ItemLedger.decode(cursors["page"].pop("items")).items_of("8") == {"8-5": None}  # the tasks read, per container
    assert all(cursors[t].pop("checked_at") for t in cursors)  # the check for purged pages is due an interval later
    assert final["complete"] is True and "resume" not in final and cursors == marks
