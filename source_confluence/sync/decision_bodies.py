"""The decisions the content walks read in this sync's bodies, for `decisions` to emit in the second phase.

When `decisions` is selected, each page of pages (blog posts) a content walk takes is handed here
with its storage bodies before its records are emitted; only what was parsed out of them is kept
(per container: its decisions, version time, status and space), never a body. The collector also
hears where each walk (space x container type) started, every state it checkpoints, and where it
ended, so `decisions` can tell whether the walk covered everything its own cursor has not.

Whoever keeps the decisions state across syncs watches the collector (`streams/decision_pending.py`):
it hears, in the walk's thread and before the records or the walk's state go out, of each walk's
start, of each container parsed and of each state the walk is about to save. Thread-safe: every
content partition feeds it.

The parsed containers and the versions claimed grow with the site: they are kept on disk
(sync/spill.py), in the order first seen, and read back one walk at a time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from source_confluence.records.decisions import FoundDecision
from source_confluence.sync.spill import Spill
from source_confluence.sync.state import PartitionState

WalkKey = tuple[str, str]
"""(space id, container type)."""


@dataclass(frozen=True, slots=True)
class ParsedContainer:
    id: str
    container_type: str
    space_id: str
    """The space the container says it is in (a lagging search index may list it in another)."""
    listed_in: str
    """The space whose walk listed it."""
    parent_id: str | None
    version_at: str | None
    status: str | None
    decisions: tuple[FoundDecision, ...] | None
    """None when no body came with it: nothing is known about its decisions."""


@dataclass
class RiddenWalk:
    start: PartitionState | None
    """The walk's state when it started (None: a first walk, or a full refresh)."""
    in_step: bool
    """Whether `decisions` had covered everything before `start` (see streams/decision_pending.py)."""
    end: PartitionState | None = None
    """The walk's state when it ended; None while it runs (or if it failed)."""


class DecisionWatcher(Protocol):
    def started(self, key: WalkKey, start: PartitionState | None) -> bool:
        """A walk starts: whether `decisions` is in step with it."""

    def added(self, key: WalkKey, containers: list[ParsedContainer]) -> None:
        """Containers parsed, before the records of their page are emitted."""

    def saving(self, key: WalkKey, state: PartitionState) -> None:
        """The walk is about to checkpoint `state`."""


SCHEMA = """
CREATE TABLE containers (
    seq INTEGER PRIMARY KEY, walk_space, walk_type, id, container_type, space_id, listed_in, parent_id,
    version_at, status, decisions, UNIQUE (walk_space, walk_type, id));
CREATE TABLE claimed (id PRIMARY KEY, at);
"""
ADD = """
INSERT INTO containers (
    walk_space, walk_type, id, container_type, space_id, listed_in, parent_id, version_at, status, decisions)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (walk_space, walk_type, id) DO UPDATE SET
    container_type = excluded.container_type, space_id = excluded.space_id, listed_in = excluded.listed_in,
    parent_id = excluded.parent_id, version_at = excluded.version_at, status = excluded.status,
    decisions = excluded.decisions
WHERE coalesce(excluded.version_at, '') >= coalesce(containers.version_at, '')
"""
"""A container seen again keeps its newest version, and its place (as a dict's key does)."""
OF_WALK = """
SELECT seq, id, container_type, space_id, listed_in, parent_id, version_at, status, decisions FROM containers
WHERE walk_space = ? AND walk_type = ? AND seq > ? ORDER BY seq LIMIT ?
"""
READ_BACK = 500
"""Containers per read-back: a walk's are a whole space's on a first sync, read by `num_workers`
partitions at once, with the decisions of each."""
COLLECTED = "SELECT id FROM containers WHERE walk_space = ? AND walk_type = ? AND id IN (SELECT value FROM json_each(?))"
CLAIM = "INSERT INTO claimed (id, at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at"


def _row(key: WalkKey, container: ParsedContainer) -> tuple[str | None, ...]:
    decisions = None if container.decisions is None else json.dumps(
        [[found.local_id, found.state, found.text] for found in container.decisions])
    return (*key, container.id, container.container_type, container.space_id, container.listed_in,
            container.parent_id, container.version_at, container.status, decisions)


def _container(row: tuple[Any, ...]) -> ParsedContainer:
    container_id, container_type, space_id, listed_in, parent_id, version_at, status, decisions = row
    found = None if decisions is None else tuple(FoundDecision(*item) for item in json.loads(decisions))
    return ParsedContainer(container_id, container_type, space_id, listed_in, parent_id, version_at, status, found)


class DecisionBodies:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.enabled = False
        """True when `decisions` is selected: only then do the content walks parse their bodies."""
        self._walks: dict[WalkKey, RiddenWalk] = {}
        self._spill = Spill(SCHEMA)
        self._watcher: DecisionWatcher | None = None

    def claim(self, container_id: str, version_at: str | None) -> bool:
        """Whether `decisions` may emit this version of a container: no partition emitted one as new
        in this sync (a container moved between spaces mid-sync is read by both spaces' partitions)."""
        at = version_at or ""
        with self._lock:
            claimed = self._spill.query("SELECT at FROM claimed WHERE id = ?", (container_id,))
            if claimed and claimed[0][0] >= at:
                return False
            self._spill.write(CLAIM, [(container_id, at)])
            return True

    def walk_started(self, key: WalkKey, start: PartitionState | None) -> None:
        watcher = self._watcher
        in_step = watcher.started(key, start) if watcher is not None else start is None
        with self._lock:
            self._walks[key] = RiddenWalk(start, in_step)

    def saving(self, key: WalkKey, state: PartitionState) -> None:
        if self._watcher is not None:
            self._watcher.saving(key, state)

    def walk_ended(self, key: WalkKey, end: PartitionState | None) -> None:
        with self._lock:
            walk = self._walks.get(key)
            if walk is not None:
                walk.end = end

    def add(self, key: WalkKey, containers: Iterable[ParsedContainer]) -> None:
        """A page of parsed containers; a container seen again keeps its newest version."""
        added = list(containers)
        if added:
            with self._lock:
                self._spill.write(ADD, [_row(key, container) for container in added])
        if added and self._watcher is not None:
            self._watcher.added(key, added)

    def walk(self, key: WalkKey) -> RiddenWalk | None:
        """The walk of this space and type in this sync, if one ran to its end."""
        with self._lock:
            walk = self._walks.get(key)
            return walk if walk is not None and walk.end is not None else None

    def containers(self, key: WalkKey) -> Iterator[list[ParsedContainer]]:
        """The containers of one walk, in the order first seen, each at its newest version, READ_BACK
        at a time (never the whole walk at once; each batch read under the lock, as other walks write)."""
        after = 0
        while True:
            with self._lock:
                rows = self._spill.query(OF_WALK, (*key, after, READ_BACK))
            if not rows:
                return
            after = rows[-1][0]
            yield [_container(row[1:]) for row in rows]

    def collected(self, key: WalkKey, ids: Sequence[str]) -> set[str]:
        """Which of `ids` the walk collected."""
        if not ids:
            return set()
        with self._lock:
            rows = self._spill.query(COLLECTED, (*key, json.dumps(list(ids))))
        return {row[0] for row in rows}

    def close(self) -> None:
        """The sync ended: the containers and claims kept on disk go (sync/spill.py)."""
        with self._lock:
            self._spill.close()

    @contextmanager
    def watched_by(self, watcher: DecisionWatcher) -> Iterator[None]:
        """`watcher` hears of the walks while the block runs (the first phase of a sync)."""
        self._watcher = watcher
        try:
            yield
        finally:
            self._watcher = None
