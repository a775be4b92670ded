"""Items that live in a container's body (tasks, decisions): the ledger of what was emitted per
container, kept with the container cursor, and the check that finds containers gone.

A removed item is found when its container is read again (`ItemLedger.replace`); a trashed
container shows in a walk that lists trashed content (Cloud); a purged one (and on Data Center a
trashed one, which search no longer lists) is found by listing the space's containers when the
deletion check is due (`deletion_check_interval_hours`) and confirming the missing ones by id, as
the deletion check of pages does, each space at its own turn in the interval. Only spaces whose ledger
holds a container pay for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import CONTAINER_TYPES
from source_confluence.records.builders import DELETED_STATUSES, task_tombstone
from source_confluence.streams.base import StreamPartition
from source_confluence.streams.errors import read_fully
from source_confluence.sync.context import ReadContext
from source_confluence.sync.ledger import ItemLedger
from source_confluence.sync.rolling import is_due
from source_confluence.sync.selection import CONTAINER_STREAM
from source_confluence.sync.state import PartitionedCursor, PartitionState
from source_confluence.timestamps import parse_timestamp

LOGGER = logging.getLogger("airbyte")
TASKS = "tasks"
LEDGER_FIELD = "items"
"""Where a container cursor (`container_cursors.<type>`) keeps its ledger."""
CHECKED_FIELD = "checked_at"
"""When the ledger's containers were last checked for deletion."""


def load_ledger(cursor: PartitionedCursor, key: Mapping[str, str], container_type: str, stream: str,
                describe: str, use_state: bool) -> ItemLedger:
    """The ledger saved for one container type; an undecodable one is dropped with a warning (its
    items then get no tombstone when removed, none is lost)."""
    state = cursor.get(key) if use_state else None
    mark = ((state.container_cursors if state is not None else None) or {}).get(container_type)
    raw = mark.get(LEDGER_FIELD) if isinstance(mark, Mapping) else None
    try:
        return ItemLedger.decode(raw)
    except ValueError:
        LOGGER.warning(f"Stream '{stream}', {describe}: the saved `{LEDGER_FIELD}` of `container_cursors."
                       f"{container_type}` cannot be decoded; items removed before their container is read "
                       "again get no tombstone.")
        return ItemLedger()


def stamp(context: ReadContext, stream: str, item_id: str, newest: str | None) -> str:
    """A tombstone's time: the detection, never before a version of the item emitted this sync."""
    return context.tombstone_clock.stamp(f"{stream}/{item_id}", context.now, newest)


def superseded(context: ReadContext, stream: str, item_id: str, updated_at: str | None) -> bool:
    """Whether this sync already tombstoned the item later than `updated_at`: the item then comes from
    a container version older than the look-up that found it gone (a stale Data Center search hit of
    a page moved to another space and archived there), and would undo the tombstone."""
    return context.tombstone_clock.superseded(f"{stream}/{item_id}", updated_at)


def emitted(context: ReadContext, stream: str, item_id: str, updated_at: str | None) -> None:
    context.tombstone_clock.emitted(f"{stream}/{item_id}", updated_at, context.now)


class SpaceContainersPartition(StreamPartition):
    """One space's pages and blog posts (those the selection enables) read for what their bodies hold:
    the partition of `tasks` and of `decisions`."""

    def __init__(self, stream: str, space: Mapping[str, Any], context: ReadContext, cursor: PartitionedCursor,
                 use_state: bool) -> None:
        self._space = space
        self._space_id = str(space["id"])
        self._context = context
        self._cursor = cursor
        self._use_state = use_state
        self._key = {"space_id": self._space_id}
        super().__init__(stream, self._key)
        selection = context.selection
        self._types = [t for t in CONTAINER_TYPES if selection.content_type_enabled(CONTAINER_STREAM[t])]


