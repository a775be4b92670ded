"""`groups`, `group_members` and `space_permissions`: who may do what, one partition per key.

- `groups` (full refresh): the group list, ceil(groups/limit) requests, read whole every sync.
- `group_members`: one partition per group, ceil(members/limit) requests each (limit at most 200).
- `space_permissions`: one partition per selected space; Cloud: ceil(assignments/limit) requests for
  its permissions, plus ceil(role assignments/limit) where the site has roles (their names: one
  `/space-roles` listing per sync that reads a space); Data Center: one request per space.
The last two are read in rounds (streams/access_rounds.py): a row's `updated_at` is the sync's start.
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
        self.complete = False
        """Whether the last read ran to its end (not skipped for HTTP 403/404): only then is a missing row gone."""

    def read(self) -> Iterable[Record]:
        self.complete = False
        with translate_http_errors(GROUP_MEMBERS, f"the members of group {self._group.get('name')}"):
            for member in self._context.client.access.group_members(self._group):
                data = group_member_record(self._group, member, self._context.now)
                if data is not None:
                    yield Record(data=data, stream_name=GROUP_MEMBERS)
            self.complete = True


class SpacePermissionsPartition(StreamPartition):
    def __init__(self, context: ReadContext, space: Mapping[str, Any]) -> None:
        super().__init__(SPACE_PERMISSIONS, {"space_id": str(space["id"])})
        self._context = context
        self._space = space
        self.complete = False
        """As `GroupMembersPartition.complete`."""

    def read(self) -> Iterable[Record]:
        # A principal can hold an operation directly and through roles: the same key. The direct
        # grant comes first and is kept; each key is emitted once.
        seen: set[str] = set()
        self.complete = False
        with translate_http_errors(SPACE_PERMISSIONS, describe_space(self._space)):
            for grant in self._context.client.access.space_grants(self._space):
                data = space_permission_record(self._space, grant, self._context.now)
                if data is not None and data["id"] not in seen:
                    seen.add(data["id"])
                    yield Record(data=data, stream_name=SPACE_PERMISSIONS)
            self.complete = True


def groups_partitions(context: ReadContext) -> Iterator[Partition]:
    yield GroupsPartition(context)
