"""The access builders fuzzed with arbitrary JSON-ish objects (hypothesis), as test_fuzz_records does
for the content builders: no exception, exactly the schema's fields and types, strict JSON,
canonical timestamps, and an audit id that depends on the event alone."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from source_confluence.records import access_builders as records
from source_confluence.streams.access_rounds import member_tombstone, permission_tombstone
from unit_tests.test_fuzz_records import FUZZ, ID, JSONISH, TIMESTAMPS, check_record, field

TEXT = field(st.text(max_size=20))
OBSERVED = "2024-06-01T12:00:00.000Z"
GROUP = st.fixed_dictionaries({"id": ID}, optional={"name": TEXT, "type": TEXT, "managedBy": TEXT})
MEMBER = st.fixed_dictionaries({}, optional={"accountId": field(ID), "username": TEXT, "displayName": TEXT,
                                             "accountType": TEXT})
OBJECTS = field(st.lists(field(st.fixed_dictionaries({}, optional={"name": TEXT, "objectType": TEXT})), max_size=3))
EVENT = st.fixed_dictionaries({}, optional={
    "author": field(st.fixed_dictionaries({}, optional={"accountId": TEXT, "userKey": TEXT, "displayName": TEXT})),
    "creationDate": TIMESTAMPS, "remoteAddress": TEXT, "category": TEXT, "summary": TEXT, "description": TEXT,
    "sysAdmin": JSONISH, "affectedObject": field(st.fixed_dictionaries({}, optional={"name": TEXT, "objectType": TEXT})),
    "changedValues": field(st.lists(field(st.fixed_dictionaries({}, optional={
        "name": TEXT, "oldValue": TEXT, "newValue": TEXT})), max_size=3)),
    "associatedObjects": OBJECTS})
GRANT = st.fixed_dictionaries({}, optional={
    "principalType": field(st.sampled_from(["user", "group", "anonymous", "all_licensed_users", "role"])),
    "principalId": field(ID), "operation": TEXT, "targetType": TEXT, "grantedThrough": TEXT, "roleId": TEXT,
    "roleName": TEXT})


@FUZZ
@given(GROUP, MEMBER)
def test_group_and_member_records(group, member):
    check_record("groups", records.group_record(group))
    record = records.group_member_record(group, member, OBSERVED)
    if record is not None:
        check_record("group_members", record)
        assert record["id"] == f"{record['group_id']}:{record['account_id']}"


@FUZZ
@given(EVENT)
def test_audit_records(event):
    record = records.audit_record(event)
    check_record("audit_records", record)
    assert records.audit_record(dict(reversed(list(event.items()))))["id"] == record["id"]


@FUZZ
@given(st.fixed_dictionaries({"id": ID}, optional={"key": TEXT}), GRANT)
def test_space_permission_records(space, grant):
    record = records.space_permission_record(space, grant, OBSERVED)
    if record is not None:
        check_record("space_permissions", record)
        assert record["id"].startswith(f"{space['id']}:{record['principal_type']}:")


@FUZZ
@given(GROUP, MEMBER, st.fixed_dictionaries({"id": ID}, optional={"key": TEXT}), GRANT)
def test_tombstones_carry_the_schemas_fields_and_the_rows_ids(group, member, space, grant):
    """A tombstone is built from a row id the state kept: it has every field of the stream's schema, and the ids
    the row had (account ids, principals and Data Center group names may hold colons)."""
    member_row = records.group_member_record(group, member, OBSERVED)
    if member_row is not None:
        gone = member_tombstone({"group_id": member_row["group_id"]}, member_row["id"], OBSERVED)
        check_record("group_members", gone)
        assert (gone["group_id"], gone["account_id"], gone["deleted_at"]) == (
            member_row["group_id"], member_row["account_id"], OBSERVED)
    grant_row = records.space_permission_record(space, grant, OBSERVED)
    # Principal types, operation keys and target types are enums in the contract (no colons): the id's
    # first part after the space, and its last two.
    enums = ("principal_type", "operation_key", "operation_target")
    if grant_row is not None and not any(":" in grant_row[part] for part in enums):
        revoked = permission_tombstone({"space_id": grant_row["space_id"]}, grant_row["id"], OBSERVED)
        check_record("space_permissions", revoked)
        parts = ("principal_type", "principal_id", "operation_key", "operation_target")
        assert [revoked[p] for p in parts] == [grant_row[p] for p in parts] and revoked["deleted_at"] == OBSERVED
