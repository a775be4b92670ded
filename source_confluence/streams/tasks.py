"""`tasks`: incremental per space, at a cost that follows changed content, not site size.

`/tasks` has no updated-at filter, but a task lives in its page's body: completing, assigning or
editing a task changes the page. So after a first full listing per space, a sync walks the space's
pages and blog posts newest first without bodies (one request when nothing changed) down to the
cursor, asking `/tasks` for the tasks of each page's changed containers. That is the content
streams' walk (`walk.Walk`) with its own harvest (the tasks of the containers a page takes) and its
state kept per container type in the space's `container_cursors` (`ContainerCursorSlot`). The first
listing checkpoints its position page by page and restarts like a walk (`walk.restarting`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.api.protocol import ListPage
from source_confluence.records.builders import body_texts, task_record
from source_confluence.records.references import Container, References
from source_confluence.streams.base import describe_space
from source_confluence.streams.container_items import (
    CHECKED_FIELD,
    LEDGER_FIELD,
    GoneContainers,
    SpaceContainersPartition,
    TaskLedger,
    emitted,
    load_ledger,
    superseded,
)
from source_confluence.streams.errors import translate_http_errors
from source_confluence.streams.frontier import Frontier, Seen, modified_at, version_key
from source_confluence.streams.walk import Harvest, PartitionSlot, Walk, WalkSource, cap_of, restarting
from source_confluence.sync.context import ReadContext
from source_confluence.sync.directories import chunked
from source_confluence.sync.ledger import ItemLedger
from source_confluence.sync.state import (
    PartitionedCursor,
    PartitionState,
    StateError,
    parse_resume,
    parse_versions,
)
from source_confluence.timestamps import normalize_timestamp

STREAM = "tasks"


class TasksPartition(SpaceContainersPartition):
    def __init__(self, space: Mapping[str, Any], context: ReadContext, cursor: PartitionedCursor,
                 use_state: bool) -> None:
        super().__init__(STREAM, space, context, cursor, use_state)

    def read(self) -> Iterable[Record]:
        prior = self._prior()
        describe = describe_space(self._space)
        # The tasks emitted per container: a task gone from its container's body gets a tombstone.
        self._ledgers = {t: load_ledger(self._cursor, self._key, t, STREAM, describe, prior is not None)
                         for t in self._types} if self._context.client.tasks_from_bodies else {}
        with translate_http_errors(STREAM, describe):
            if prior is None or not prior.complete or not prior.container_cursors:
                yield from restarting(STREAM, describe, PartitionSlot(self._cursor, self._key), prior, self._full)
                return
            for container_type in self._types:
                source = WalkSource(stream=STREAM, key=self._key, kind=container_type, space_id=self._space_id,
                                    describe=describe, deletion_check=False, bodies=False, from_start_date=False)
                ledger = self._ledgers.get(container_type)
                slot = ContainerCursorSlot(self._cursor, self._key, container_type, ledger)
                removals = None
                if ledger is not None:
                    gone = GoneContainers(self._context, STREAM, container_type, self._space_id, describe, ledger)
                    removals = TaskLedger(self._context, self._space_id, container_type, ledger, gone)
                harvest = ChangedContainerTasks(self._context, self._space_id, container_type, self._container_tasks,
                                                removals)
                yield from Walk(source, harvest, self._context, slot).read(slot.get())

    def _prior(self) -> PartitionState | None:
        prior = self._cursor.get(self._key) if self._use_state else None
        cursors = prior.container_cursors if prior is not None else None
        if cursors is not None and not all(map(_valid_mark, cursors.values())):
            self._cursor.discard(self._key, "its container cursors (`container_cursors`) cannot be decoded")
            return None
        return prior

    # -- first sync: every task of the space ----------------------------------------------------
    def _full(self, prior: PartitionState | None) -> Iterator[Record]:
        """Every task of the space. An interrupted listing continues from its position; one whose
        position expired starts over (repeats are fine, a gap is not)."""
        client = self._context.client
        if prior is not None and prior.resume and prior.container_cursors:
            state, lists = prior, client.space_tasks(self._space_id, self._bodies(), prior.resume)
        else:
            # Marks taken before listing: anything changed while we list is read again next time.
            marks = {t: self._newest_container_mark(t) for t in self._types}
            state, lists = PartitionState(container_cursors=marks), client.space_tasks(self._space_id, self._bodies())
            self._ledgers = {t: ItemLedger() for t in self._ledgers}
        ended = False
        for listed in lists:
            for record in self._records(listed.results):
                ledger = self._ledgers.get(record.data["container_type"])
                if ledger is not None:
                    ledger.add(record.data["container_id"], record.data["id"])
                yield record
            ended = listed.resume is None
            if listed.resume is not None:
                state = replace(state, resume={"order": "asc", **listed.resume})
                self._cursor.checkpoint(self._key, self._with_ledgers(state))
        if not ended:
            return  # the listing stopped early (Data Center's search kept moving): continue next time
        self._cursor.checkpoint(self._key, self._with_ledgers(replace(
            state, resume=None, complete=True, updated_at=_newest(state.container_cursors))))

    def _with_ledgers(self, state: PartitionState) -> PartitionState:
        marks = {t: dict(mark) for t, mark in (state.container_cursors or {}).items()}
        for container_type, ledger in self._ledgers.items():
            if container_type in marks:
                _keep_ledger(marks[container_type], ledger, self._context.now)
        return replace(state, container_cursors=marks)

    def _newest_container_mark(self, container_type: str) -> dict[str, Any]:
        newest = self._context.client.newest_container(container_type, self._space_id)
        if newest is None:
            return {"updated_at": None}
        seen = Seen()
        seen.add(modified_at(newest), version_key(newest))
        frontier = Frontier(None, by_minute=self._context.client.filters_by_modified_time)
        return _mark(frontier.advanced(seen.by_time, seen.high, cap_of(self._context)))

    # -- shared ---------------------------------------------------------------------------------
    def _bodies(self) -> bool:
        return self._context.config.include_bodies

    def _container_tasks(self, container_type: str, container_ids: list[str], read: set[str]) -> Iterator[Record]:
        """The tasks of these containers, 250 container ids per request; `read` hears of the
        containers whose whole bodies were read (Data Center)."""
        for chunk in chunked(container_ids):
            ended = False
            for listed in self._context.client.container_tasks(container_type, chunk, self._bodies()):
                read.update(listed.containers or ())
                yield from self._records(listed.results)
                ended = listed.resume is None
            if not ended:
                raise AirbyteTracedException(
                    message="Confluence's search results kept changing while the connector read the tasks of "
                    "changed pages; the next sync reads them again.",
                    failure_type=FailureType.transient_error)

    def _records(self, results: Sequence[Mapping[str, Any]]) -> Iterator[Record]:
        start_date = self._context.config.start_date
        selection = self._context.selection
        texts = body_texts(results)  # the page's task bodies in one parse
        kept: list[dict[str, Any]] = []
        references: list[References] = []
        for raw in results:
            built = task_record(raw, texts)
            data = built.record
            if data is None or not selection.allows_container(data["container_id"], data["container_type"],
                                                              data["space_id"]):
                continue
            if start_date and data["updated_at"] and data["updated_at"] < start_date:
                continue
            if superseded(self._context, STREAM, data["id"], data["updated_at"]):
                continue
            kept.append(data)
            references.append(built.references)
        self._context.references.add(references)  # before the page's records
        for data in kept:
            # A body read after its walk may carry a later version: a tombstone must not precede it.
            emitted(self._context, STREAM, data["id"], data["updated_at"])
            yield Record(data=data, stream_name=STREAM)


class ChangedContainerTasks(Harvest):
    """What a walk over a space's pages (or blog posts) yields: the tasks of those it takes."""

    lists = True

    def __init__(self, context: ReadContext, space_id: str, container_type: str,
                 tasks_of: Callable[[str, list[str], set[str]], Iterator[Record]], ledger: TaskLedger | None) -> None:
        self._references = context.references
        self._space_id = space_id
        self._type = container_type
        self._tasks_of = tasks_of
        self._ledger = ledger

    def records(self, taken: Sequence[Mapping[str, Any]], listed: ListPage) -> Iterator[Record]:
        changed: dict[str, None] = {}
        shown: list[Container] = []
        for raw in taken:
            raw_id = str(raw["id"])
            parent = str(raw["parentId"]) if raw.get("parentId") else None
            shown.append(Container(raw_id, self._type, self._space_id, parent))
            changed[raw_id] = None
        self._references.add([References(containers=tuple(shown))])
        read: set[str] = set()
        current: dict[str, dict[str, str | None]] = {}
        for record in self._tasks_of(self._type, list(changed), read):
            current.setdefault(record.data["container_id"], {})[record.data["id"]] = None
            yield record
        if self._ledger is not None:
            # Only containers read whole: one the search did not return is not proof of anything.
            whole = {container_id: current.get(container_id, {}) for container_id in changed if container_id in read}
            yield from self._ledger.read_again(whole, max(filter(None, map(modified_at, taken)), default=None))

    def finish(self, state: PartitionState, newest: str | None) -> Iterator[Record | PartitionState]:
        return self._ledger.check(state, newest) if self._ledger is not None else iter(())


