"""audit_records: the record, the window asked for, incremental state with its overlap, and the skip
without administrator rights (Cloud and Data Center)."""

from __future__ import annotations

import hashlib
import json
import random

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.records.access_builders import audit_record
from unit_tests import dc_builders
from unit_tests.access_builders import (
    NOW_MS,
    audit_event,
    catalog,
    dc_request,
    frozen_now,  # noqa: F401 - a fixture
    v1_list,
    v1_request,
    with_dc_spaces,
    with_spaces,
)
from unit_tests.builders import config, json_response, list_response, space, spaces_request

T1_MS = 1_717_200_000_000  # 2024-06-01T00:00:00.000Z
MINUTE = 60_000
STATE_AT = "2024-06-01T00:00:00.000Z"


def audit_states(output):
    return [m.state.stream.stream_state.__dict__ for m in output.state_messages
            if m.state.stream.stream_descriptor.name == "audit_records"]


def test_the_record_carries_every_field_and_an_id_hashed_from_the_event():
    event = audit_event(T1_MS, "Space permission added")
    record = audit_record(event)
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert record == {
        "id": hashlib.sha256(canonical.encode()).hexdigest(),
        "created_at": "2024-06-01T00:00:00.000Z", "author_account_id": "acc-1", "author_display_name": "Ann Admin",
        "remote_address": "10.1.2.3", "category": "Permissions", "summary": "Space permission added",
        "description": None, "affected_object_name": "ENG", "affected_object_type": "Space",
        "changed_values": [{"name": "Permission", "old_value": None, "new_value": "VIEWSPACE"}],
        "associated_objects": [{"name": "confluence-users", "type": "Group"}], "is_system_event": False,
    }
    reordered = dict(reversed(list(event.items())))
    assert audit_record(reordered)["id"] == record["id"]  # key order does not matter
    assert audit_record({**event, "summary": "other"})["id"] != record["id"]


@pytest.mark.usefixtures("frozen_now")
def test_first_sync_reads_the_whole_log_up_to_the_sync_start_page_by_page():
    events = [audit_event(T1_MS + i * MINUTE, f"event {i}") for i in range(3)]
    with HttpMocker() as http:
        with_spaces(http, 2)
        http.get(v1_request("/audit", endDate=NOW_MS, limit=2, start=0),
                 v1_list(events[2:0:-1], limit=2, next_link=f"/rest/api/audit?endDate={NOW_MS}&limit=2&start=2"))
        http.get(v1_request("/audit", endDate=NOW_MS, limit=2, start=2), v1_list(events[:1], start=2, limit=2))
        output = read(SourceConfluence(), config(page_size=2), catalog("audit_records", mode=SyncMode.incremental))
    assert not output.errors
    assert [r.record.data["summary"] for r in output.records] == ["event 2", "event 1", "event 0"]
    cursor = audit_states(output)[-1]["states"][0]["cursor"]
    newest = "2024-06-01T00:02:00.000Z"
    assert cursor["updated_at"] == newest
    # Every event within the overlap (5 minutes) before the cursor is remembered by time.
    assert cursor["cursor_versions"] == {
        f"2024-06-01T00:0{i}:00.000Z": [audit_record(events[i])["id"]] for i in range(3)}


@pytest.mark.usefixtures("frozen_now")
def test_an_incremental_sync_asks_from_the_cursor_minus_the_overlap_and_skips_what_it_emitted():
    seen, late, new = (audit_event(T1_MS, "seen"), audit_event(T1_MS - 2 * MINUTE, "filed late"),
                       audit_event(T1_MS + MINUTE, "new"))
    state = StateBuilder().with_stream_state("audit_records", {"states": [{"partition": {"scope": "site"}, "cursor": {
        "updated_at": STATE_AT, "complete": True, "cursor_versions": {STATE_AT: [audit_record(seen)["id"]]}}}]}).build()
    with HttpMocker() as http:
        with_spaces(http)
        http.get(v1_request("/audit", startDate=T1_MS - 5 * MINUTE, endDate=NOW_MS, limit=250, start=0),
                 v1_list([new, seen, late]))
        output = read(SourceConfluence(), config(), catalog("audit_records", mode=SyncMode.incremental), state)
    assert [r.record.data["summary"] for r in output.records] == ["new", "filed late"]
    cursor = audit_states(output)[-1]["states"][0]["cursor"]
    assert cursor["updated_at"] == "2024-06-01T00:01:00.000Z"
    assert sorted(i for ids in cursor["cursor_versions"].values() for i in ids) == sorted(
        audit_record(e)["id"] for e in (seen, late, new))


@pytest.mark.usefixtures("frozen_now")
def test_the_state_does_not_depend_on_the_order_the_server_lists_events_in():
    """The contract does not say in which order the log is listed: any order gives the same state."""
    events = [audit_event(T1_MS + i * 7 * MINUTE, f"event {i}") for i in range(6)]
    cursors = []
    for seed in (1, 2, 3):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        with HttpMocker() as http:
            with_spaces(http)
            http.get(v1_request("/audit", endDate=NOW_MS, limit=250, start=0), v1_list(shuffled))
            output = read(SourceConfluence(), config(), catalog("audit_records", mode=SyncMode.incremental))
        cursors.append(audit_states(output)[-1]["states"][0]["cursor"])
    assert cursors[0] == cursors[1] == cursors[2]
    assert cursors[0]["updated_at"] == "2024-06-01T00:35:00.000Z"
    assert list(cursors[0]["cursor_versions"]) == ["2024-06-01T00:35:00.000Z"]  # the others are outside the overlap


@pytest.mark.usefixtures("frozen_now")
def test_without_administrator_rights_the_stream_is_skipped_with_a_warning_and_the_sync_goes_on():
    for status in (401, 403):
        state = StateBuilder().with_stream_state("audit_records", {"states": [{"partition": {"scope": "site"},
                                                                               "cursor": {"updated_at": STATE_AT}}]})
        with HttpMocker() as http:
            http.get(v1_request("/audit", startDate=T1_MS - 5 * MINUTE, endDate=NOW_MS, limit=250, start=0),
                     json_response({"statusCode": status, "message": "not permitted"}, status))
            http.get(spaces_request(), list_response([space()]))
            output = read(SourceConfluence(), config(),
                          catalog("audit_records", "spaces", mode=SyncMode.incremental), state.build())
        assert not output.errors, status
        assert [r.record.stream for r in output.records] == ["spaces"]
        warnings = [m.log.message for m in output.logs if "audit_records" in m.log.message]
        assert any(f"HTTP {status}" in w and "'Confluence Administrator' global permission" in w
                   and "read:audit-log:confluence" in w for w in warnings), status
        assert all(s["states"][0]["cursor"]["updated_at"] == STATE_AT for s in audit_states(output))


@pytest.mark.usefixtures("frozen_now")
def test_data_center_reads_the_log_with_user_keys_as_authors():
    event = audit_event(T1_MS, "Space exported", account_id=None, userKey="8a7f", username="ann")
    with HttpMocker() as http:
        with_dc_spaces(http)
        http.get(dc_request("/audit", endDate=NOW_MS, limit=250, start=0),
                 v1_list([event], base=dc_builders.BASE))
        output = read(SourceConfluence(), dc_builders.config(), catalog("audit_records", mode=SyncMode.incremental))
    assert not output.errors
    [record] = [r.record.data for r in output.records]
    assert (record["author_account_id"], record["summary"], record["created_at"]) == (
        "8a7f", "Space exported", "2024-06-01T00:00:00.000Z")
