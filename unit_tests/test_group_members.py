"""group_members: the members of every group, at most 200 per request (Cloud by group id, Data Center
by group name with user keys and usernames)."""

from __future__ import annotations

import pytest
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker

from source_confluence import SourceConfluence
from unit_tests import dc_builders
from unit_tests.access_builders import (  # noqa: F401 - frozen_now: a fixture
    NOW_STAMP,
    catalog,
    cloud_group,
    cloud_user,
    dc_request,
    dc_user,
    frozen_now,
    v1_list,
    v1_request,
    with_dc_spaces,
    with_spaces,
    without_nulls,
)
from unit_tests.builders import config, json_response


@pytest.mark.usefixtures("frozen_now")
def test_cloud_members_are_read_200_at_a_time_for_every_group():
    with HttpMocker() as http:
        with_spaces(http)
        http.get(v1_request("/group", limit=250, start=0),
                 v1_list([cloud_group("g-1", "admins"), cloud_group("g-2", "bots")]))
        http.get(v1_request("/group/g-1/membersByGroupId", limit=200, start=0),
                 v1_list([cloud_user("acc-1", "Ann")], limit=200,
                         next_link="/rest/api/group/g-1/membersByGroupId?limit=200&start=200"))
        http.get(v1_request("/group/g-1/membersByGroupId", limit=200, start=200),
                 v1_list([cloud_user("acc-2", "Bo")], start=200, limit=200))
        http.get(v1_request("/group/g-2/membersByGroupId", limit=200, start=0),
                 v1_list([cloud_user("557058:x", "Build bot", "app")], limit=200))
        output = read(SourceConfluence(), config(), catalog("group_members"))
    assert not output.errors
    records = sorted((r.record.data for r in output.records), key=lambda r: r["id"])
    assert records == [without_nulls(r) for r in [
        {"id": "g-1:acc-1", "group_id": "g-1", "group_name": "admins", "account_id": "acc-1", "username": None,
         "display_name": "Ann", "account_type": "atlassian", "updated_at": NOW_STAMP},
        {"id": "g-1:acc-2", "group_id": "g-1", "group_name": "admins", "account_id": "acc-2", "username": None,
         "display_name": "Bo", "account_type": "atlassian", "updated_at": NOW_STAMP},
        {"id": "g-2:557058:x", "group_id": "g-2", "group_name": "bots", "account_id": "557058:x", "username": None,
         "display_name": "Build bot", "account_type": "app", "updated_at": NOW_STAMP},
    ]]


@pytest.mark.usefixtures("frozen_now")
def test_data_center_members_carry_the_user_key_and_username():
    with HttpMocker() as http:
        with_dc_spaces(http)
        http.get(dc_request("/group", limit=250, start=0),
                 v1_list([{"type": "group", "name": "tech writers"}], base=dc_builders.BASE))
        http.get(dc_request("/group/tech%20writers/member", limit=200, start=0),
                 v1_list([dc_user("8a7f", "ann", "Ann")], limit=200, base=dc_builders.BASE))
        output = read(SourceConfluence(), dc_builders.config(), catalog("group_members"))
    assert not output.errors
    assert [r.record.data for r in output.records] == [without_nulls(r) for r in [
        {"id": "tech writers:8a7f", "group_id": "tech writers", "group_name": "tech writers", "account_id": "8a7f",
         "username": "ann", "display_name": "Ann", "account_type": None, "updated_at": NOW_STAMP}]]


def test_a_group_whose_members_are_forbidden_is_skipped_and_the_others_are_read():
    with HttpMocker() as http:
        with_spaces(http)
        http.get(v1_request("/group", limit=250, start=0),
                 v1_list([cloud_group("g-1", "secret"), cloud_group("g-2", "open")]))
        http.get(v1_request("/group/g-1/membersByGroupId", limit=200, start=0), json_response({"message": "no"}, 403))
        http.get(v1_request("/group/g-2/membersByGroupId", limit=200, start=0),
                 v1_list([cloud_user("acc-1", "Ann")], limit=200))
        output = read(SourceConfluence(), config(), catalog("group_members"))
    assert not output.errors
    assert [r.record.data["id"] for r in output.records] == ["g-2:acc-1"]
    assert any("the members of group secret" in m.log.message for m in output.logs)
