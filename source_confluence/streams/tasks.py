"""`tasks`: incremental per space, at a cost that follows changed content, not site size.

`/tasks` has no updated-at filter, but a task lives in its page's body: completing, assigning or
editing a task changes the page. So after a first full listing per space, a sync walks the space's
pages and blog posts newest first without bodies (one request when nothing changed) down to the
cursor, then asks `/tasks` for the changed containers only, 250 container ids per request.
State per space keeps one cursor per container type in `extra`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api import CONTAINER_TYPES
from source_confluence.directories import Container, chunked
from source_confluence.records import body_texts, task_record
from source_confluence.selection import CONTAINER_STREAM
from source_confluence.state import PartitionedCursor, PartitionState, parse_window
from source_confluence.streams.base import ReadContext, describe_space
from source_confluence.streams.walk import Bound, HighMark, modified_at, translate_http_errors
from source_confluence.transport import ConfluenceHttpError

LOGGER = logging.getLogger("airbyte")
STREAM = "tasks"


class TasksPartition(Partition):
    def __init__(self, space: Mapping[str, Any], context: ReadContext, cursor: PartitionedCursor,
                 use_state: bool) -> None:
        self._space = space
        self._space_id = str(space["id"])
        self._context = context
        self._cursor = cursor
        self._use_state = use_state
        self._key = {"space_id": self._space_id}
        selection = context.selection
        self._types = [t for t in CONTAINER_TYPES if selection.content_type_enabled(CONTAINER_STREAM[t])]

    def to_slice(self) -> Mapping[str, Any] | None:
        return self._key

    def stream_name(self) -> str:
        return STREAM

    def __hash__(self) -> int:
        return hash((STREAM, self._space_id))

    def read(self) -> Iterable[Record]:
        prior = self._cursor.get(self._key) if self._use_state else None
        with translate_http_errors(STREAM, describe_space(self._space)):
            if prior is not None and prior.complete and prior.extra:
                yield from self._changed_since(prior)
            else:
                try:
                    yield from self._full(prior)
                except ConfluenceHttpError as error:
                    latest = self._cursor.get(self._key)
                    if error.status != 400 or latest is None or not latest.resume:
                        raise
                    # A saved or mid-listing page link expired: list the space's tasks again from the
                    # start (repeats are fine, a gap is not); otherwise every later sync would fail too.
                    LOGGER.warning(f"Stream '{STREAM}', {describe_space(self._space)}: a page link was rejected "
                                   "(expired); listing the space's tasks again from the start.")
                    yield from self._full(None)

    # -- first sync: every task of the space ----------------------------------------------------
    def _full(self, prior: PartitionState | None) -> Iterator[Record]:
        if prior is not None and prior.resume and prior.extra:
            state, link = prior, prior.resume["next"]
        else:
            # Marks taken before listing: anything changed while we list is read again next time.
            marks = {t: self._newest_container_mark(t) for t in self._types}
            link = self._context.client.tasks_link(self._space_id, None, (), self._bodies())
            state = PartitionState(extra=marks, resume={"order": "asc", "next": link})
        for page in self._context.client.task_pages_from(link):
            yield from self._records(page.results)
            if page.next_link:
                state = replace(state, resume={"order": "asc", "next": page.next_link})
                self._cursor.checkpoint(self._key, state)
        self._cursor.checkpoint(self._key, replace(state, resume=None, complete=True,
                                                   updated_at=_newest(state.extra)))

    def _newest_container_mark(self, container_type: str) -> dict[str, Any]:
        newest = self._context.client.newest_container(container_type, self._space_id)
        if newest is None:
            return {"updated_at": None, "ids": []}
        return {"updated_at": modified_at(newest), "ids": [str(newest["id"])]}

    # -- later syncs: tasks of the containers changed since the marks -----------------------------
    def _changed_since(self, prior: PartitionState) -> Iterator[Record]:
        marks = dict(prior.extra or {})
        for container_type in self._types:
            mark = marks.get(container_type) or {"updated_at": None, "ids": []}
            changed, new_mark = self._changed_containers(container_type, mark)
            for chunk in chunked(changed):
                path = self._context.client.tasks_link(None, container_type, chunk, self._bodies())
                for page in self._context.client.task_pages_from(path):
                    yield from self._records(page.results)
            marks[container_type] = new_mark
            self._cursor.checkpoint(self._key, replace(prior, extra=dict(marks), updated_at=_newest(marks)))

    def _changed_containers(self, container_type: str, mark: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
        client = self._context.client
        by_minute = client.filters_by_modified_time
        lower, lower_ids = mark.get("updated_at"), list(mark.get("ids") or [])
        window = parse_window(mark.get("window")) if by_minute else None
        bound = Bound(lower, lower_ids, window, by_minute)
        high = HighMark(lower, lower_ids, window, by_minute)
        changed: dict[str, None] = {}
        order = "asc" if by_minute else "desc"
        first = client.walk_link(container_type, self._space_id, order, lower, bodies=False)
        for page in client.pages_from(first):
            reached = False
            for raw in page.results:
                updated_at, raw_id = modified_at(raw), str(raw["id"])
                if bound.covers(updated_at, raw_id):
                    if order == "asc":
                        continue
                    reached = True
                    break
                parent = str(raw["parentId"]) if raw.get("parentId") else None
                self._context.containers.remember(Container(raw_id, container_type, self._space_id, parent))
                changed[raw_id] = None
                high.see(updated_at, raw_id)
            if reached:
                break
        new_mark: dict[str, Any] = {"updated_at": high.high, "ids": high.high_ids}
        if high.window:
            new_mark["window"] = {at: list(ids) for at, ids in high.window.items()}
        return list(changed), new_mark

    # -- shared ---------------------------------------------------------------------------------
    def _bodies(self) -> bool:
        return self._context.config.include_bodies

    def _records(self, results: list[Mapping[str, Any]]) -> Iterator[Record]:
        start_date = self._context.config.start_date
        selection = self._context.selection
        texts = body_texts(results)  # the page's task bodies in one parse
        for raw in results:
            data = task_record(raw, texts)
            if not selection.allows_container(data["container_id"], data["container_type"], data["space_id"]):
                continue
            if start_date and data["updated_at"] and data["updated_at"] < start_date:
                continue
            self._context.users.reference(data["created_by"], data["assigned_to"], data["completed_by"])
            yield Record(data=data, stream_name=STREAM)


def _newest(marks: Mapping[str, Any] | None) -> str | None:
    """The newest container change seen, shown as the partition's cursor (the marks decide)."""
    times = [mark.get("updated_at") for mark in (marks or {}).values() if mark.get("updated_at")]
    return max(times) if times else None


def task_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    if not context.selection.content_type_enabled(STREAM):
        return
    for space in context.directory.spaces():
        yield TasksPartition(space, context, cursor, use_state)
