"""content_labels on Cloud: the labels of changed content in bulk (api/cloud/label_search.py), one v1
search per 100 items, each item the search cannot answer for read alone from its v2 list; the records
are those the v2 path emits."""

from __future__ import annotations

from datetime import UTC, datetime

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
    json_response,
    label_search_request,
    label_search_response,
    labelled_hit,
    list_response,
    page,
    space,
    spaces_request,
    v2_request,
)

OLD, NEW = "2024-01-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"
HOW_TO = {"id": "7", "name": "how-to", "prefix": "global"}
DRAFT = {"id": "8", "name": "draft", "prefix": "my"}
FAQ = {"id": "9", "name": "faq", "prefix": "team"}
HELD = [f"{n}:7" for n in range(1, 400)]
"""Rows label 7 holds: enough that 150 changed pages are read as changed content, not every label."""


def catalog():
    builder = CatalogBuilder()
    for stream in ("pages", "content_labels"):
        builder.with_stream(stream, SyncMode.incremental)
    return builder.build()


def state():
    # Now, not at collection: a label's turn must not fall between the two (the suite runs for minutes).
    recently = format_timestamp(datetime.now(UTC))
    pages_state = {"states": [{"partition": {"space_id": "100"}, "cursor": {
        "updated_at": OLD, "cursor_versions": {OLD: ["1#2"]}, "complete": True,
        "synced_ids": encode_ids(["1"]), "reconciled_at": recently}}]}
    labels_state = {"states": [
        {"partition": {"scope": "spaces"}, "cursor": {"updated_at": recently, "synced_ids": encode_ids([]),
                                                      "reconciled_at": recently}},
        {"partition": {"scope": "labels"}, "cursor": {"updated_at": None, "reconciled_at": recently}},
        *({"partition": {"label_id": label["id"]}, "cursor": {
            "updated_at": recently, "synced_ids": encode_ids(HELD if label is HOW_TO else []),
            "reconciled_at": recently}} for label in (HOW_TO, DRAFT, FAQ))]}
    return StateBuilder().with_stream_state("pages", pages_state).with_stream_state("content_labels", labels_state).build()


def label_rows(output) -> dict[str, dict]:
    return {m.record.data["id"]: m.record.data for m in output.records if m.record.stream == "content_labels"}


def without_read_time(rows: dict[str, dict]) -> dict[str, dict]:
    return {row_id: {k: v for k, v in row.items() if k != "updated_at"} for row_id, row in rows.items()}


def mock_changed_pages(http: HttpMocker, ids: list[str]) -> None:
    http.get(spaces_request(), list_response([space()]))
    http.get(content_list_request("pages", "100", descending=True),
             list_response([page(i, NEW) for i in ids] + [page("1", OLD)]))


def test_150_changed_pages_cost_two_searches_and_a_v2_list_for_each_cut_missed_or_stale_one():
    ids = [str(n) for n in range(1001, 1151)]
    with HttpMocker() as http:  # an unmocked request fails the sync
        mock_changed_pages(http, ids)
        first, second = label_search_request(ids[:100]), label_search_request(ids[100:])
        http.get(first, label_search_response([
            labelled_hit("1001", [HOW_TO, DRAFT]),
            labelled_hit("1002", [HOW_TO, DRAFT], cut=True),  # 3 labels, a page of 2 embedded
            labelled_hit("1004", [HOW_TO], version=1),  # an index entry older than the version the walk emitted
            *(labelled_hit(i, []) for i in ids[4:100]),  # 1003: not in the index yet
        ]))
        http.get(second, label_search_response([labelled_hit(i, [FAQ] if i == "1150" else []) for i in ids[100:]]))
        alone = {"1002": [HOW_TO, DRAFT, FAQ], "1003": [FAQ], "1004": [DRAFT]}
        v2_lists = {content_id: v2_request(f"/pages/{content_id}/labels", limit=250) for content_id in alone}
        for content_id, labels in alone.items():
            http.get(v2_lists[content_id], list_response(labels))
        output = read(SourceConfluence(), config(), catalog(), state())
        for request in (first, second, *v2_lists.values()):
            http.assert_number_of_calls(request, 1)
    assert not output.errors
    rows = label_rows(output)
    assert sorted(rows) == ["1001:7", "1001:8", "1002:7", "1002:8", "1002:9", "1003:9", "1004:8", "1150:9"]
    assert (rows["1002:9"]["label_name"], rows["1002:9"]["label_prefix"], rows["1002:9"]["space_id"]) == (
        "faq", "team", "100")
    assert "1004:7" not in rows  # the stale entry's label is not emitted
    saved = [m.state.stream.stream_state.__dict__ for m in output.state_messages
             if m.state.stream.stream_descriptor.name == "content_labels"][-1]["states"]
    held = {entry["partition"]["label_id"]: decode_ids(entry["cursor"]["synced_ids"])
            for entry in saved if "label_id" in entry["partition"]}
    assert held["9"] == {"1002:9", "1003:9", "1150:9"} and held["8"] == {"1001:8", "1002:8", "1004:8"}


def test_the_records_are_those_the_v2_path_emits():
    ids = ["2001", "2002", "2003"]
    labels = {"2001": [HOW_TO, DRAFT], "2002": [], "2003": [FAQ, HOW_TO]}

    def sync(searchable: bool) -> dict[str, dict]:
        with HttpMocker() as http:
            mock_changed_pages(http, ids)
            if searchable:
                http.get(label_search_request(ids), label_search_response([labelled_hit(i, labels[i]) for i in ids]))
            else:
                http.get(label_search_request(ids), json_response({"message": "scope does not match"}, 403))
                for content_id in ids:
                    http.get(v2_request(f"/pages/{content_id}/labels", limit=250), list_response(labels[content_id]))
            output = read(SourceConfluence(), config(), catalog(), state())
        assert not output.errors
        return without_read_time(label_rows(output))

    bulk, one_by_one = sync(searchable=True), sync(searchable=False)
    assert sorted(bulk) == ["2001:7", "2001:8", "2003:7", "2003:9"]
    assert bulk == one_by_one