class ContainerCursorSlot:
    """One container type's cursor in the space's state (`container_cursors`), as a walk's state,
    with the ledger of the items emitted per container (`items`) when one is given."""

    def __init__(self, cursor: PartitionedCursor, key: Mapping[str, str], container_type: str,
                 ledger: ItemLedger | None = None) -> None:
        self._cursor = cursor
        self._key = key
        self._type = container_type
        self._ledger = ledger

    def get(self) -> PartitionState:
        space = self._cursor.get(self._key)
        mark = ((space.container_cursors if space is not None else None) or {}).get(self._type) or {}
        versions = {at: list(keys) for at, keys in (mark.get("cursor_versions") or {}).items()}
        # Marks written before versions were kept hold `ids` (at the cursor) and `window`.
        if mark.get("ids") and mark.get("updated_at"):
            versions.setdefault(mark["updated_at"], []).extend(str(i) for i in mark["ids"])
        for at, keys in (mark.get("window") or {}).items():
            versions.setdefault(at, []).extend(keys)
        return PartitionState(updated_at=mark.get("updated_at"), complete=True, resume=parse_resume(mark.get("resume")),
                              cursor_versions={at: tuple(keys) for at, keys in versions.items()} or None,
                              reconciled_at=mark.get(CHECKED_FIELD))

    def checkpoint(self, state: PartitionState) -> None:
        space = self._cursor.get(self._key) or PartitionState()
        marks = dict(space.container_cursors or {})
        mark: dict[str, Any] = {"updated_at": state.updated_at}
        if state.cursor_versions:
            mark["cursor_versions"] = {at: list(keys) for at, keys in state.cursor_versions.items()}
        if state.resume:
            mark["resume"] = dict(state.resume)
        if self._ledger is not None:
            _keep_ledger(mark, self._ledger, state.reconciled_at)
        marks[self._type] = mark
        self._cursor.checkpoint(self._key, replace(space, container_cursors=marks, updated_at=_newest(marks)))


