"""group_members and space_permissions in rounds: a first sync reads every key, a sync seconds later
reads none, a due key tombstones what it lost, a deleted group or space tombstones every row it had,
a skipped key removes nothing, full refresh reads every key without tombstones, and the state of the
releases where the streams were full refresh reads every key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.sync.idset import decode_ids, encode_ids
from source_confluence.timestamps import format_timestamp
from unit_tests.access_builders import catalog, cloud_group, cloud_user, v1_list, v1_request
from unit_tests.builders import config, json_response, list_response, space, spaces_request, v2_request

MEMBERS, PERMISSIONS = "group_members", "space_permissions"
LONG_AGO = format_timestamp(datetime.now(UTC) - timedelta(days=3))
INCREMENTAL = SyncMode.incremental


def grant(num: int, kind: str, principal_id: str, key: str) -> dict:
    return {"id": str(num), "principal": {"type": kind, "id": principal_id},
            "operation": {"key": key, "targetType": "space"}}


def mock_groups(http: HttpMocker, groups: dict[str, list[str]]) -> None:
    http.get(v1_request("/group", limit=250, start=0), v1_list([cloud_group(g, f"name {g}") for g in groups]))
    for group_id, accounts in groups.items():
        http.get(v1_request(f"/group/{group_id}/membersByGroupId", limit=200, start=0),
                 v1_list([cloud_user(a, a.upper()) for a in accounts], limit=200))


def mock_spaces(http: HttpMocker, grants: dict[str, list[dict]]) -> None:
    http.get(spaces_request(), list_response([space(space_id, f"K{space_id}") for space_id in grants]))
    if grants:
        http.get(v2_request("/space-roles", limit=250), list_response([]))
    for space_id, listed in grants.items():
        http.get(v2_request(f"/spaces/{space_id}/permissions", limit=250), list_response(listed))


def rows(output, stream: str) -> dict[str, dict]:
    return {m.record.data["id"]: m.record.data for m in output.records if m.record.stream == stream}


def final_states(output, stream: str) -> dict[str, dict]:
    last = [m.state.stream.stream_state.__dict__ for m in output.state_messages
            if m.state.stream.stream_descriptor.name == stream][-1]
    return {str(sorted(entry["partition"].items())): entry["cursor"] for entry in last["states"]}


def state_of(stream: str, entries: list[tuple[dict, list[str] | None]], at: str = LONG_AGO):
    states = [{"partition": key, "cursor": {"updated_at": at, "reconciled_at": at, "complete": True,
                                            **({"synced_ids": encode_ids(ids)} if ids is not None else {})}}
              for key, ids in entries]
    return StateBuilder().with_stream_state(stream, {"states": states}).build()


def sync(streams: tuple[str, ...], state=None, mode: SyncMode = INCREMENTAL, **options):
    return read(SourceConfluence(), config(**options), catalog(*streams, mode=mode), state)


def test_a_first_sync_reads_every_key_and_a_sync_seconds_later_makes_no_access_request():
    with HttpMocker() as http:
        mock_spaces(http, {"100": [grant(1, "group", "g-1", "read"), grant(2, "user", "acc-9", "administer")]})
        mock_groups(http, {"g-1": ["acc-1", "acc-2"], "g-2": ["acc-1"]})
        first = sync((MEMBERS, PERMISSIONS))
    assert not first.errors
    assert sorted(rows(first, MEMBERS)) == ["g-1:acc-1", "g-1:acc-2", "g-2:acc-1"]
    assert sorted(rows(first, PERMISSIONS)) == ["100:group:g-1:read:space", "100:user:acc-9:administer:space"]
    started = rows(first, MEMBERS)["g-1:acc-1"]["updated_at"]
    assert {r["updated_at"] for r in [*rows(first, MEMBERS).values(), *rows(first, PERMISSIONS).values()]} == {started}
    saved = final_states(first, MEMBERS)
    assert decode_ids(saved["[('group_id', 'g-1')]"]["synced_ids"]) == {"g-1:acc-1", "g-1:acc-2"}
    assert saved["[('group_id', 'g-1')]"]["reconciled_at"] == started
    assert saved["[('scope', 'groups')]"]["reconciled_at"] == started
    state = StateBuilder()
    for stream in (MEMBERS, PERMISSIONS):
        last = [m.state.stream.stream_state.__dict__ for m in first.state_messages
                if m.state.stream.stream_descriptor.name == stream][-1]
        state = state.with_stream_state(stream, last)
    with HttpMocker() as http:  # the space list only: any access request is unmocked and fails the sync
        http.get(spaces_request(), list_response([space("100", "K100")]))
        second = sync((MEMBERS, PERMISSIONS), state.build())
    assert not second.errors
    assert second.records == []
    assert decode_ids(final_states(second, MEMBERS)["[('group_id', 'g-1')]"]["synced_ids"]) == {"g-1:acc-1", "g-1:acc-2"}


def test_a_due_group_tombstones_a_removed_member_once_and_keeps_the_rest():
    state = state_of(MEMBERS, [({"scope": "groups"}, None), ({"group_id": "g-1"}, ["g-1:acc-1", "g-1:557058:x"])])
    with HttpMocker() as http:
        mock_spaces(http, {})
        mock_groups(http, {"g-1": ["acc-1", "acc-3"]})
        output = sync((MEMBERS,), state)
    found = rows(output, MEMBERS)
    assert sorted(found) == ["g-1:557058:x", "g-1:acc-1", "g-1:acc-3"]
    gone = found["g-1:557058:x"]
    assert gone["deleted_at"] == gone["updated_at"] > LONG_AGO
    assert (gone["group_id"], gone["account_id"]) == ("g-1", "557058:x")  # account ids may hold colons
    assert found["g-1:acc-3"].get("deleted_at") is None and found["g-1:acc-1"].get("deleted_at") is None
    assert decode_ids(final_states(output, MEMBERS)["[('group_id', 'g-1')]"]["synced_ids"]) == {"g-1:acc-1", "g-1:acc-3"}


def test_a_group_deleted_from_the_list_tombstones_every_member_it_had():
    state = state_of(MEMBERS, [({"scope": "groups"}, None), ({"group_id": "g-1"}, ["g-1:acc-1"]),
                               ({"group_id": "g-old"}, ["g-old:acc-1", "g-old:acc-2"])])
    with HttpMocker() as http:
        mock_spaces(http, {})
        mock_groups(http, {"g-1": ["acc-1"]})
        output = sync((MEMBERS,), state)
    tombstones = {i: r for i, r in rows(output, MEMBERS).items() if r.get("deleted_at")}
    assert sorted(tombstones) == ["g-old:acc-1", "g-old:acc-2"]
    assert {r["group_id"] for r in tombstones.values()} == {"g-old"}
    assert decode_ids(final_states(output, MEMBERS)["[('group_id', 'g-old')]"]["synced_ids"]) == set()


def test_a_group_whose_members_are_forbidden_removes_nothing_and_stays_due():
    state = state_of(MEMBERS, [({"scope": "groups"}, None), ({"group_id": "g-1"}, ["g-1:acc-1"])])
    with HttpMocker() as http:
        mock_spaces(http, {})
        http.get(v1_request("/group", limit=250, start=0), v1_list([cloud_group("g-1", "secret")]))
        http.get(v1_request("/group/g-1/membersByGroupId", limit=200, start=0), json_response({"message": "no"}, 403))
        output = sync((MEMBERS,), state)
    assert not output.errors
    assert rows(output, MEMBERS) == {}
    assert final_states(output, MEMBERS)["[('group_id', 'g-1')]"]["reconciled_at"] == LONG_AGO


def test_a_forbidden_group_list_removes_nothing():
    state = state_of(MEMBERS, [({"scope": "groups"}, None), ({"group_id": "g-1"}, ["g-1:acc-1"])])
    with HttpMocker() as http:
        mock_spaces(http, {})
        http.get(v1_request("/group", limit=250, start=0), json_response({"message": "no"}, 403))
        output = sync((MEMBERS,), state)
    assert not output.errors
    assert rows(output, MEMBERS) == {}
    assert final_states(output, MEMBERS)["[('scope', 'groups')]"]["reconciled_at"] == LONG_AGO


def test_a_due_space_tombstones_a_revoked_permission_and_a_space_gone_all_of_its_own():
    state = state_of(PERMISSIONS, [({"space_id": "100"}, ["100:user:acc-1:read:space", "100:user:acc-2:read:space"]),
                                   ({"space_id": "200"}, ["200:anonymous:-:read:space"])])
    with HttpMocker() as http:
        mock_spaces(http, {"100": [grant(1, "user", "acc-1", "read")]})
        output = sync((PERMISSIONS,), state)
    found = rows(output, PERMISSIONS)
    assert sorted(found) == ["100:user:acc-1:read:space", "100:user:acc-2:read:space", "200:anonymous:-:read:space"]
    revoked, gone = found["100:user:acc-2:read:space"], found["200:anonymous:-:read:space"]
    assert revoked["deleted_at"] == revoked["updated_at"] > LONG_AGO
    assert (revoked["space_id"], revoked["principal_type"], revoked["principal_id"], revoked["operation_key"],
            revoked["operation_target"]) == ("100", "user", "acc-2", "read", "space")
    assert gone["deleted_at"] and gone["principal_type"] == "anonymous" and gone.get("principal_id") is None
    assert found["100:user:acc-1:read:space"].get("deleted_at") is None


def test_full_refresh_reads_every_key_and_tombstones_nothing():
    members = state_of(MEMBERS, [({"scope": "groups"}, None), ({"group_id": "g-1"}, ["g-1:acc-1", "g-1:acc-2"]),
                                 ({"group_id": "g-old"}, ["g-old:acc-1"])], at=format_timestamp(datetime.now(UTC)))
    with HttpMocker() as http:
        mock_spaces(http, {"100": [grant(1, "user", "acc-1", "read")]})
        mock_groups(http, {"g-1": ["acc-1"]})
        output = sync((MEMBERS, PERMISSIONS), members, mode=SyncMode.full_refresh)
    assert sorted(rows(output, MEMBERS)) == ["g-1:acc-1"]
    assert sorted(rows(output, PERMISSIONS)) == ["100:user:acc-1:read:space"]
    assert not [r for r in output.records if r.record.data.get("deleted_at")]


def test_the_state_of_a_full_refresh_release_reads_every_key():
    state = (StateBuilder().with_stream_state(MEMBERS, {"__ab_no_cursor_state_message": True})
             .with_stream_state(PERMISSIONS, {"__ab_no_cursor_state_message": True}).build())
    with HttpMocker() as http:
        mock_spaces(http, {"100": [grant(1, "user", "acc-1", "read")]})
        mock_groups(http, {"g-1": ["acc-1"], "g-2": ["acc-2"]})
        output = sync((MEMBERS, PERMISSIONS), state)
    assert not output.errors
    assert sorted(rows(output, MEMBERS)) == ["g-1:acc-1", "g-2:acc-2"]
    assert sorted(rows(output, PERMISSIONS)) == ["100:user:acc-1:read:space"]


def test_an_interval_of_zero_reads_every_key_every_sync():
    state = state_of(MEMBERS, [({"scope": "groups"}, None), ({"group_id": "g-1"}, ["g-1:acc-1"])],
                     at=format_timestamp(datetime.now(UTC)))
    with HttpMocker() as http:
        mock_spaces(http, {})
        mock_groups(http, {"g-1": ["acc-1"]})
        output = sync((MEMBERS,), state, access_reconciliation_interval_hours=0)
    assert list(rows(output, MEMBERS)) == ["g-1:acc-1"]
