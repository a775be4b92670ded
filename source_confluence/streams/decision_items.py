"""From containers read with their bodies to `decisions` records: the parse (kept without the body)
and the emitter that turns parsed containers into records and tombstones, whichever read them (the
stream's own walk, the content walks of the sync, or a look-up by id)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from airbyte_cdk.sources.types import Record

from source_confluence.records.builders import DELETED_STATUSES, storage_value
from source_confluence.records.decisions import (
    FoundDecision,
    decision_id,
    decision_record,
    decision_tombstone,
    decisions_in_storage,
)
from source_confluence.streams.container_items import emitted, stamp
from source_confluence.streams.frontier import modified_at
from source_confluence.sync.context import ReadContext
from source_confluence.sync.decision_bodies import ParsedContainer
from source_confluence.sync.ledger import ItemLedger

STREAM = "decisions"


def parsed_containers(raws: Sequence[Mapping[str, Any]], container_type: str, listed_in: str,
                      names: Mapping[str, str],
                      found: Mapping[str, tuple[FoundDecision, ...]] | None = None) -> list[ParsedContainer]:
    """`raws` (read with their bodies, mentions already resolved into `names`) without their bodies.
    `found`: the decisions of bodies already parsed with the same names (records/body_pool.py)."""
    out = []
    for raw in raws:
        body = storage_value(raw)
        decisions = None
        if body is not None:
            known = found.get(body) if found is not None else None
            decisions = known if known is not None else tuple(decisions_in_storage(body, names))
        out.append(ParsedContainer(
            id=str(raw["id"]), container_type=container_type, space_id=str(raw.get("spaceId") or listed_in),
            listed_in=listed_in, parent_id=str(raw["parentId"]) if raw.get("parentId") else None,
            version_at=modified_at(raw), status=raw.get("status"),
            decisions=decisions))
    return out


def read_with_names(context: ReadContext, raws: Sequence[Mapping[str, Any]], container_type: str,
                    listed_in: str) -> list[ParsedContainer]:
    """Parsed after one bulk look-up of the accounts their decisions mention, so mentions read as names."""
    users = context.users
    mentioned = users.mentioned_in(b for b in map(storage_value, raws) if b and "decision" in b)
    if mentioned:
        users.resolve(mentioned)
    return parsed_containers(raws, container_type, listed_in, users.display_names())


class DecisionEmitter:
    """One space and container type: the decisions of each container read, and tombstones for those
    that left its body or went with it. A container is emitted once per version: read again at the
    same (or an older) version, by another path or partition of the same sync, it yields nothing."""

    def __init__(self, context: ReadContext, space_id: str, container_type: str, ledger: ItemLedger) -> None:
        self._context = context
        self._space_id = space_id
        self._type = container_type
        self._ledger = ledger

    def records(self, containers: Iterable[ParsedContainer]) -> Iterator[Record]:
        out: list[dict[str, Any]] = []
        for container in containers:
            if container.space_id != self._space_id:
                continue  # listed here by a search index behind a move: the other space's partition reads it
            if not self._context.selection.allows_content(container.id, self._type, self._space_id):
                continue
            if container.decisions is None and container.status not in DELETED_STATUSES:
                continue  # no body sent: nothing known about its decisions
            if not self._context.decision_bodies.claim(container.id, container.version_at):
                continue
            out.extend(self._of(container))
        for data in out:
            emitted(self._context, STREAM, data["id"], data["updated_at"])
            yield Record(data=data, stream_name=STREAM)

    def _of(self, container: ParsedContainer) -> Iterator[dict[str, Any]]:
        version_at = container.version_at
        if container.status in DELETED_STATUSES:
            yield from self.tombstones(container.id, self._ledger.drop(container.id), version_at)
            return
        current: dict[str, str | None] = {}
        for found in container.decisions or ():
            record_id = decision_id(container.id, found.local_id)
            first_seen = self._ledger.first_seen(container.id, record_id) or version_at
            current[record_id] = first_seen
            yield decision_record(found, container.id, self._type, self._space_id, version_at, first_seen)
        yield from self.tombstones(container.id, self._ledger.replace(container.id, current), version_at)

    def tombstones(self, container_id: str, removed: Iterable[str], newest: str | None) -> Iterator[dict[str, Any]]:
        for record_id in removed:
            at = stamp(self._context, STREAM, record_id, newest)
            # Known later than any version read before: no partition may emit an older one after it.
            self._context.decision_bodies.claim(container_id, at)
            yield decision_tombstone(record_id, container_id, self._type, self._space_id, at)