def _mark(frontier: Frontier) -> dict[str, Any]:
    mark: dict[str, Any] = {"updated_at": frontier.cursor}
    if frontier.versions:
        mark["cursor_versions"] = frontier.versions_json()
    return mark


def _keep_ledger(mark: dict[str, Any], ledger: ItemLedger, checked_at: str | None) -> None:
    items = ledger.encode()
    if items is not None:
        mark[LEDGER_FIELD] = items
    if checked_at is not None:
        mark[CHECKED_FIELD] = checked_at


def _valid_mark(mark: Any) -> bool:
    if not isinstance(mark, Mapping):
        return False
    try:
        for name in ("updated_at", CHECKED_FIELD):
            if mark.get(name) is not None and normalize_timestamp(mark[name]) != mark[name]:
                return False
        if not isinstance(mark.get("ids") or [], list):
            return False
        parse_versions(mark.get("cursor_versions"), "cursor_versions")
        parse_versions(mark.get("window"), "window")
        parse_resume(mark.get("resume"))
    except StateError:
        return False
    return True


def _newest(marks: Mapping[str, Any] | None) -> str | None:
    """The newest container change seen, shown as the partition's cursor (the marks decide)."""
    times = [mark.get("updated_at") for mark in (marks or {}).values() if mark.get("updated_at")]
    return max(times) if times else None


def task_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    if not context.selection.content_type_enabled(STREAM):
        return
    for space in context.directory.spaces():
        yield TasksPartition(space, context, cursor, use_state)
