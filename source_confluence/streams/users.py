"""`users`: every account the synced records reference, resolved in bulk (users-bulk, 250 ids per
request), never one request per user.

It runs after the other streams of the sync, once their records have named their authors, owners,
assignees and mentioned people. Selected without any content stream, it gathers those accounts from
a metadata-only listing of pages and blog posts (no bodies, 250 per request).

Because users come last, a sync killed before them would lose the accounts named by the records it
had already delivered. With `users` incremental, the accounts referenced so far are saved in the
users state (`pending_accounts`) before every content checkpoint that adds new ones; the next sync
resolves them too, and a completed users read clears them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import CONTAINER_TYPES
from source_confluence.records.builders import user_record
from source_confluence.streams.base import StreamPartition
from source_confluence.sync.context import ReadContext
from source_confluence.sync.state import PartitionedCursor, PartitionState

STREAM = "users"
KEY = {"scope": "site"}


def pending_accounts(state: PartitionState | None) -> list[str]:
    return list(state.pending_accounts or ()) if state is not None else []


class PendingUsers:
    """Saves the referenced accounts into the users state, ahead of the content checkpoints."""

    def __init__(self, context: ReadContext, cursor: PartitionedCursor) -> None:
        self._context = context
        self._cursor = cursor
        self._lock = threading.Lock()
        self._prior = cursor.get(KEY) or PartitionState()
        self._carried = set(pending_accounts(self._prior))
        self._saved = 0

    def save(self) -> None:
        referenced = self._context.users.referenced()
        with self._lock:
            if len(referenced) <= self._saved:
                return  # nothing new: the last saved state still covers every delivered record
            self._saved = len(referenced)
            pending = sorted(self._carried.union(referenced))
            self._cursor.checkpoint(KEY, replace(self._prior, pending_accounts=tuple(pending)))


class UsersPartition(StreamPartition):
    def __init__(self, context: ReadContext, cursor: PartitionedCursor, gather: bool) -> None:
        super().__init__(STREAM, KEY)
        self._context = context
        self._cursor = cursor
        self._gather = gather

    def read(self) -> Iterable[Record]:
        users = self._context.users
        users.reference(*pending_accounts(self._cursor.get(KEY)))
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
