"""`content_labels` incremental: each sync reads only the labels whose turn has come.

Adding or removing a label creates no version of its content, so no content cursor can find it.
The labels are instead read in rounds: the site's labels fall into keys (Cloud: one per label, read
as everything carrying it, `labels.LabelPartition`; Data Center: one per space, read with its
content, `labels.SpaceContentLabelsPartition`; both: the spaces' own labels), and each key is read
again once per `label_reconciliation_interval_hours`, at its own turn in the interval
(sync/rolling.py), so a sync reads about `gap / interval` of the site and a no-change sync with no
turn due reads no label at all. A key's state keeps the ids of the (content, label) rows it emitted
(sync/idset.py, compressed); a row no longer there when its key is read again is emitted once more
with `deleted_at` set (a tombstone), so the removal reaches the warehouse. Every row a round emits
has `updated_at` = the sync's start, later than any row of an earlier sync: the cursor.

Between rounds, the labels of the content the sync's walks emitted (pages, blog posts, attachments
changed since their cursors; the stream reads in the second phase, after them) are read from that
content (streams/label_changes.py), so a label that comes with a new version arrives in the same
sync, and its row joins its key's set. On Cloud that is a request per changed item: when the changed
items would cost more than reading every key (a first sync of the content streams), every key is
read instead.

Cloud's label list itself is a key: it is read when its turn comes or when a known label is due
(its name and prefix come from the list); a label not in state yet is due at once, and a label gone
from the list has all its rows tombstoned. A key never read (no state: the first sync, or a state
from the releases where the stream was a snapshot) is due at once, so that sync reads every label.

Worst case: a label added to or removed from content reaches the destination at most
`interval + gap` after the change (`gap`: the time between two syncs).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import LabelLists, LabelsOfContent, LabelsWithContent
from source_confluence.streams.base import StreamPartition
from source_confluence.streams.label_changes import ChangedLabelsPartition
from source_confluence.streams.labels import (
    STREAM,
    LabelPartition,
    SpaceContentLabelsPartition,
    SpaceLabelsPartition,
)
from source_confluence.sync.context import ReadContext
from source_confluence.sync.idset import append_ids, decode_ids, encode_ids
from source_confluence.sync.rolling import is_due
from source_confluence.sync.state import PartitionedCursor, PartitionState, partition_key
from source_confluence.timestamps import parse_timestamp

LOGGER = logging.getLogger("airbyte")
SPACES_KEY = {"scope": "spaces"}
LABEL_LIST_KEY = {"scope": "labels"}


def tombstone(row_id: str, at: str) -> dict[str, Any]:
    """A removed (content, label) row: its ids, `deleted_at` and the cursor at detection time."""
    content_id, _, label_id = row_id.rpartition(":")
    return {"id": row_id, "content_id": content_id, "content_type": None, "space_id": None,
            "label_id": label_id, "label_name": None, "label_prefix": None, "updated_at": at, "deleted_at": at}


class Rounds:
    """Which keys are due in a sync starting at `context.now`, and each key's set of rows, shared by
    the rounds and the changed content's labels (which run at the same time: hence the lock)."""

    def __init__(self, context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> None:
        self.context = context
        self.cursor = cursor
        self._interval = timedelta(hours=context.config.label_reconciliation_interval_hours)
        self._now = parse_timestamp(context.now)
        self.saved: list[dict[str, str]] = (
            [dict(entry["partition"]) for entry in cursor.state.get("states", [])] if use_state else [])
        self.every_key = not self.saved
        """No state (a first sync, or one after the stream was a snapshot): every key is read."""
        self._lock = threading.Lock()
        self._added: dict[str, set[str]] = {}
        """Rows the changed content's labels added to a key's set in this sync."""

    def due(self, key: Mapping[str, str]) -> bool:
        if self.every_key:
            return True
        state = self.cursor.get(key)
        last = state.reconciled_at if state is not None else None
        return is_due({"stream": STREAM, **key}, parse_timestamp(last) if last else None, self._interval, self._now)

    def round(self, key: Mapping[str, str], inner: Partition | None) -> RoundPartition:
        return RoundPartition(key, inner, self)

    def rows_held(self) -> int:
        return sum(len(decode_ids(state.synced_ids)) for key in self.saved
                   if (state := self.cursor.get(key)) is not None and state.synced_ids)

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

    def add_rows(self, key: Mapping[str, str], rows: set[str]) -> None:
        """Rows read from changed content join their key's set, to be tombstoned once they are gone."""
        with self._lock:
            self._added.setdefault(partition_key(key), set()).update(rows)
            state = self.cursor.get(key) or PartitionState()
            self.cursor.checkpoint(key, PartitionState(
                updated_at=state.updated_at, complete=state.complete,
                synced_ids=append_ids(state.synced_ids, rows), reconciled_at=state.reconciled_at))


class RoundPartition(StreamPartition):
    """One key's turn: every row it holds now, then tombstones for the rows it held and lost."""

    def __init__(self, key: Mapping[str, str], inner: Partition | None, rounds: Rounds) -> None:
        super().__init__(STREAM, key)
        self._key = dict(key)
        self._inner = inner
        self._rounds = rounds

    def read(self) -> Iterable[Record]:
        now = self._rounds.context.now
        seen: set[str] = set()
        for record in self._inner.read() if self._inner is not None else ():
            seen.add(record.data["id"])
            yield record
        removed = self._rounds.removed(self._key, seen)
        if removed:
            LOGGER.info(f"Stream '{STREAM}', {describe(self._key)}: {len(removed)} label(s) removed since its "
                        "last round; emitting them with deleted_at set.")
        for row_id in removed:
            yield Record(data=tombstone(row_id, now), stream_name=STREAM)
        # Saved after its last record: an interrupted round is read whole again in the next sync.
        self._rounds.finish_round(self._key, seen)


def describe(key: Mapping[str, str]) -> str:
    return ", ".join(f"{name} {value}" for name, value in sorted(key.items()))


def label_round_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    rounds = Rounds(context, cursor, use_state)
    client = context.client
    if not rounds.every_key and isinstance(client, LabelLists) and 2 * len(context.changed) > (
            rounds.rows_held() + 3 * len(rounds.saved)):
        LOGGER.info(f"Stream '{STREAM}': {len(context.changed)} items changed, more than reading every label "
                    "costs: reading every label.")
        rounds.every_key = True
    if not rounds.every_key and isinstance(client, LabelsOfContent):
        yield ChangedLabelsPartition(rounds, client)
    if rounds.due(SPACES_KEY):
        yield rounds.round(SPACES_KEY, SpaceLabelsPartition(context))
    if isinstance(client, LabelLists):
        yield from _cloud_rounds(rounds, client, context, cursor)
    elif isinstance(client, LabelsWithContent):
        for space in context.directory.spaces():
            key = {"space_id": str(space["id"])}
            if rounds.due(key):
                yield rounds.round(key, SpaceContentLabelsPartition(space, client, context))


def _cloud_rounds(rounds: Rounds, client: LabelLists, context: ReadContext,
                  cursor: PartitionedCursor) -> Iterator[Partition]:
    known = [key for key in rounds.saved if set(key) == {"label_id"}]
    if not rounds.due(LABEL_LIST_KEY) and not any(rounds.due(key) for key in known):
        return
    listed: set[str] = set()
    for label in client.labels():
        key = {"label_id": str(label["id"])}
        listed.add(key["label_id"])
        rounds.remember(key)
        if rounds.due(key):
            yield rounds.round(key, LabelPartition(label, client, context))
    for key in known:
        state = cursor.get(key)
        if key["label_id"] not in listed and state is not None and state.synced_ids and decode_ids(state.synced_ids):
            yield rounds.round(key, None)  # deleted from the site: every row it had is gone
    cursor.checkpoint(LABEL_LIST_KEY, PartitionState(reconciled_at=context.now))
