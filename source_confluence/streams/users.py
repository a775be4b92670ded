"""`users`: every account the synced records reference, resolved in bulk (users-bulk, 250 ids per
request), never one request per user.

It runs after the other streams of the sync, once their records have named their authors, owners,
assignees and mentioned people. Selected without any content stream, it gathers those accounts from
a metadata-only listing of pages and blog posts (no bodies, 250 per request).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api import CONTAINER_TYPES
from source_confluence.records import user_record
from source_confluence.state import PartitionedCursor, PartitionState
from source_confluence.streams.base import ReadContext

STREAM = "users"
KEY = {"scope": "site"}


class UsersPartition(Partition):
    def __init__(self, context: ReadContext, cursor: PartitionedCursor, gather: bool) -> None:
        self._context = context
        self._cursor = cursor
        self._gather = gather

    def to_slice(self) -> Mapping[str, Any] | None:
        return KEY

    def stream_name(self) -> str:
        return STREAM

    def __hash__(self) -> int:
        return hash(STREAM)

    def read(self) -> Iterable[Record]:
        users = self._context.users
        for space in self._context.directory.spaces():
            users.reference(space.get("authorId"))
        if self._gather:
            self._gather_from_content()
        account_ids = users.referenced()
        users.resolve(account_ids)
        base = self._context.client.default_base
        for account_id in account_ids:
            user = users.user(account_id)
            if user is not None:
                yield Record(data=user_record(user, base, self._context.now), stream_name=STREAM)
        self._cursor.checkpoint(KEY, PartitionState(updated_at=self._context.now, complete=True))

    def _gather_from_content(self) -> None:
        client, users = self._context.client, self._context.users
        for space in self._context.directory.spaces():
            for container_type in CONTAINER_TYPES:
                for item in client.containers_in_space(container_type, str(space["id"])):
                    version = item.get("version") or {}
                    users.reference(item.get("authorId"), item.get("ownerId"), version.get("authorId"))


def user_partitions(context: ReadContext, cursor: PartitionedCursor, gather: bool) -> Iterator[Partition]:
    yield UsersPartition(context, cursor, gather)
