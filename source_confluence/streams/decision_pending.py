"""The part of the `decisions` state that rides the content walks: whether they are in step, and the
containers they delivered whose decisions are not emitted yet.

Per space, `container_cursors.pending_containers.<type>` holds `pages_at` (the state of the content
walk - `pages` or `blog_posts` - that this stream has covered up to: every container that walk
delivered before it is emitted or listed here) and `ids` (sync/idset.py: the containers that walk
delivered with a decision, or that held one before, whose decisions are not emitted yet).

While the content walks run, `PendingDecisions` watches the collector (sync/decision_bodies.py) and
saves this part ahead of what it describes: the ids before the walk's records go out, `pages_at`
before the walk's own state does. A sync killed after the walk checkpointed past a container, but
before `decisions` ran, thus leaves the container in `ids`; the next sync reads it by id.

In step (`in_step`): the walk starts where this stream has covered everything before - a first walk
(no state: it reads every container) while this stream has no cursor either, the `pages_at` saved,
or this stream's own container cursor when the walk has no position to resume. Anything else (the content stream synced without
`decisions`, a state reset on either side, a walk killed before it saved a state) is out of step:
`decisions` then walks on its own from its cursor to cover the gap.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from source_confluence.sync.decision_bodies import ParsedContainer, WalkKey
from source_confluence.sync.idset import decode_ids, encode_ids
from source_confluence.sync.ledger import ItemLedger
from source_confluence.sync.state import PartitionedCursor, PartitionState

LOGGER = logging.getLogger("airbyte")
PENDING = "pending_containers"
PAGES_AT = "pages_at"
IDS = "ids"


def walk_mark(state: PartitionState | None) -> dict[str, Any] | None:
    """A walk's position, comparable across syncs (as its state saves it)."""
    if state is None:
        return None
    versions = {at: sorted(keys) for at, keys in (state.cursor_versions or {}).items()}
    mark: dict[str, Any] = json.loads(json.dumps({"updated_at": state.updated_at, "cursor_versions": versions,
                                  "resume": dict(state.resume) if state.resume else None}, sort_keys=True))
    return mark


def pending_part(state: PartitionState | None, container_type: str) -> Mapping[str, Any]:
    part = ((state.container_cursors if state is not None else None) or {}).get(PENDING)
    entry = part.get(container_type) if isinstance(part, Mapping) else None
    return entry if isinstance(entry, Mapping) else {}


def pending_ids(part: Mapping[str, Any], stream: str, describe: str) -> set[str]:
    try:
        return decode_ids(part[IDS]) if isinstance(part.get(IDS), str) else set()
    except ValueError:
        LOGGER.warning(f"Stream '{stream}', {describe}: the saved `{PENDING}` ids cannot be decoded; their decisions "
                       "are read when their pages change again.")
        return set()


def in_step(own: PartitionState | None, part: Mapping[str, Any], start: PartitionState | None) -> bool:
    """Whether a content walk starting at `start` covers all this stream has not (see the module doc).
    `own`: this stream's container cursor; `part`: its pending part, both as the sync started."""
    if start is None:
        # A first walk reads every container, but leaves out archived ones (`include_archived` off),
        # whose changes a cursor of its own would still read: in step only with no cursor either.
        return own is None
    if part.get(PAGES_AT) is not None and part[PAGES_AT] == walk_mark(start):
        return True
    if own is None or start.resume:
        return False
    ours, theirs = walk_mark(own), walk_mark(start)
    return ours is not None and theirs is not None and ours["updated_at"] == theirs["updated_at"] and \
        ours["cursor_versions"] == theirs["cursor_versions"]


def save_part(cursor: PartitionedCursor, key: Mapping[str, str], container_type: str,
              part: Mapping[str, Any] | None) -> None:
    """Writes one type's pending part (None: removes it), keeping the rest of the state."""
    state = cursor.get(key) or PartitionState()
    parts = dict(state.container_cursors or {})
    before = dict(parts.get(PENDING) or {}) if isinstance(parts.get(PENDING), Mapping) else {}
    if part is None and container_type not in before:
        return
    pending = {t: p for t, p in before.items() if t != container_type}
    if part:
        pending[container_type] = dict(part)
    if pending:
        parts[PENDING] = pending
    else:
        parts.pop(PENDING, None)
    cursor.checkpoint(key, replace(state, container_cursors=parts or None))


class PendingDecisions:
    """Watches the collector in the first phase of a sync and keeps the pending part ahead of the walks."""

    def __init__(self, cursor: PartitionedCursor) -> None:
        self._cursor = cursor
        self._lock = threading.Lock()
        self._in_step: dict[WalkKey, bool] = {}
        self._ids: dict[WalkKey, set[str]] = {}
        self._held: dict[WalkKey, set[str]] = {}
        """The containers whose decisions the saved ledger holds: one read again may have lost them."""
        self._at: dict[WalkKey, dict[str, Any] | None] = {}

    def started(self, key: WalkKey, start: PartitionState | None) -> bool:
        space_id, container_type = key
        partition = {"space_id": space_id}
        with self._lock:
            # Nothing else writes this state before `decisions` runs: it is as the sync started.
            state = self._cursor.get(partition)
            part = pending_part(state, container_type)
            mark = ((state.container_cursors if state is not None else None) or {}).get(container_type)
            own = None
            if isinstance(mark, Mapping) and mark.get("updated_at"):
                own = PartitionState(updated_at=mark["updated_at"], cursor_versions={
                    at: tuple(keys) for at, keys in (mark.get("cursor_versions") or {}).items()} or None)
            verdict = in_step(own, part, start)
            self._in_step[key] = verdict
            self._ids[key] = pending_ids(part, "decisions", f"space {space_id}") if verdict else set()
            self._at[key] = part.get(PAGES_AT) if verdict else None
            try:
                self._held[key] = set(ItemLedger.decode(mark.get("items")).containers()) if isinstance(
                    mark, Mapping) else set()
            except ValueError:
                self._held[key] = set()
            if not verdict and part:
                save_part(self._cursor, partition, container_type, None)
            return verdict

    def added(self, key: WalkKey, containers: Iterable[ParsedContainer]) -> None:
        with self._lock:
            if not self._in_step.get(key):
                return
            known = self._ids[key]
            new = {c.id for c in containers if (c.decisions or c.id in self._held[key]) and c.id not in known}
            if new:
                known |= new
                self._save(key)

    def saving(self, key: WalkKey, state: PartitionState) -> None:
        with self._lock:
            mark = walk_mark(state)
            if self._in_step.get(key) and mark != self._at.get(key):
                self._at[key] = mark
                self._save(key)

    def _save(self, key: WalkKey) -> None:
        ids = self._ids[key]
        part: dict[str, Any] = {PAGES_AT: self._at.get(key)}
        if ids:
            part[IDS] = encode_ids(ids)
        save_part(self._cursor, {"space_id": key[0]}, key[1], part)
