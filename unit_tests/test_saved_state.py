"""Regression tests (issue 11, defect 4): a saved state must never break a connection for good.

A GLOBAL state (another connector's shape) crashed `read` before anything was read, every sync
after; a corrupted part of a valid per-stream state (the deletion check's `known` set) failed the
sync as soon as content in that partition changed. Whatever cannot be decoded is dropped with a
warning naming the stream and partition, and the rest of the state is kept.
"""

from __future__ import annotations

import re

from airbyte_cdk.models import (
    AirbyteGlobalState,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    StreamDescriptor,
)
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.sync.idset import decode_ids
from unit_tests.builders import config, content_list_request, list_response, page, space, spaces_request
from unit_tests.test_content_streams import T3, T4, catalog, ids_request, read, space_state, stream_states


def _global_state(shared: dict, streams: dict[str, dict]) -> list[AirbyteStateMessage]:
    stream_states_ = [AirbyteStreamState(stream_descriptor=StreamDescriptor(name=name),
                                         stream_state=AirbyteStateBlob(blob)) for name, blob in streams.items()]
    return [AirbyteStateMessage(type=AirbyteStateType.GLOBAL,
                                global_=AirbyteGlobalState(shared_state=AirbyteStateBlob(shared),
                                                           stream_states=stream_states_))]


def test_a_global_state_is_read_per_stream_and_its_shared_part_dropped_with_a_warning():
    state = _global_state({"cdc_offset": "0/16B3748"}, {"pages": space_state("100", T3, ["3"])})
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("4", T4), page("3", T3)]))
        output = read(SourceConfluence(), config(), catalog(), state)
    assert not output.errors
    assert output.is_in_logs("Ignoring the shared part of a GLOBAL saved state")
    # The stream's own part is kept: the walk stops at its cursor and emits only what is newer.
    assert [r.record.data["id"] for r in output.records] == ["4"]


def test_a_global_state_alone_reads_every_stream_from_the_start():
    state = _global_state({"cdc_offset": "0/16B3748"}, {})
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False), list_response([page("3", T3)]))
        output = read(SourceConfluence(), config(), catalog(), state)
    assert not output.errors and [r.record.data["id"] for r in output.records] == ["3"]


def test_a_corrupted_deletion_set_is_dropped_with_a_warning_and_the_cursor_kept():
    state = StateBuilder().with_stream_state("pages", space_state("100", T3, ["3"], known="n!!!")).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        # Content changed in that partition: this is what used to fail the sync, every sync.
        http.get(content_list_request("pages", "100", descending=True), list_response([page("4", T4), page("3", T3)]))
        # A new baseline for the deletion check: the ids listed now (none reported purged).
        http.get(ids_request("100"), list_response([{"id": "1"}, {"id": "3"}, {"id": "4"}]))
        output = read(SourceConfluence(), config(), catalog(), state)
    assert not output.errors
    # is_in_logs takes a regular expression
    assert output.is_in_logs(re.escape("Ignoring part of the saved state of stream 'pages' (partition {\"space_id\": \"100\"})"))
    assert [r.record.data["id"] for r in output.records] == ["4"]  # the cursor survived
    final = stream_states(output)[-1]["states"][0]["cursor"]
    assert final["updated_at"] == T4 and decode_ids(final["synced_ids"]) == {"1", "3", "4"} and "known" not in final
