"""groups: every group, paged by `_links.next` (Cloud v1, Data Center v1 where the name is the id)."""

from __future__ import annotations

from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker

from source_confluence import SourceConfluence
from unit_tests import dc_builders
from unit_tests.access_builders import (
    catalog,
    cloud_group,
    dc_request,
    v1_list,
    v1_request,
    with_dc_spaces,
    with_spaces,
    without_nulls,
)
from unit_tests.builders import config, json_response


def test_cloud_groups_are_read_page_by_page():
    with HttpMocker() as http:
        with_spaces(http, 2)
        http.get(v1_request("/group", limit=2, start=0),
                 v1_list([cloud_group("g-1", "admins"), cloud_group("g-2", "engineering")], limit=2,
                         next_link="/rest/api/group?limit=2&start=2"))
        http.get(v1_request("/group", limit=2, start=2),
                 v1_list([{**cloud_group("g-3", "support"), "managedBy": "external"}], start=2, limit=2))
        output = read(SourceConfluence(), config(page_size=2), catalog("groups"))
    assert not output.errors
    assert [r.record.data for r in output.records] == [without_nulls(r) for r in [
        {"id": "g-1", "name": "admins", "type": "group", "managed_by": None},
        {"id": "g-2", "name": "engineering", "type": "group", "managed_by": None},
        {"id": "g-3", "name": "support", "type": "group", "managed_by": "external"},
    ]]


def test_data_center_groups_are_keyed_by_name():
    with HttpMocker() as http:
        with_dc_spaces(http)
        http.get(dc_request("/group", limit=250, start=0),
                 v1_list([{"type": "group", "name": "confluence-users"}], base=dc_builders.BASE))
        output = read(SourceConfluence(), dc_builders.config(), catalog("groups"))
    assert not output.errors
    assert [r.record.data for r in output.records] == [without_nulls(r) for r in [
        {"id": "confluence-users", "name": "confluence-users", "type": "group", "managed_by": None}]]


def test_a_forbidden_group_list_is_skipped_with_a_warning():
    with HttpMocker() as http:
        with_spaces(http)
        http.get(v1_request("/group", limit=250, start=0), json_response({"message": "no"}, 403))
        output = read(SourceConfluence(), config(), catalog("groups"))
    assert not output.errors and not output.records
    assert any("Stream 'groups': skipped the group list" in m.log.message for m in output.logs)


def test_pages_without_a_next_link_are_followed_by_offset_while_they_come_full():
    """The v1 contract does not promise `_links.next`: an adversary that never sends it."""
    groups = [cloud_group(f"g-{i}", f"group {i}") for i in range(5)]
    with HttpMocker() as http:
        with_spaces(http, 2)
        for start in (0, 2, 4):
            http.get(v1_request("/group", limit=2, start=start), v1_list(groups[start:start + 2], start=start, limit=2))
        output = read(SourceConfluence(), config(page_size=2), catalog("groups"))
    assert not output.errors
    assert [r.record.data["id"] for r in output.records] == [f"g-{i}" for i in range(5)]
