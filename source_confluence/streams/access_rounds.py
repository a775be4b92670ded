"""`group_members` and `space_permissions` incremental: each sync reads only the groups and spaces whose turn has come.

Nothing in Confluence says when a group's members or a space's permissions changed, so reading them
whole every sync was the only way to see a change, and the costliest part of a no-change sync (every
member and every grant is an object Atlassian charges a point for). Instead they are read in rounds
(sync/rounds.py): one key per group (`group_members`) and per space (`space_permissions`), each read
whole once per `access_reconciliation_interval_hours` at its own turn (sync/rolling.py), so a sync
reads about `gap / interval` of them and a sync with no turn due makes no access request at all. A
key never read (the first sync, a state from the releases where these streams were full refresh) is
read at once. A row a key held and no longer holds at its round is emitted once with `deleted_at`
set; a group gone from the group list, or a space no longer read (deleted, or no longer selected),
has every row it held emitted so. Every row has `updated_at` = the sync's start: the cursor.

The group list is read when its own turn comes (to find new and deleted groups) or when a known
group is due (its name comes from the list). A list or a group that cannot be read whole (HTTP
403/404, skipped with a warning) removes nothing: its key stays due and is read again next sync.

In full refresh every key is read and nothing is tombstoned (the destination overwrites).

`groups` stays full refresh: the list is a few requests (about 7 points at the benchmark's site),
groups carry no time of change, and reading it every sync keeps renames and deletions a sync away;
skipping it would save those few points at the cost of a day's delay.

Worst case: a member added or removed, or a permission granted or revoked, reaches the destination
at most `interval + gap` after the change (`gap`: the time between two syncs).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition

from source_confluence.streams.access import (
    GROUP_MEMBERS,
    SPACE_PERMISSIONS,
    GroupMembersPartition,
    SpacePermissionsPartition,
)
from source_confluence.streams.errors import read_fully, translate_http_errors
from source_confluence.streams.round_partition import RoundPartition
from source_confluence.sync.context import ReadContext
from source_confluence.sync.rounds import Rounds
from source_confluence.sync.state import PartitionedCursor

GROUP_LIST_KEY = {"scope": "groups"}


def member_tombstone(key: Mapping[str, str], row_id: str, at: str) -> dict[str, Any]:
    """A removed (group, member) row; the account id is what follows the group's id in the row's id
    (account ids may hold colons, Data Center group names too: the key says where the group ends)."""
    group_id = key.get("group_id")
    prefix = f"{group_id}:"
    account_id = row_id[len(prefix):] if group_id is not None and row_id.startswith(prefix) else None
    return {"id": row_id, "group_id": group_id, "group_name": None, "account_id": account_id, "username": None,
            "display_name": None, "account_type": None, "updated_at": at, "deleted_at": at}


def permission_tombstone(key: Mapping[str, str], row_id: str, at: str) -> dict[str, Any]:
    """A revoked grant, its parts read back from its id `space:type:principal:operation:target` (the
    principal, an account id or a Data Center group name, may hold colons: the type comes first, and
    the operation and target, enums in the API's contract, last). The id alone is what dedup needs."""
    space_id = key.get("space_id")
    prefix = f"{space_id}:"
    rest = row_id[len(prefix):] if space_id is not None and row_id.startswith(prefix) else ""
    kind, _, tail = rest.partition(":")
    parts = tail.rsplit(":", 2)
    principal, operation, target = parts if len(parts) == 3 else (None, None, None)
    return {"id": row_id, "space_id": space_id, "space_key": None, "principal_type": kind or None,
            "principal_id": None if principal in (None, "-") else principal, "operation_key": operation,
            "operation_target": target, "granted_through": None, "role_id": None, "role_name": None,
            "updated_at": at, "deleted_at": at}


def _rounds(stream: str, context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Rounds:
    return Rounds(context, cursor, use_state, stream, context.config.access_reconciliation_interval_hours)


def group_member_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    rounds = _rounds(GROUP_MEMBERS, context, cursor, use_state)
    known = [key for key in rounds.saved if set(key) == {"group_id"}]
    if not rounds.due(GROUP_LIST_KEY) and not any(rounds.due(key) for key in known):
        return
    groups: list[Mapping[str, Any]] | None = None
    with translate_http_errors(GROUP_MEMBERS, "the group list"):
        groups = read_fully(context.client.access.groups, GROUP_MEMBERS, "the group list")
    if groups is None:
        return  # skipped with a warning: nothing is known to be gone
    listed: set[str] = set()
    for group in groups:
        if group.get("id") is None:
            continue
        key = {"group_id": str(group["id"])}
        listed.add(key["group_id"])
        rounds.remember(key)
        if rounds.due(key):
            yield RoundPartition(key, GroupMembersPartition(context, group), rounds, member_tombstone, "member(s)")
    for key in known:
        if key["group_id"] not in listed and rounds.holds_rows(key):
            yield RoundPartition(key, None, rounds, member_tombstone, "member(s)")  # deleted: its members are gone
    rounds.mark_read(GROUP_LIST_KEY)


def space_permission_partitions(context: ReadContext, cursor: PartitionedCursor,
                                use_state: bool) -> Iterator[Partition]:
    rounds = _rounds(SPACE_PERMISSIONS, context, cursor, use_state)
    listed: set[str] = set()
    for space in context.directory.spaces():  # listed once per sync already: no request here
        key = {"space_id": str(space["id"])}
        listed.add(key["space_id"])
        rounds.remember(key)
        if rounds.due(key):
            yield RoundPartition(key, SpacePermissionsPartition(context, space), rounds, permission_tombstone,
                                 "permission(s)")
    for key in rounds.saved:
        if set(key) == {"space_id"} and key["space_id"] not in listed and rounds.holds_rows(key):
            yield RoundPartition(key, None, rounds, permission_tombstone, "permission(s)")