class GoneContainers:
    """The containers of a ledger that the site no longer holds (purged; on Data Center also trashed)."""

    def __init__(self, context: ReadContext, stream: str, kind: str, space_id: str, describe: str,
                 ledger: ItemLedger) -> None:
        self._context = context
        self._stream = stream
        self._kind = kind
        self._space_id = space_id
        self._describe = describe
        self._checkable = bool(ledger.containers())
        """False for a ledger empty when the sync started: all it holds was read by this sync's walk."""

    def due(self, checked_at: str | None, ledger: ItemLedger) -> bool:
        """Once per `deletion_check_interval_hours`, at this space's own turn in the interval (as the
        deletion check's partitions: sync/rolling.py), once the ledger holds containers of earlier
        syncs. Every space's ledger starts in the same first sync: a fixed interval from there would
        list every space's containers in one sync."""
        if not (self._checkable and ledger.containers()):
            return False
        key = {"stream": self._stream, "kind": self._kind, "space_id": self._space_id}
        return is_due(key, parse_timestamp(checked_at) if checked_at else None,
                      timedelta(hours=self._context.config.deletion_check_interval_hours),
                      parse_timestamp(self._context.now))

    def find(self, ledger: ItemLedger) -> list[str]:
        client = self._context.client
        listed = {str(item.get("id")) for item in read_fully(
            lambda: client.listing(self._kind, self._space_id), self._stream,
            f"the check of {self._kind}s gone in {self._describe}")}
        missing = sorted(set(ledger.containers()) - listed)
        if not missing:
            return []
        alive: set[Any] = set(read_fully(lambda: client.surviving(self._kind, missing), self._stream,
                                         f"the look-up by id of {self._kind}s gone in {self._describe}"))
        if alive:
            # Moved to another space and trashed there (Cloud still finds it by id): that space's walk
            # sees it trashed but holds no ledger of it, so the items this ledger emitted go from here.
            alive -= {str(item.get("id")) for item in read_fully(
                lambda: client.containers(self._kind, sorted(alive)), self._stream,
                f"the status of {self._kind}s moved out of {self._describe}")
                if item.get("status") in DELETED_STATUSES}
        gone = [container_id for container_id in missing if container_id not in alive]
        if gone:
            LOGGER.info(f"Stream '{self._stream}', {self._describe}: {len(gone)} {self._kind}(s) gone; "
                        "their items are emitted as deleted.")
        return gone


class TaskLedger:
    """The tasks stream's side of the ledger: tombstones for tasks gone from a container read again
    (both flavours: Cloud's `/tasks` of a page lists what its body holds, Data Center's tasks are
    parsed from it), and for the tasks of containers gone."""

    def __init__(self, context: ReadContext, space_id: str, container_type: str, ledger: ItemLedger,
                 gone: GoneContainers) -> None:
        self._context = context
        self._space_id = space_id
        self._type = container_type
        self._ledger = ledger
        self._gone = gone

    def _tombstones(self, container_id: str, removed: list[str], newest: str | None) -> Iterator[Record]:
        for task_id in removed:
            at = stamp(self._context, TASKS, task_id, newest)
            yield Record(data=task_tombstone(task_id, container_id, self._type, self._space_id, at), stream_name=TASKS)

    def read_again(self, current: Mapping[str, Mapping[str, str | None]], newest: str | None) -> Iterator[Record]:
        """`current`: the tasks each container read again holds now (every container, even those with none)."""
        for container_id, tasks in current.items():
            yield from self._tombstones(container_id, self._ledger.replace(container_id, tasks), newest)

    def check(self, state: PartitionState, newest: str | None) -> Iterator[Record | PartitionState]:
        if not self._gone.due(state.reconciled_at, self._ledger):
            if state.reconciled_at is None:  # the ledger starts now: the check is due an interval later
                yield replace(state, reconciled_at=self._context.now)
            return
        for container_id in self._gone.find(self._ledger):
            yield from self._tombstones(container_id, self._ledger.drop(container_id), newest)
        yield replace(state, reconciled_at=self._context.now)
