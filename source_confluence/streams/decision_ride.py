"""`decisions` riding a content walk of the same sync (see streams/decision_pending.py for the state).

Per space and container type, after the content walk (`pages` or `blog_posts`) ended:
1. in step: the containers a killed sync delivered before `decisions` ran (`pending_containers.ids`)
   and that this sync's walk did not read again, read by id with their bodies;
   out of step: `decisions` has walked on its own from its cursor first (streams/decisions.py);
2. the containers the walk parsed (sync/decision_bodies.py), each emitted once per version;
3. the check for containers gone, when due (after the records, as a walk runs it at its end);
4. its cursor moves to the content walk's end - the same version time and versions at the cursor,
   so the next walk starts where this one covered - unless a walk of its own stopped short (then
   its cursor stays where that walk got); the pending ids are cleared, `pages_at` is the walk's end.
Records go out before the state that covers them. Cost: no request, but for the pending look-ups
(250 ids per request on Cloud, a page of bodies per search on Data Center) and the due check.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from airbyte_cdk.sources.types import Record

from source_confluence.records.references import Container, References
from source_confluence.streams.container_items import GoneContainers
from source_confluence.streams.decision_items import STREAM, DecisionEmitter, read_with_names
from source_confluence.streams.decision_pending import PAGES_AT, pending_ids, pending_part, save_part, walk_mark
from source_confluence.streams.errors import read_fully
from source_confluence.streams.walk import WalkSlot
from source_confluence.sync.context import ReadContext
from source_confluence.sync.decision_bodies import RiddenWalk
from source_confluence.sync.ledger import ItemLedger
from source_confluence.sync.state import PartitionedCursor


class Ride:
    def __init__(self, context: ReadContext, cursor: PartitionedCursor, key: Mapping[str, str], container_type: str,
                 walk: RiddenWalk, emitter: DecisionEmitter, slot: WalkSlot) -> None:
        self._context = context
        self._cursor = cursor
        self._key = key
        self._type = container_type
        self._walk = walk
        self._emitter = emitter
        self._slot = slot

    def read(self, describe: str, gone: GoneContainers, ledger: ItemLedger) -> Iterator[Record]:
        space_id = self._key["space_id"]
        bodies, walk_key = self._context.decision_bodies, (space_id, self._type)
        if self._walk.in_step:
            ids = sorted(pending_ids(pending_part(self._cursor.get(self._key), self._type), STREAM, describe))
            yield from self._pending(sorted(set(ids) - bodies.collected(walk_key, ids)))
        newest: str | None = None
        for collected in bodies.containers(walk_key):
            yield from self._emitter.records(collected)
            newest = max(filter(None, (newest, *(c.version_at for c in collected))), default=None)
        state = self._slot.get()
        if state is None:
            return
        if gone.due(state.reconciled_at, ledger):
            for container_id in gone.find(ledger):
                for data in self._emitter.tombstones(container_id, ledger.drop(container_id), newest):
                    yield Record(data=data, stream_name=STREAM)
            state = replace(state, reconciled_at=self._context.now)
        elif state.reconciled_at is None:  # the ledger starts now: the check is due an interval later
            state = replace(state, reconciled_at=self._context.now)
        end = self._walk.end
        covered = end is not None and (self._walk.in_step or not state.resume)
        if covered and end is not None:
            state = replace(state, updated_at=end.updated_at, cursor_versions=end.cursor_versions, resume=None)
        self._slot.checkpoint(state)
        save_part(self._cursor, self._key, self._type, {PAGES_AT: walk_mark(end)} if covered else None)

    def _pending(self, ids: list[str]) -> Iterator[Record]:
        if not ids:
            return
        client = self._context.client
        raws = read_fully(lambda: client.containers_with_bodies(self._type, ids), STREAM,
                          f"the {self._type}s whose decisions a stopped sync left pending")
        parsed = read_with_names(self._context, raws, self._type, self._key["space_id"])
        self._context.references.add([References(containers=tuple(
            Container(c.id, self._type, c.space_id, c.parent_id) for c in parsed))])
        yield from self._emitter.records(parsed)
