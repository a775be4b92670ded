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
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from source_confluence.records.decisions import FoundDecision
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


class DecisionBodies:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.enabled = False
        """True when `decisions` is selected: only then do the content walks parse their bodies."""
        self._walks: dict[WalkKey, RiddenWalk] = {}
        self._containers: dict[WalkKey, dict[str, ParsedContainer]] = {}
        self._watcher: DecisionWatcher | None = None
        self._claimed: dict[str, str] = {}

    def claim(self, container_id: str, version_at: str | None) -> bool:
        """Whether `decisions` may emit this version of a container: no partition emitted one as new
        in this sync (a container moved between spaces mid-sync is read by both spaces' partitions)."""
        at = version_at or ""
        with self._lock:
            claimed = self._claimed.get(container_id)
            if claimed is not None and claimed >= at:
                return False
            self._claimed[container_id] = at
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
        with self._lock:
            known = self._containers.setdefault(key, {})
            for container in added:
                before = known.get(container.id)
                if before is None or (container.version_at or "") >= (before.version_at or ""):
                    known[container.id] = container
        if added and self._watcher is not None:
            self._watcher.added(key, added)

    def walk(self, key: WalkKey) -> RiddenWalk | None:
        """The walk of this space and type in this sync, if one ran to its end."""
        with self._lock:
            walk = self._walks.get(key)
            return walk if walk is not None and walk.end is not None else None

    def containers(self, key: WalkKey) -> list[ParsedContainer]:
        with self._lock:
            return list((self._containers.get(key) or {}).values())

    @contextmanager
    def watched_by(self, watcher: DecisionWatcher) -> Iterator[None]:
        """`watcher` hears of the walks while the block runs (the first phase of a sync)."""
        self._watcher = watcher
        try:
            yield
        finally:
            self._watcher = None
