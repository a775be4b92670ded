"""space_permissions: Cloud direct grants and role assignments (access classes included), a site
without roles, and Data Center's permissions expanded on the space."""

from __future__ import annotations

import pytest
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker

from source_confluence import SourceConfluence
from unit_tests import dc_builders
from unit_tests.access_builders import NOW_STAMP, catalog, dc_request, dc_user, frozen_now, without_nulls  # noqa: F401 - a fixture
from unit_tests.builders import config, json_response, list_response, space, spaces_request, v2_request


def assignment(num: int, kind: str, principal_id: str, key: str, target: str) -> dict:
    return {"id": str(num), "principal": {"type": kind, "id": principal_id}, "operation": {"key": key, "targetType": target}}


def holder(kind: str, principal_id: str, role_id: str) -> dict:
    return {"principal": {"principalType": kind, "principalId": principal_id}, "roleId": role_id}


def by_id(output) -> dict[str, dict]:
    return {r.record.data["id"]: r.record.data for r in output.records}


@pytest.mark.usefixtures("frozen_now")
def test_cloud_grants_come_directly_and_through_roles_each_key_once():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space("100", "ENG")]))
        http.get(v2_request("/space-roles", limit=250), list_response([{"id": "r-1", "displayName": "Viewer"}]))
        http.get(v2_request("/spaces/100/permissions", limit=250), list_response([
            assignment(1, "group", "g-1", "read", "space"), assignment(2, "user", "acc-1", "administer", "space"),
            assignment(3, "role", "r-1", "read", "space")]))
        http.get(v2_request("/spaces/100/role-assignments", limit=250), list_response([
            holder("ACCESS_CLASS", "anonymous-users", "r-1"), holder("ACCESS_CLASS", "all-licensed-users", "r-1"),
            holder("GROUP", "g-1", "r-1"), holder("USER", "acc-2", "r-1"),
            holder("ACCESS_CLASS", "jsm-project-admins", "r-1")]))
        output = read(SourceConfluence(), config(), catalog("space_permissions"))
    assert not output.errors
    records = by_id(output)
    assert set(records) == {"100:group:g-1:read:space", "100:user:acc-1:administer:space", "100:role:r-1:read:space",
                            "100:anonymous:-:read:space", "100:all_licensed_users:-:read:space",
                            "100:user:acc-2:read:space"}
    assert records["100:group:g-1:read:space"]["granted_through"] == "permission"  # the direct grant wins
    assert records["100:anonymous:-:read:space"] == without_nulls({
        "id": "100:anonymous:-:read:space", "space_id": "100", "space_key": "ENG", "principal_type": "anonymous",
        "principal_id": None, "operation_key": "read", "operation_target": "space",
        "granted_through": "role_assignment", "role_id": "r-1", "role_name": "Viewer", "updated_at": NOW_STAMP})
    assert records["100:role:r-1:read:space"]["role_name"] == "Viewer"
    assert any("jsm-project-admins" in m.log.message for m in output.logs)


def test_a_site_without_roles_reads_only_the_direct_grants():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space("100", "ENG")]))
        http.get(v2_request("/space-roles", limit=250), json_response({"message": "not found"}, 404))
        http.get(v2_request("/spaces/100/permissions", limit=250),
                 list_response([assignment(1, "user", "acc-1", "READ", "SPACE")]))
        output = read(SourceConfluence(), config(), catalog("space_permissions"))
    assert not output.errors
    assert list(by_id(output)) == ["100:user:acc-1:read:space"]  # lower case, as the contract's records say
    assert any("role assignments are not read" in m.log.message for m in output.logs)


def test_data_center_reads_users_groups_and_anonymous_access_from_the_space():
    dc_space = {"id": 7, "key": "ENG", "name": "Engineering", "type": "global", "status": "current",
                "_links": {"webui": "/display/ENG"}}
    permissions = [
        {"operation": {"operation": "read", "targetType": "space"}, "anonymousAccess": False, "unlicensedAccess": False,
         "subjects": {"user": {"results": [dc_user("8a7f", "ann", "Ann")], "size": 1}}},
        {"operation": {"operation": "create", "targetType": "page"}, "anonymousAccess": False,
         "unlicensedAccess": False, "subjects": {"group": {"results": [{"type": "group", "name": "devs"}], "size": 1}}},
        {"operation": {"operation": "read", "targetType": "space"}, "anonymousAccess": True, "unlicensedAccess": False},
    ]
    with HttpMocker() as http:
        http.get(dc_request("/space", expand="description.plain,homepage,metadata.labels", limit=250),
                 json_response({"results": [dc_space], "start": 0, "limit": 250, "size": 1,
                                "_links": {"base": dc_builders.BASE}}))
        http.get(dc_request("/space/ENG", expand="permissions"), json_response({**dc_space, "permissions": permissions}))
        output = read(SourceConfluence(), dc_builders.config(), catalog("space_permissions"))
    assert not output.errors
    assert sorted(by_id(output)) == ["7:anonymous:-:read:space", "7:group:devs:create:page", "7:user:8a7f:read:space"]
