"""`decisions`: decision items parsed from the storage bodies of pages and blog posts.

Per space and container type, a walk over the containers by modification time with their bodies
(the content streams' walk, `walk.Walk`, with this harvest; its state one container cursor in the
space's `container_cursors`, as `tasks` keeps it). Each container read yields its decisions, with
the container's version time as `updated_at`; the ledger of the decisions emitted per container
(`container_items`) yields a tombstone for each decision gone from a body, and for every decision
of a trashed or purged container. A no-change sync costs one request per space and container type.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import CONTAINER_TYPES, ListPage
from source_confluence.records.builders import DELETED_STATUSES, storage_value
from source_confluence.records.decisions import (
    decision_id,
    decision_record,
    decision_tombstone,
    decisions_in_storage,
)
from source_confluence.records.references import Container, References
from source_confluence.streams.base import StreamPartition, describe_space
from source_confluence.streams.container_items import GoneContainers, emitted, load_ledger, stamp
from source_confluence.streams.errors import translate_http_errors
from source_confluence.streams.frontier import modified_at
from source_confluence.streams.tasks import ContainerCursorSlot, _valid_mark
from source_confluence.streams.walk import Harvest, Walk, WalkSource
from source_confluence.sync.context import ReadContext
from source_confluence.sync.ledger import ItemLedger
from source_confluence.sync.selection import CONTAINER_STREAM
from source_confluence.sync.state import PartitionedCursor, PartitionState

STREAM = "decisions"


class DecisionHarvest(Harvest):
    """The decisions of the containers a walk takes, and the tombstones of those that left."""

    def __init__(self, context: ReadContext, space_id: str, container_type: str, ledger: ItemLedger,
                 gone: GoneContainers) -> None:
        self._context = context
        self._space_id = space_id
        self._type = container_type
        self._ledger = ledger
        self._gone = gone

    def records(self, taken: Sequence[Mapping[str, Any]], listed: ListPage) -> Iterator[Record]:
        users = self._context.users
        bodies = [storage_value(raw) for raw in taken]
        mentioned = users.mentioned_in(b for b in bodies if b and "decision" in b)
        if mentioned:
            users.resolve(mentioned)  # one bulk look-up per page, so mentions read as names
        names = users.display_names()
        shown: list[Container] = []
        out: list[dict[str, Any]] = []
        for raw, body in zip(taken, bodies, strict=True):
            container_id = str(raw["id"])
            space_id = str(raw.get("spaceId") or self._space_id)
            parent = str(raw["parentId"]) if raw.get("parentId") else None
            shown.append(Container(container_id, self._type, space_id, parent))
            if space_id != self._space_id:
                continue  # listed here by a search index behind a move: the other space's partition reads it
            if not self._context.selection.allows_content(container_id, self._type, self._space_id):
                continue
            version_at = modified_at(raw)
            if raw.get("status") in DELETED_STATUSES:
                out.extend(self._tombstones(container_id, self._ledger.drop(container_id), version_at))
                continue
            if body is None:
                continue  # no body sent: nothing known about its decisions
            current: dict[str, str | None] = {}
            for found in decisions_in_storage(body, names):
                record_id = decision_id(container_id, found.local_id)
                first_seen = self._ledger.first_seen(container_id, record_id) or version_at
                current[record_id] = first_seen
                out.append(decision_record(found, container_id, self._type, self._space_id, version_at, first_seen))
            out.extend(self._tombstones(container_id, self._ledger.replace(container_id, current), version_at))
        self._context.references.add([References(containers=tuple(shown))])
        for data in out:
            emitted(self._context, STREAM, data["id"], data["updated_at"])
            yield Record(data=data, stream_name=STREAM)

    def _tombstones(self, container_id: str, removed: Iterable[str], newest: str | None) -> Iterator[dict[str, Any]]:
        for record_id in removed:
            at = stamp(self._context, STREAM, record_id, newest)
            yield decision_tombstone(record_id, container_id, self._type, self._space_id, at)

    def finish(self, state: PartitionState, newest: str | None) -> Iterator[Record | PartitionState]:
        if not self._gone.due(state.reconciled_at, self._ledger):
            if state.reconciled_at is None:  # the ledger starts now: the check is due an interval later
                yield replace(state, reconciled_at=self._context.now)
            return
        for container_id in self._gone.find(self._ledger):
            for data in self._tombstones(container_id, self._ledger.drop(container_id), newest):
                yield Record(data=data, stream_name=STREAM)
        yield replace(state, reconciled_at=self._context.now)


class DecisionsPartition(StreamPartition):
    def __init__(self, space: Mapping[str, Any], context: ReadContext, cursor: PartitionedCursor,
                 use_state: bool) -> None:
        self._space = space
        self._space_id = str(space["id"])
        self._context = context
        self._cursor = cursor
        self._use_state = use_state
        self._key = {"space_id": self._space_id}
        super().__init__(STREAM, self._key)
        selection = context.selection
        self._types = [t for t in CONTAINER_TYPES if selection.content_type_enabled(CONTAINER_STREAM[t])]

    def read(self) -> Iterable[Record]:
        describe = describe_space(self._space)
        state = self._cursor.get(self._key) if self._use_state else None
        if state is not None and not all(map(_valid_mark, (state.container_cursors or {}).values())):
            self._cursor.discard(self._key, "its container cursors (`container_cursors`) cannot be decoded")
        with translate_http_errors(STREAM, describe):
            for container_type in self._types:
                ledger = load_ledger(self._cursor, self._key, container_type, STREAM, describe, self._use_state)
                slot = ContainerCursorSlot(self._cursor, self._key, container_type, ledger)
                source = WalkSource(stream=STREAM, key=self._key, kind=container_type, space_id=self._space_id,
                                    describe=describe, deletion_check=False, needs_bodies=True)
                gone = GoneContainers(self._context, STREAM, container_type, self._space_id, describe, ledger)
                harvest = DecisionHarvest(self._context, self._space_id, container_type, ledger, gone)
                yield from Walk(source, harvest, self._context, slot).read(slot.get() if self._use_state else None)


def decision_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    for space in context.directory.spaces():
        yield DecisionsPartition(space, context, cursor, use_state)
