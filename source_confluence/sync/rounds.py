"""Rounds: a stream whose keys (a label, a group, a space) are each read whole once per interval.

A key's round reads every row the key holds now; its state (a `PartitionState` per key) keeps
`reconciled_at` and the compressed ids of the rows it held (sync/idset.py). A row the key held and
no longer holds is emitted once more as a tombstone (`deleted_at` set). When each key is due comes
from sync/rolling.py: its own turn in the interval, or at once when it was never read. A key's
state is saved after its round's last record, so an interrupted round is read whole again.

A key's turn is a `streams.round_partition.RoundPartition`. Used by `content_labels`
(streams/label_rounds.py) and the access streams (streams/access_rounds.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from source_confluence.sync.context import ReadContext
from source_confluence.sync.idset import append_ids, decode_ids, encode_ids
from source_confluence.sync.rolling import is_due
from source_confluence.sync.state import PartitionedCursor, PartitionState, partition_key
from source_confluence.timestamps import parse_timestamp

Tombstone = Callable[[Mapping[str, str], str, str], dict[str, Any]]
"""(the key, a removed row's id, the time it was found gone) -> the tombstone record."""


class Rounds:
    """Which keys of `stream` are due in a sync starting at `context.now`, and each key's set of rows,
    shared by the partitions of one sync (which run on several threads: hence the lock)."""

    def __init__(self, context: ReadContext, cursor: PartitionedCursor, use_state: bool, stream: str,
                 interval_hours: int) -> None:
        self.context = context
        self.cursor = cursor
        self.stream = stream
        self._interval = timedelta(hours=interval_hours)
        self._now = parse_timestamp(context.now)
        self.saved: list[dict[str, str]] = (
            [dict(entry["partition"]) for entry in cursor.state.get("states", [])] if use_state else [])
        self.every_key = not self.saved
        """No state (a first sync, a full refresh, or a state from before the stream had rounds): every key is read."""
        self._lock = threading.Lock()
        self._added: dict[str, set[str]] = {}
        """Rows read outside the rounds in this sync (labels of changed content) added to a key's set."""

    def due(self, key: Mapping[str, str]) -> bool:
        if self.every_key:
            return True
        state = self.cursor.get(key)
        last = state.reconciled_at if state is not None else None
        return is_due({"stream": self.stream, **key}, parse_timestamp(last) if last else None, self._interval,
                      self._now)

    def rows_held(self) -> int:
        return sum(len(decode_ids(state.synced_ids)) for key in self.saved
                   if (state := self.cursor.get(key)) is not None and state.synced_ids)

    def holds_rows(self, key: Mapping[str, str]) -> bool:
        state = self.cursor.get(key)
        return state is not None and bool(state.synced_ids) and bool(decode_ids(state.synced_ids or ""))

    def removed(self, key: Mapping[str, str], seen: set[str]) -> list[str]:
        """The rows `key` held and no longer holds (`seen`: what its round read now)."""
        with self._lock:
            state = self.cursor.get(key)
            held = decode_ids(state.synced_ids) if state is not None and state.synced_ids else set()
            return sorted(held - seen - self._added.get(partition_key(key), set()))

    def finish_round(self, key: Mapping[str, str], seen: set[str]) -> None:
        now = self.context.now
        with self._lock:
            rows = seen | self._added.get(partition_key(key), set())
            self.cursor.checkpoint(key, PartitionState(updated_at=now, complete=True, synced_ids=encode_ids(rows),
                                                       reconciled_at=now))

    def remember(self, key: Mapping[str, str]) -> None:
        """A key not in state yet, saved before its round is read, so it stays due after a failed sync."""
        with self._lock:
            if self.cursor.get(key) is None:
                self.cursor.checkpoint(key, PartitionState())

    def mark_read(self, key: Mapping[str, str]) -> None:
        """A key without rows of its own (a list) was read now."""
        self.cursor.checkpoint(key, PartitionState(reconciled_at=self.context.now))

    def add_rows(self, key: Mapping[str, str], rows: set[str]) -> None:
        """Rows read outside the rounds join their key's set, to be tombstoned once they are gone."""
        with self._lock:
            self._added.setdefault(partition_key(key), set()).update(rows)
            state = self.cursor.get(key) or PartitionState()
            self.cursor.checkpoint(key, PartitionState(
                updated_at=state.updated_at, complete=state.complete,
                synced_ids=append_ids(state.synced_ids, rows), reconciled_at=state.reconciled_at))
