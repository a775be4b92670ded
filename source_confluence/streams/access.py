"""`groups`, `group_members` and `space_permissions` (full refresh): who may do what, read whole every sync.

- `groups`: the group list, ceil(groups/limit) requests.
- `group_members`: the group list again, then one partition per group, ceil(members/limit) requests
  each (limit at most 200).
- `space_permissions`: one partition per selected space; Cloud: ceil(assignments/limit) requests for
  its permissions, plus ceil(role assignments/limit) where the site has roles (their names: one
  `/space-roles` listing per sync); Data Center: one request per space.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.records.access_builders import group_member_record, group_record, space_permission_record
from source_confluence.streams.base import StreamPartition, describe_space
from source_confluence.streams.errors import translate_http_errors
from source_confluence.sync.context import ReadContext

GROUPS = "groups"
GROUP_MEMBERS = "group_members"
SPACE_PERMISSIONS = "space_permissions"


class GroupsPartition(StreamPartition):
    def __init__(self, context: ReadContext) -> None:
        super().__init__(GROUPS, None)
        self._context = context

    def read(self) -> Iterable[Record]:
        with translate_http_errors(GROUPS, "the group list"):
            for group in self._context.client.access.groups():
                data = group_record(group)
                if data["id"] is not None:
                    yield Record(data=data, stream_name=GROUPS)


class GroupMembersPartition(StreamPartition):
    def __init__(self, context: ReadContext, group: Mapping[str, Any]) -> None:
        super().__init__(GROUP_MEMBERS, {"group_id": str(group["id"])})
        self._context = context
        self._group = group

    def read(self) -> Iterable[Record]:
        with translate_http_errors(GROUP_MEMBERS, f"the members of group {self._group.get('name')}"):
            for member in self._context.client.access.group_members(self._group):
                data = group_member_record(self._group, member)
                if data is not None:
                    yield Record(data=data, stream_name=GROUP_MEMBERS)


class SpacePermissionsPartition(StreamPartition):
    def __init__(self, context: ReadContext, space: Mapping[str, Any]) -> None:
        super().__init__(SPACE_PERMISSIONS, {"space_id": str(space["id"])})
        self._context = context
        self._space = space

    def read(self) -> Iterable[Record]:
        # A principal can hold an operation directly and through roles: the same key. The direct
        # grant comes first and is kept; each key is emitted once.
        seen: set[str] = set()
        with translate_http_errors(SPACE_PERMISSIONS, describe_space(self._space)):
            for grant in self._context.client.access.space_grants(self._space):
                data = space_permission_record(self._space, grant)
                if data is not None and data["id"] not in seen:
                    seen.add(data["id"])
                    yield Record(data=data, stream_name=SPACE_PERMISSIONS)


def groups_partitions(context: ReadContext) -> Iterator[Partition]:
    yield GroupsPartition(context)


def group_member_partitions(context: ReadContext) -> Iterator[Partition]:
    with translate_http_errors(GROUP_MEMBERS, "the group list"):
        for group in context.client.access.groups():
            if group.get("id") is not None:
                yield GroupMembersPartition(context, group)


def space_permission_partitions(context: ReadContext) -> Iterator[Partition]:
    for space in context.directory.spaces():
        yield SpacePermissionsPartition(context, space)
