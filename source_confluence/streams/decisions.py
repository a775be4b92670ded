"""`decisions`: decision items parsed from the storage bodies of pages and blog posts.

It reads in the second phase of a sync. Per space and container type, two ways:
- riding (the content stream of that type - `pages`, `blog_posts` - walked that space with bodies in
  this sync): the walk handed its parsed bodies to the sync's collector (sync/decision_bodies.py);
  this stream emits from it and makes no request of its own (streams/decision_ride.py);
- walking on its own (the content stream not selected, bodies not read, or the space not walked by
  it): a walk over the containers by modification time with their bodies (the content streams'
  walk, `walk.Walk`, with this harvest), its state one container cursor in the space's
  `container_cursors`, as `tasks` keeps it. A no-change sync costs one request per space and type.
Either way each container read yields its decisions, with the container's version time as
`updated_at`; the ledger of the decisions emitted per container (`container_items`) yields a
tombstone for each decision gone from a body, and for every decision of a trashed or purged container.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import ListPage
from source_confluence.records.references import Container, References
from source_confluence.streams.base import describe_space
from source_confluence.streams.container_items import GoneContainers, SpaceContainersPartition, load_ledger
from source_confluence.streams.decision_items import STREAM, DecisionEmitter, read_with_names
from source_confluence.streams.decision_pending import PENDING, save_part
from source_confluence.streams.decision_ride import Ride
from source_confluence.streams.errors import translate_http_errors
from source_confluence.streams.tasks import ContainerCursorSlot, _valid_mark
from source_confluence.streams.walk import Harvest, Walk, WalkSource
from source_confluence.sync.context import ReadContext
from source_confluence.sync.ledger import ItemLedger
from source_confluence.sync.state import PartitionedCursor, PartitionState


class DecisionHarvest(Harvest):
    """The decisions of the containers a walk takes, and the tombstones of those that left."""

    def __init__(self, context: ReadContext, space_id: str, container_type: str, emitter: DecisionEmitter,
                 ledger: ItemLedger, gone: GoneContainers, check: bool = True) -> None:
        self._context = context
        self._space_id = space_id
        self._type = container_type
        self._emitter = emitter
        self._ledger = ledger
        self._gone = gone
        self._check = check
        """False: the check for containers gone is left to what follows the walk (the ride)."""

    def records(self, taken: Sequence[Mapping[str, Any]], listed: ListPage) -> Iterator[Record]:
        parsed = read_with_names(self._context, taken, self._type, self._space_id)
        self._context.references.add([References(containers=tuple(
            Container(c.id, self._type, c.space_id, c.parent_id) for c in parsed))])
        yield from self._emitter.records(parsed)

    def finish(self, state: PartitionState, newest: str | None) -> Iterator[Record | PartitionState]:
        if not self._check:
            return
        if not self._gone.due(state.reconciled_at, self._ledger):
            if state.reconciled_at is None:  # the ledger starts now: the check is due an interval later
                yield replace(state, reconciled_at=self._context.now)
            return
        for container_id in self._gone.find(self._ledger):
            for data in self._emitter.tombstones(container_id, self._ledger.drop(container_id), newest):
                yield Record(data=data, stream_name=STREAM)
        yield replace(state, reconciled_at=self._context.now)


class DecisionsPartition(SpaceContainersPartition):
    def __init__(self, space: Mapping[str, Any], context: ReadContext, cursor: PartitionedCursor,
                 use_state: bool) -> None:
        super().__init__(STREAM, space, context, cursor, use_state)

    def read(self) -> Iterable[Record]:
        describe = describe_space(self._space)
        state = self._cursor.get(self._key) if self._use_state else None
        marks = {t: m for t, m in ((state.container_cursors if state is not None else None) or {}).items() if t != PENDING}
        if not all(map(_valid_mark, marks.values())):
            self._cursor.discard(self._key, "its container cursors (`container_cursors`) cannot be decoded")
        with translate_http_errors(STREAM, describe):
            for container_type in self._types:
                ledger = load_ledger(self._cursor, self._key, container_type, STREAM, describe, self._use_state)
                slot = ContainerCursorSlot(self._cursor, self._key, container_type, ledger)
                source = WalkSource(stream=STREAM, key=self._key, kind=container_type, space_id=self._space_id,
                                    describe=describe, deletion_check=False, needs_bodies=True)
                gone = GoneContainers(self._context, STREAM, container_type, self._space_id, describe, ledger)
                emitter = DecisionEmitter(self._context, self._space_id, container_type, ledger)
                walk = self._context.decision_bodies.walk((self._space_id, container_type))
                if walk is None:  # no content walk to ride: its own walk, from its cursor
                    harvest = DecisionHarvest(self._context, self._space_id, container_type, emitter, ledger, gone)
                    yield from Walk(source, harvest, self._context, slot).read(slot.get() if self._use_state else None)
                    if self._use_state and self._cursor.get(self._key) is not None:
                        save_part(self._cursor, self._key, container_type, None)  # its cursor moved past them
                    continue
                ride = Ride(self._context, self._cursor, self._key, container_type, walk, emitter, slot)
                if not walk.in_step:
                    # The gap between its cursor and the content walk's start, first: a container both
                    # read is then emitted once, at the newer version (`DecisionEmitter`).
                    # The check for containers gone follows the ride's records, as a walk's follows its own.
                    harvest = DecisionHarvest(self._context, self._space_id, container_type, emitter, ledger, gone,
                                              check=False)
                    yield from Walk(source, harvest, self._context, slot).read(slot.get() if self._use_state else None)
                yield from ride.read(describe, gone, ledger)


def decision_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    for space in context.directory.spaces():
        yield DecisionsPartition(space, context, cursor, use_state)
