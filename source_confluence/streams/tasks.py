"""`tasks`: incremental per space, at a cost that follows changed content, not site size.

`/tasks` has no updated-at filter, but a task lives in its page's body: completing, assigning or
editing a task changes the page. So after a first full listing per space, a sync walks the space's
pages and blog posts newest first without bodies (one request when nothing changed) down to the
cursor, then asks `/tasks` for the changed containers only, 250 container ids per request.
State per space keeps one cursor per container type in `extra`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.api.protocol import CONTAINER_TYPES
from source_confluence.http.transport import ConfluenceHttpError
from source_confluence.records.builders import body_texts, task_record
from source_confluence.records.references import Container, References
from source_confluence.streams.base import StreamPartition, describe_space
from source_confluence.streams.errors import translate_http_errors
from source_confluence.streams.frontier import Decision, Frontier, Seen, modified_at, version_key
from source_confluence.streams.walk import MAX_WALK_RESTARTS, advance, cap_of
from source_confluence.sync.context import ReadContext
from source_confluence.sync.directories import chunked
from source_confluence.sync.selection import CONTAINER_STREAM
from source_confluence.sync.state import PartitionedCursor, PartitionState, StateError, parse_versions
from source_confluence.timestamps import normalize_timestamp

LOGGER = logging.getLogger("airbyte")
STREAM = "tasks"


class TasksPartition(StreamPartition):
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
        self._pages_read = 0

    def read(self) -> Iterable[Record]:
        prior = self._prior()
        with translate_http_errors(STREAM, describe_space(self._space)):
            for _ in range(MAX_WALK_RESTARTS):
                self._pages_read = 0
                try:
                    if prior is not None and prior.complete and prior.container_cursors:
                        yield from self._changed_since(prior)
                    else:
                        yield from self._full(prior)
                    return
                except ConfluenceHttpError as error:
                    if error.status != 400 or self._pages_read == 0 and not (prior and prior.resume):
                        raise  # not an expired link: the request itself is wrong
                    # A page link expired: start again from the last checkpoint (an interrupted
                    # listing of the space's tasks starts over: repeats are fine, a gap is not).
                    LOGGER.warning(f"Stream '{STREAM}', {describe_space(self._space)}: a page link was rejected "
                                   "(expired); reading again from the last checkpoint.")
                    latest = self._cursor.get(self._key)
                    prior = latest if latest is not None and latest.complete and latest.container_cursors else None
            raise AirbyteTracedException(
                message=f"Confluence kept rejecting the page links of stream '{STREAM}' ({describe_space(self._space)}) "
                "as expired; the next sync continues from the last checkpoint.",
                failure_type=FailureType.transient_error)

    def _prior(self) -> PartitionState | None:
        prior = self._cursor.get(self._key) if self._use_state else None
        cursors = prior.container_cursors if prior is not None else None
        if cursors is not None and not all(map(_valid_mark, cursors.values())):
            self._cursor.discard(self._key, "its container cursors (`container_cursors`) cannot be decoded")
            return None
        return prior

    # -- first sync: every task of the space ----------------------------------------------------
    def _full(self, prior: PartitionState | None) -> Iterator[Record]:
        if prior is not None and prior.resume and prior.container_cursors:
            state, link = prior, prior.resume["next"]
        else:
            # Marks taken before listing: anything changed while we list is read again next time.
            marks = {t: self._newest_container_mark(t) for t in self._types}
            link = self._context.client.tasks_link(self._space_id, None, (), self._bodies())
            state = PartitionState(container_cursors=marks, resume={"order": "asc", "next": link})
        last_link: str | None = link
        for listed in self._context.client.task_list_from(link):
            self._pages_read += 1
            yield from self._records(listed.results)
            last_link = listed.next_link
            if listed.next_link:
                state = replace(state, resume={"order": "asc", "next": listed.next_link})
                self._cursor.checkpoint(self._key, state)
        if last_link is not None:
            return  # the listing stopped early (Data Center's search kept moving): continue next time
        self._cursor.checkpoint(self._key, replace(state, resume=None, complete=True,
                                                   updated_at=_newest(state.container_cursors)))

    def _newest_container_mark(self, container_type: str) -> dict[str, Any]:
        newest = self._context.client.newest_container(container_type, self._space_id)
        if newest is None:
            return {"updated_at": None}
        seen = Seen()
        seen.add(modified_at(newest), version_key(newest))
        frontier = Frontier(None, by_minute=self._context.client.filters_by_modified_time)
        return _mark(frontier.advanced(seen.by_time, seen.high, cap_of(self._context)))

    # -- later syncs: tasks of the containers changed since the marks -----------------------------
    def _changed_since(self, prior: PartitionState) -> Iterator[Record]:
        marks = dict(prior.container_cursors or {})
        for container_type in self._types:
            changed, new_mark = self._changed_containers(container_type, marks.get(container_type) or {})
            for chunk in chunked(changed):
                path = self._context.client.tasks_link(None, container_type, chunk, self._bodies())
                last_link: str | None = path
                for listed in self._context.client.task_list_from(path):
                    self._pages_read += 1
                    yield from self._records(listed.results)
                    last_link = listed.next_link
                if last_link is not None:
                    raise AirbyteTracedException(
                        message="Confluence's search results kept changing while the connector read the tasks of "
                        "changed pages; the next sync reads them again.",
                        failure_type=FailureType.transient_error)
            marks[container_type] = new_mark
            self._cursor.checkpoint(self._key, replace(prior, container_cursors=dict(marks), updated_at=_newest(marks)))

    def _changed_containers(self, container_type: str, mark: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
        """The containers changed since the mark (a walk like the content streams'), and the new mark."""
        client = self._context.client
        by_minute = client.filters_by_modified_time
        frontier = _frontier(mark, by_minute)
        descending = not by_minute
        cap = cap_of(self._context)
        seen = Seen()
        changed: dict[str, None] = {}
        first = client.walk_link(container_type, self._space_id, "desc" if descending else "asc",
                                 frontier.cursor, bodies=False)
        for listed in client.list_from(first):
            self._pages_read += 1
            reached = False
            shown: list[Container] = []
            for raw in listed.results:
                updated_at, key = modified_at(raw), version_key(raw)
                decision = frontier.decide(updated_at, key, descending)
                if decision is Decision.STOP:
                    reached = True
                    break
                if decision is Decision.SKIP:
                    continue
                raw_id = str(raw["id"])
                parent = str(raw["parentId"]) if raw.get("parentId") else None
                shown.append(Container(raw_id, container_type, self._space_id, parent))
                changed[raw_id] = None
                seen.add(updated_at, key)
            self._context.references.add([References(containers=tuple(shown))])
            done = reached or not listed.next_link
            frontier = advance(frontier, seen, listed, descending, done, cap, by_minute)
            if reached:
                break
        return list(changed), _mark(frontier)

    # -- shared ---------------------------------------------------------------------------------
    def _bodies(self) -> bool:
        return self._context.config.include_bodies

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
            kept.append(data)
            references.append(built.references)
        self._context.references.add(references)  # before the page's records
        for data in kept:
            yield Record(data=data, stream_name=STREAM)


def _frontier(mark: Mapping[str, Any], by_minute: bool) -> Frontier:
    """A container mark as a frontier; marks written before versions were kept hold `ids`/`window`."""
    versions = {at: list(keys) for at, keys in (mark.get("cursor_versions") or {}).items()}
    if mark.get("ids") and mark.get("updated_at"):
        versions.setdefault(mark["updated_at"], []).extend(str(i) for i in mark["ids"])
    for at, keys in (mark.get("window") or {}).items():
        versions.setdefault(at, []).extend(keys)
    return Frontier.of(mark.get("updated_at"), versions, by_minute)


def _mark(frontier: Frontier) -> dict[str, Any]:
    mark: dict[str, Any] = {"updated_at": frontier.cursor}
    if frontier.versions:
        mark["cursor_versions"] = frontier.versions_json()
    return mark


def _valid_mark(mark: Any) -> bool:
    if not isinstance(mark, Mapping):
        return False
    try:
        if mark.get("updated_at") is not None and normalize_timestamp(mark["updated_at"]) != mark["updated_at"]:
            return False
        if not isinstance(mark.get("ids") or [], list):
            return False
        parse_versions(mark.get("cursor_versions"), "cursor_versions")
        parse_versions(mark.get("window"), "window")
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
