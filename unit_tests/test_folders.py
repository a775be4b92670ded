"""folders: the parent chains of the synced pages resolved folder by folder, each once; a missing
folder skipped; pending folders of a killed sync resolved by the next; Data Center reads nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.sync.idset import encode_ids
from source_confluence.timestamps import format_timestamp
from unit_tests.builders import SITE, config, content_list_request, json_response, list_response, page, space, spaces_request

T1, T2 = "2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"


def catalog():
    return CatalogBuilder().with_stream("pages", SyncMode.incremental).with_stream("folders", SyncMode.incremental).build()


def in_folder(page_id: str, updated_at: str, folder_id: str) -> dict[str, Any]:
    return {**page(page_id, updated_at), "parentId": folder_id, "parentType": "folder"}


def folder(folder_id: str, parent_id: str | None, parent_type: str | None) -> dict[str, Any]:
    return {"id": folder_id, "type": "folder", "status": "current", "title": f"Folder {folder_id}",
            "parentId": parent_id, "parentType": parent_type, "position": None, "authorId": "acc-1",
            "ownerId": "acc-2", "createdAt": "2023-05-06T07:08:09.000Z",
            "version": {"number": 1, "createdAt": "2023-05-06T07:08:09.000Z", "authorId": "acc-1"},
            "_links": {"webui": f"/spaces/ENG/folder/{folder_id}"}}


def folder_request(folder_id: str) -> HttpRequest:
    return HttpRequest(f"{SITE}/wiki/api/v2/folders/{folder_id}")


def records(output, stream: str) -> list[dict[str, Any]]:
    return [r.record.data for r in output.records if r.record.stream == stream]


def test_every_parent_chain_resolves_through_nested_folders_each_folder_read_once():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False),
                 list_response([in_folder("5", T1, "50"), in_folder("6", T2, "50"), in_folder("7", T2, "40")]))
        inner, outer = folder_request("50"), folder_request("40")
        http.get(inner, json_response(folder("50", "40", "folder")))
        http.get(outer, json_response(folder("40", None, None)))
        output = read(SourceConfluence(), config(content_types=["pages"]), catalog())
        http.assert_number_of_calls(inner, 1)
        http.assert_number_of_calls(outer, 1)
    pages = {p["id"]: p for p in records(output, "pages")}
    assert (pages["5"]["parent_id"], pages["5"]["parent_type"]) == ("50", "folder")
    folders = {f["id"]: f for f in records(output, "folders")}
    assert sorted(folders) == ["40", "50"]
    assert folders["50"] == {
        "id": "50", "title": "Folder 50", "space_id": "100", "parent_id": "40", "parent_type": "folder",
        "created_at": "2023-05-06T07:08:09.000Z", "author_id": "acc-1", "owner_id": "acc-2", "status": "current",
        "resolved_at": folders["50"]["resolved_at"]}  # null fields (deleted_at) are left out of the record
    assert folders["40"].get("parent_id") is None and folders["40"]["space_id"] == "100"
    assert folders["40"]["resolved_at"].endswith("Z")


def test_a_folder_that_is_gone_is_skipped_with_a_warning_and_the_sync_succeeds():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False),
                 list_response([in_folder("5", T1, "60"), in_folder("6", T2, "50")]))
        http.get(folder_request("60"), json_response({"errors": [{"status": 404, "title": "Not Found"}]}, 404))
        http.get(folder_request("50"), json_response(folder("50", "8", "page")))
        output = read(SourceConfluence(), config(content_types=["pages"]), catalog())
    assert [f["id"] for f in records(output, "folders")] == ["50"]
    assert any("folder 60 was not found" in log.log.message for log in output.logs)
    assert not output.errors


def test_a_folder_moved_between_two_look_ups_is_followed_to_its_new_parent():
    """The contract is silent on consistency across requests: folder 50 says it sits in 40, and 40,
    read later, has been moved under 30. Every folder a read names is looked up: the chain ends at
    the root as the site stands after the move."""
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False), list_response([in_folder("5", T1, "50")]))
        http.get(folder_request("50"), json_response(folder("50", "40", "folder")))
        http.get(folder_request("40"), json_response(folder("40", "30", "folder")))
        http.get(folder_request("30"), json_response(folder("30", None, None)))
        output = read(SourceConfluence(), config(content_types=["pages"]), catalog())
    assert [(f["id"], f.get("parent_id")) for f in records(output, "folders")] == [("50", "40"), ("40", "30"), ("30", None)]


def test_folders_of_pages_a_killed_sync_delivered_are_resolved_by_the_next_sync():
    pending = {"states": [{"partition": {"scope": "site"}, "cursor": {
        "updated_at": None, "complete": False, "container_cursors": {"pending_folders": {"70": "100"}}}}]}
    pages = {"states": [{"partition": {"space_id": "100"}, "cursor": {
        "updated_at": T2, "complete": True, "cursor_versions": {T2: ["6#2"]}, "synced_ids": encode_ids(["6"]),
        "reconciled_at": format_timestamp(datetime.now(UTC))}}]}
    state = StateBuilder().with_stream_state("pages", pages).with_stream_state("folders", pending).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("6", T2)]))
        http.get(folder_request("70"), json_response(folder("70", None, None)))
        output = read(SourceConfluence(), config(content_types=["pages"]), catalog(), state)
    assert [(f["id"], f["space_id"]) for f in records(output, "folders")] == [("70", "100")]
    final = [m.state.stream.stream_state.__dict__ for m in output.state_messages
             if m.state.stream.stream_descriptor.name == "folders"][-1]["states"][0]["cursor"]
    assert "container_cursors" not in final and final["complete"] is True


def test_pending_folders_are_saved_before_the_pages_naming_them_are_checkpointed():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False), list_response([in_folder("5", T1, "50")]))
        http.get(folder_request("50"), json_response(folder("50", None, None)))
        output = read(SourceConfluence(), config(content_types=["pages"]), catalog())
    order = [(m.type.name, (m.record.stream if m.record else m.state.stream.stream_descriptor.name),
              m.state.stream.stream_state.__dict__ if m.state else None)
             for m in output._messages if m.type.name in ("RECORD", "STATE")]
    first_pages_record = next(i for i, (kind, stream, _) in enumerate(order) if kind == "RECORD" and stream == "pages")
    saved = [i for i, (kind, stream, doc) in enumerate(order) if kind == "STATE" and stream == "folders"
             and doc["states"][0]["cursor"].get("container_cursors", {}).get("pending_folders") == {"50": "100"}]
    assert saved and saved[0] < first_pages_record
