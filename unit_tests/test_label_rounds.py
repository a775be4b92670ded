"""content_labels incremental: the labels of changed content only, rounds due or not due, removed
labels tombstoned, labels added without a version found at the next round, no state -> every label."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.sync.idset import decode_ids, encode_ids
from source_confluence.timestamps import format_timestamp
from unit_tests.builders import (
    config,
    content_list_request,
    label_search_request,
    label_search_response,
    labelled_hit,
    list_response,
    page,
    space,
    spaces_request,
    v2_request,
)

RECENTLY = format_timestamp(datetime.now(UTC))
LONG_AGO = format_timestamp(datetime.now(UTC) - timedelta(days=3))
OLD, NEW = "2024-01-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"
LABEL = {"id": "7", "name": "how-to", "prefix": "global"}


def catalog(*streams: str):
    builder = CatalogBuilder()
    for stream in streams:
        builder.with_stream(stream, SyncMode.incremental)
    return builder.build()


def label_state(checked_at: str, rows: list[str]) -> list[dict]:
    return [
        {"partition": {"scope": "spaces"}, "cursor": {"updated_at": checked_at, "synced_ids": encode_ids([]),
                                                      "reconciled_at": checked_at}},
        {"partition": {"scope": "labels"}, "cursor": {"updated_at": None, "reconciled_at": checked_at}},
        {"partition": {"label_id": "7"}, "cursor": {"updated_at": checked_at, "synced_ids": encode_ids(rows),
                                                    "reconciled_at": checked_at}},
    ]


def mock_every_label(http: HttpMocker, pages: list[dict]) -> None:
    http.get(v2_request("/spaces/100/labels", limit=250), list_response([]))
    http.get(v2_request("/labels", limit=250), list_response([LABEL]))
    http.get(v2_request("/labels/7/pages", limit=250), list_response(pages))
    http.get(v2_request("/labels/7/blogposts", limit=250), list_response([]))
    http.get(v2_request("/labels/7/attachments", limit=250), list_response([]))


def rows(output) -> dict[str, dict]:
    return {m.record.data["id"]: m.record.data for m in output.records if m.record.stream == "content_labels"}


def final_label_state(output) -> dict[str, dict]:
    last = [m.state.stream.stream_state.__dict__ for m in output.state_messages
            if m.state.stream.stream_descriptor.name == "content_labels"][-1]
    return {str(sorted(entry["partition"].items())): entry["cursor"] for entry in last["states"]}


def test_no_state_reads_every_label_and_saves_each_labels_rows():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        mock_every_label(http, [page("1", OLD), page("2", OLD)])
        output = read(SourceConfluence(), config(), catalog("content_labels"))
    assert sorted(rows(output)) == ["1:7", "2:7"]
    assert {row["updated_at"] for row in rows(output).values()} == {output.records[0].record.data["updated_at"]}
    assert all(row.get("deleted_at") is None for row in rows(output).values())
    saved = final_label_state(output)["[('label_id', '7')]"]
    assert decode_ids(saved["synced_ids"]) == {"1:7", "2:7"}
    assert saved["reconciled_at"] == output.records[0].record.data["updated_at"]


def test_no_round_due_reads_no_label():
    state = StateBuilder().with_stream_state("content_labels", {"states": label_state(RECENTLY, ["1:7"])}).build()
    with HttpMocker() as http:  # an unmocked request fails the test
        http.get(spaces_request(), list_response([space()]))
        output = read(SourceConfluence(), config(), catalog("content_labels"), state)
    assert rows(output) == {}
    assert not output.errors


def test_a_due_round_tombstones_removed_labels_and_finds_labels_added_without_a_version():
    state = StateBuilder().with_stream_state("content_labels", {"states": label_state(LONG_AGO, ["1:7", "2:7"])}).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        mock_every_label(http, [page("1", OLD), page("3", OLD)])  # 2 lost the label, 3 got it (no new version)
        output = read(SourceConfluence(), config(label_reconciliation_interval_hours=24), catalog("content_labels"), state)
    found = rows(output)
    assert sorted(found) == ["1:7", "2:7", "3:7"]
    assert found["3:7"].get("deleted_at") is None and found["1:7"].get("deleted_at") is None
    assert found["2:7"]["deleted_at"] == found["2:7"]["updated_at"] > LONG_AGO
    assert found["2:7"]["content_id"] == "2" and found["2:7"]["label_id"] == "7"
    assert decode_ids(final_label_state(output)["[('label_id', '7')]"]["synced_ids"]) == {"1:7", "3:7"}


def test_only_the_labels_of_changed_content_are_read_between_rounds():
    pages_state = {"states": [{"partition": {"space_id": "100"}, "cursor": {
        "updated_at": OLD, "cursor_versions": {OLD: ["1#2"]}, "complete": True,
        "synced_ids": encode_ids(["1", "2"]), "reconciled_at": RECENTLY}}]}
    state = (StateBuilder().with_stream_state("pages", pages_state)
             .with_stream_state("content_labels", {"states": label_state(RECENTLY, ["1:7", "2:7"])}).build())
    with HttpMocker() as http:  # no label list: every mocked request must be the only one of its kind
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("5", NEW), page("1", OLD)]))
        http.get(label_search_request(["5"]), label_search_response([labelled_hit("5", [LABEL])]))
        output = read(SourceConfluence(), config(), catalog("pages", "content_labels"), state)
    assert list(rows(output)) == ["5:7"]
    assert rows(output)["5:7"]["space_id"] == "100"
    # The row joins its label's set, so that its removal is found at the label's next round.
    assert decode_ids(final_label_state(output)["[('label_id', '7')]"]["synced_ids"]) == {"1:7", "2:7", "5:7"}
