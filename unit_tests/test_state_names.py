"""State fields are named for what they hold (issue 12): `synced_ids`, `container_cursors`,
`pending_accounts`. A state written by 2.0.0 (`known`, `extra`) still resumes, and is written back
under the new names."""

from __future__ import annotations

from source_confluence.sync.idset import decode_ids, encode_ids
from source_confluence.sync.state import PartitionState

T1 = "2024-05-01T10:00:00.000Z"
MARK = {"updated_at": T1, "cursor_versions": {T1: ["7#2"]}}

# As 2.0.0 wrote them: a pages partition, a tasks partition, the users state.
PAGES_2_0 = {"updated_at": T1, "complete": True, "cursor_versions": {T1: ["981#3"]},
             "known": encode_ids(["1", "981"]), "reconciled_at": T1}
TASKS_2_0 = {"updated_at": T1, "complete": True, "extra": {"page": MARK, "blogpost": {"updated_at": None}}}
USERS_2_0 = {"updated_at": None, "complete": False, "extra": {"pending": ["acc-1", "acc-2"]}}


def test_a_2_0_deletion_set_is_read_as_synced_ids_and_written_back_under_that_name():
    state, dropped = PartitionState.from_json(PAGES_2_0)
    assert dropped == []
    assert decode_ids(state.synced_ids) == {"1", "981"}
    written = state.to_json()
    assert written["synced_ids"] == PAGES_2_0["known"] and "known" not in written
    assert written["cursor_versions"] == {T1: ["981#3"]} and written["reconciled_at"] == T1


def test_2_0_task_marks_are_read_as_container_cursors():
    state, dropped = PartitionState.from_json(TASKS_2_0)
    assert dropped == []
    assert state.container_cursors == {"page": MARK, "blogpost": {"updated_at": None}}
    assert state.pending_accounts is None
    written = state.to_json()
    assert written["container_cursors"] == TASKS_2_0["extra"] and "extra" not in written


def test_2_0_pending_users_are_read_as_pending_accounts():
    state, dropped = PartitionState.from_json(USERS_2_0)
    assert dropped == []
    assert state.pending_accounts == ("acc-1", "acc-2") and state.container_cursors is None
    written = state.to_json()
    assert written["pending_accounts"] == ["acc-1", "acc-2"] and "extra" not in written


def test_the_new_names_win_over_a_leftover_former_field():
    raw = {**PAGES_2_0, "synced_ids": encode_ids(["5"]), "known": "n!!!",
           "container_cursors": {"page": MARK}, "extra": "not even an object"}
    state, dropped = PartitionState.from_json(raw)
    assert dropped == []
    assert decode_ids(state.synced_ids) == {"5"} and state.container_cursors == {"page": MARK}


def test_a_broken_field_is_named_as_the_state_has_it():
    _, dropped_old = PartitionState.from_json({**PAGES_2_0, "known": 7})
    _, dropped_new = PartitionState.from_json({"synced_ids": 7})
    assert dropped_old[0].startswith("`known` is not an encoded id set")
    assert dropped_new[0].startswith("`synced_ids` is not an encoded id set")
    _, dropped = PartitionState.from_json({"container_cursors": ["x"]})
    assert dropped == ["`container_cursors` is not an object"]


# A Data Center walk as 2.0.0 kept it: the link of its proven bound (context path `/confluence`).
DC_LINK_2_0 = ("/confluence/rest/api/content/search?cql=type%20%3D%20comment%20and%20lastmodified%20%3E%3D%20%222024-03-01"
               "%2011%3A00%22%20order%20by%20lastmodified%20asc&expand=container,history,version&limit=250&start=0")
DC_WHOLE_LIST_2_0 = ("/rest/api/content/search?cql=type%20%3D%20attachment%20order%20by%20lastmodified%20asc"
                     "&expand=container&limit=250&start=0")


def test_a_2_0_data_center_walk_link_is_read_as_its_bound_and_start():
    state, dropped = PartitionState.from_json({"updated_at": None, "complete": False,
                                               "resume": {"order": "asc", "next": DC_LINK_2_0}})
    assert dropped == []
    assert state.resume == {"order": "asc", "bound": "2024-03-01 11:00", "start": 0}
    assert state.to_json()["resume"] == {"order": "asc", "bound": "2024-03-01 11:00", "start": 0}
    whole, _ = PartitionState.from_json({"resume": {"order": "asc", "next": DC_WHOLE_LIST_2_0}})
    assert whole.resume == {"order": "asc", "bound": None, "start": 0}


def test_a_cloud_page_link_stays_a_link():
    link = "/wiki/api/v2/pages?space-id=42&sort=-modified-date&cursor=abc"
    resume = {"order": "desc", "next": link, "high": T1, "high_ids": ["7#2"]}
    state, dropped = PartitionState.from_json({"updated_at": T1, "resume": resume})
    assert dropped == [] and state.resume == resume


def test_a_search_link_this_connector_did_not_write_drops_the_position_and_keeps_the_cursor():
    foreign = "/rest/api/content/search?cql=type%20%3D%20page"  # no lastmodified order: not a walk
    state, dropped = PartitionState.from_json({"updated_at": T1, "cursor_versions": {T1: ["7#2"]},
                                               "resume": {"order": "asc", "next": foreign}})
    assert dropped == ["`resume` is a search link this connector did not write, so the walk reads again from "
                       "the cursor"]
    assert state.resume is None and state.updated_at == T1 and state.cursor_versions == {T1: ("7#2",)}


def test_a_malformed_position_drops_the_cursor_parts():
    for resume in ({"order": "asc", "bound": "yesterday", "start": 0}, {"order": "asc", "bound": None, "start": "0"},
                   {"order": "asc", "bound": None}, {"order": "asc", "next": "//thief.example.com/wiki"}):
        state, dropped = PartitionState.from_json({"updated_at": T1, "resume": resume})
        assert state.resume is None and state.updated_at is None, resume
        assert dropped and dropped[0].startswith("`resume` is not"), resume
