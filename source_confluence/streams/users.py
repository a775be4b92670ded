"""`users`: every account the synced records reference, resolved in bulk (users-bulk, 250 ids per
request), never one request per user.

It runs after the other streams of the sync, once their records have named their authors, owners,
assignees and mentioned people. Selected without any content stream, it gathers those accounts from
a metadata-only listing of pages and blog posts (no bodies, 250 per request).

Because users come last, a sync killed before them would lose the accounts named by the records it
had already delivered. With `users` incremental, the accounts referenced so far are saved in the
users state (`pending_accounts`) whenever the records about to be emitted name new ones, so before
the content checkpoint that covers those records; the next sync resolves them too, and a completed
users read clears them. The accounts come from the sync's reference collector, which this stream's
checkpointing watches (`PendingUsers`): content streams know nothing of users.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import CONTAINER_TYPES
from source_confluence.records.builders import user_record
from source_confluence.records.references import References
from source_confluence.streams.base import StreamPartition
from source_confluence.sync.context import ReadContext
from source_confluence.sync.references import ReferenceCollector
from source_confluence.sync.state import PartitionedCursor, PartitionState

STREAM = "users"
KEY = {"scope": "site"}


def pending_accounts(state: PartitionState | None) -> list[str]:
    return list(state.pending_accounts or ()) if state is not None else []


class PendingUsers:
    """Saves the collected accounts into the users state; it watches the collector, which calls
    `save` before the records naming new accounts are emitted."""

    def __init__(self, references: ReferenceCollector, cursor: PartitionedCursor) -> None:
        self._references = references
        self._cursor = cursor
        self._lock = threading.Lock()
        self._prior = cursor.get(KEY) or PartitionState()
        self._carried = set(pending_accounts(self._prior))
        self._saved = 0

    def save(self) -> None:
        with self._lock:
            # Read under the lock: a save that finds no more accounts than the last one is covered
            # by it (the collector only grows), even when another partition's save wrote it.
            referenced = self._references.accounts()
            if len(referenced) <= self._saved:
                return
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
        users, references = self._context.users, self._context.references
        references.add([References.of_accounts(*pending_accounts(self._cursor.get(KEY))),
                        References.of_accounts(*(space.get("authorId") for space in self._context.directory.spaces()))])
        if self._gather:
            self._gather_from_content()
        account_ids = references.accounts()
        users.resolve(account_ids)
        base = self._context.client.default_base
        for account_id in account_ids:
            user = users.user(account_id)
            if user is not None:
                yield Record(data=user_record(user, base, self._context.now), stream_name=STREAM)
        self._cursor.checkpoint(KEY, PartitionState(updated_at=self._context.now, complete=True))

    def _gather_from_content(self) -> None:
        client, references = self._context.client, self._context.references
        for space in self._context.directory.spaces():
            for container_type in CONTAINER_TYPES:
                references.add(
                    References.of_accounts(item.get("authorId"), item.get("ownerId"),
                                           (item.get("version") or {}).get("authorId"))
                    for item in client.containers_in_space(container_type, str(space["id"])))


def user_partitions(context: ReadContext, cursor: PartitionedCursor, gather: bool) -> Iterator[Partition]:
    yield UsersPartition(context, cursor, gather)
