"""The site the adversary mutates: objects with versions, a clock, and what the contract leaves open.

Written from Atlassian's contracts, not from the connector or the project's double. Where the
contract is silent, the model takes the worst choice a test asks for:
- the clock never runs backwards but may stand still: any number of versions share a millisecond;
- equal sort keys come in an order the test picks (`rank`, drawn per version, not the id);
- every change (create, edit, move, trash, restore, purge, task change, comment resolution) may
  happen between any two requests.
A change that creates a version stamps it with the clock; purges and comment resolutions create
none. A task lives in its container's body: changing it saves the container (a new version).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

CONTAINERS = ("page", "blogpost")
COMMENTS = ("footer", "inline")
EPOCH = datetime(2024, 10, 26, 23, 30, tzinfo=UTC)
"""Half an hour before Berlin's clocks go back: Data Center walks cross an ambiguous hour."""


@dataclass
class Obj:
    id: str
    kind: str
    """page, blogpost, footer, inline or attachment."""
    space_id: str
    status: str
    version: int
    at: int
    """Milliseconds since EPOCH of the current version."""
    rank: int
    """Where the current version sits among versions of the same millisecond."""
    created_at: int
    created_rank: int
    """Where it sits among objects created in the same millisecond (lists sorted by creation)."""
    container_id: str | None = None
    container_kind: str | None = None
    tasks: dict[str, str] = field(default_factory=dict)
    """Containers: local task id -> complete | incomplete, in body order."""
    task_ids: dict[str, str] = field(default_factory=dict)
    """Containers: local task id -> the task's global id (Cloud's task API numbers tasks site-wide)."""
    resolution: str | None = None
    resolution_at: int | None = None


class Site:
    def __init__(self, spaces: int = 2) -> None:
        self.clock = 0
        self.spaces = {str(100 + n): f"S{n}" for n in range(spaces)}
        self.objects: dict[str, Obj] = {}
        self.purged: dict[str, Obj] = {}
        self._next_id = 1000
        self.changed_at: dict[str, int] = {}
        """id -> clock of its last change of any kind (version or not)."""

    # -- time ---------------------------------------------------------------------------------
    def tick(self, ms: int) -> None:
        self.clock += max(ms, 0)

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def _touch(self, obj: Obj, rank: int, new_version: bool = True) -> None:
        if new_version:
            obj.version += 1
            obj.at = self.clock
            obj.rank = rank
        self.changed_at[obj.id] = self.clock

    # -- queries ------------------------------------------------------------------------------
    def live(self, *kinds: str) -> list[Obj]:
        return [o for o in self.objects.values() if not kinds or o.kind in kinds]

    def containers(self) -> list[Obj]:
        return self.live(*CONTAINERS)

    def space_of(self, obj: Obj) -> str:
        if obj.container_id is not None and obj.container_id in self.objects:
            return self.objects[obj.container_id].space_id
        return obj.space_id

    # -- changes ------------------------------------------------------------------------------
    def create(self, kind: str, rank: int, space_index: int = 0, container_index: int = 0,
               tasks: int = 0) -> Obj | None:
        space_id = sorted(self.spaces)[space_index % len(self.spaces)]
        container_id = container_kind = None
        if kind in COMMENTS or kind == "attachment":
            containers = self.containers()
            if not containers:
                return None
            container = containers[container_index % len(containers)]
            container_id, container_kind, space_id = container.id, container.kind, container.space_id
        obj = Obj(id=self._new_id(), kind=kind, space_id=space_id, status="current", version=1, at=self.clock,
                  rank=rank, created_at=self.clock, created_rank=rank, container_id=container_id, container_kind=container_kind)
        if kind == "inline":
            obj.resolution = "open"
        for n in range(tasks if kind in CONTAINERS else 0):
            obj.tasks[str(n + 1)] = "incomplete"
            obj.task_ids[str(n + 1)] = self._new_id()
        self.objects[obj.id] = obj
        self.changed_at[obj.id] = self.clock
        return obj

    def edit(self, obj: Obj, rank: int) -> None:
        self._touch(obj, rank)

    def set_status(self, obj: Obj, status: str, rank: int) -> None:
        obj.status = status
        self._touch(obj, rank)

    def move(self, obj: Obj, space_index: int, rank: int) -> None:
        """A page moves to another space (a new version); blog posts cannot move."""
        obj.space_id = sorted(self.spaces)[space_index % len(self.spaces)]
        self._touch(obj, rank)
        for child in self.live("footer", "inline", "attachment"):
            if child.container_id == obj.id:
                child.space_id = obj.space_id

    def toggle_task(self, container: Obj, task_index: int, rank: int) -> None:
        if not container.tasks:
            return
        local = sorted(container.tasks)[task_index % len(container.tasks)]
        container.tasks[local] = "complete" if container.tasks[local] == "incomplete" else "incomplete"
        self._touch(container, rank)

    def resolve(self, comment: Obj) -> None:
        """Resolving or reopening an inline comment creates no comment version."""
        comment.resolution = "resolved" if comment.resolution != "resolved" else "reopened"
        comment.resolution_at = self.clock
        self._touch(comment, comment.rank, new_version=False)

    def purge(self, obj: Obj) -> None:
        self.purged[obj.id] = self.objects.pop(obj.id)
        self.changed_at[obj.id] = self.clock
        if obj.kind in CONTAINERS:
            for child in [o for o in self.objects.values() if o.container_id == obj.id]:
                self.purge(child)
