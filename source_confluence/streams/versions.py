"""`content_versions`: one record per version of each page, blog post, comment and attachment,
incremental on `created_at`, at a cost that follows changed content, never site size.

How the stream learns what changed: it walks the same modification-time lists as the content
streams (`walk.Walk`), without bodies and with state of its own (one partition per space and
container type, per comment list, and one for attachments), whether or not those streams are
selected. A no-change sync costs one list request per partition and no version request. Each item
a walk takes changed since the partition's cursor, so only its versions made since then are new:
they are read newest first and the read stops at the first page that reaches an older version
(`VersionBound`). A first walk reads whole histories: of content changed on or after `start_date`
(`version_history: since_start_date`, the default), or of all content (`all`); `none` reads nothing.

A killed sync loses no version: the walk checkpoints after each page of items only once their
versions were emitted, so the items of an unfinished page are taken again next time. The bound a
walk started from is kept with its position (`resume.versions_since`), so a walk resumed from a
cursor that moved page by page (oldest first) still reads every version since the walk's start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import ALL_COMMENTS, ATTACHMENT, BLOGPOST, CONTAINER_TYPES, PAGE, ListPage, VersionLists
from source_confluence.http.transport import ConfluenceHttpError
from source_confluence.records.builders import container_of
from source_confluence.records.versions import version_record
from source_confluence.streams.base import StreamPartition, describe_space
from source_confluence.streams.errors import translate_http_errors
from source_confluence.streams.walk import Harvest, PartitionSlot, Walk, WalkSource, walk_frontier
from source_confluence.sync.context import ReadContext
from source_confluence.sync.selection import CONTAINER_STREAM
from source_confluence.sync.state import PartitionedCursor, PartitionState
from source_confluence.timestamps import normalize_timestamp

LOGGER = logging.getLogger("airbyte")
STREAM = "content_versions"
CONTENT_TYPES = {PAGE: "page", BLOGPOST: "blogpost", ATTACHMENT: "attachment"}
"""Walk kind -> the record's content_type (every comment kind is a "comment")."""
SINCE = "versions_since"
"""Kept in a walk's position: the bound of the versions the walk reads (absent: whole histories)."""


@dataclass(frozen=True)
class VersionBound:
    """Which versions of a changed item are new: those made at or after `since` (None: all)."""

    since: str | None

    def wanted(self, version: Mapping[str, Any]) -> bool:
        created = normalize_timestamp(version.get("createdAt"))
        return self.since is None or created is None or created >= self.since

    def reached(self, page: Sequence[Mapping[str, Any]], newest_first: bool) -> bool:
        """True when no later page can hold a wanted version: the page is newest first (asked for, or
        seen in its numbers: an order the contract does not state is checked, never assumed) and its
        last version is older than the bound."""
        if self.since is None or not page:
            return False
        numbers = [n for n in (v.get("number") for v in page) if isinstance(n, int)]
        descending = newest_first or len(numbers) == len(page) and numbers == sorted(numbers, reverse=True)
        return descending and not self.wanted(page[-1])


def versions_bound(prior: PartitionState | None, by_minute: bool) -> VersionBound:
    """The bound of a walk from `prior`: none on a first walk (whole histories); the one a resumed walk
    started from; else the cursor's floor (everything changed before it was read)."""
    if prior is None or not prior.complete:
        return VersionBound(None)
    if prior.resume and SINCE in prior.resume:
        return VersionBound(normalize_timestamp(prior.resume.get(SINCE)))
    return VersionBound(walk_frontier(prior, by_minute).floor)


class ChangedContentVersions(Harvest):
    """The versions of the items a walk takes, emitted before the walk's checkpoint covers them."""

    def __init__(self, source: WalkSource, context: ReadContext, bound: VersionBound) -> None:
        self._source = source
        self._context = context
        self._bound = bound
        client = context.client
        if not isinstance(client, VersionLists):
            raise TypeError("the client reads no version histories")
        self._client = client

    def records(self, taken: Sequence[Mapping[str, Any]], listed: ListPage) -> Iterator[Record]:
        kind = self._source.kind
        if kind not in CONTAINER_TYPES:
            self._context.containers.resolve(container_of(raw) for raw in taken)
        for raw in taken:
            placed = self._placed(raw)
            if placed is not None:
                yield from self._versions(str(raw["id"]), *placed)

    def _placed(self, raw: Mapping[str, Any]) -> tuple[str | None, tuple[str | None, str | None]] | None:
        """The item's space and container when the selection keeps it, else None."""
        selection, kind = self._context.selection, self._source.kind
        if kind in CONTAINER_TYPES:
            space_id = str(raw.get("spaceId") or self._source.space_id)
            # Listed in a space it has left (a lagging index): the other space's partition reads it.
            if space_id != self._source.space_id or not selection.allows_content(str(raw["id"]), kind, space_id):
                return None
            return space_id, (None, None)
        container_id, container_type = container_of(raw)
        if not selection.allows_container(container_id, container_type):
            return None
        container = self._context.containers.get(container_id or "")
        return (container.space_id if container else None), (container_id, container_type)

    def _versions(self, content_id: str, space_id: str | None,
                  container: tuple[str | None, str | None]) -> Iterator[Record]:
        content_type = CONTENT_TYPES.get(self._source.kind, "comment")
        try:
            for listed in self._client.versions(self._source.kind, content_id):
                built = [version_record(v, content_id, content_type, space_id, container)
                         for v in listed.results if self._bound.wanted(v)]
                kept = [item for item in built if item is not None]
                self._context.references.add(item.references for item in kept)  # before the records
                for item in kept:
                    yield Record(data=item.record or {}, stream_name=STREAM)
                if self._bound.reached(listed.results, self._client.versions_newest_first):
                    return
        except ConfluenceHttpError as error:
            if error.status != 404:
                raise
            # Deleted since it was listed: its own stream's deletion check reports it.
            LOGGER.info(f"Stream '{STREAM}': {content_type} {content_id} was deleted before its versions were read.")

    def progress(self, state: PartitionState, first_read: bool) -> PartitionState:
        if state.resume is None or self._bound.since is None:
            return state
        return replace(state, resume={**state.resume, SINCE: self._bound.since})


class VersionsPartition(StreamPartition):
    def __init__(self, source: WalkSource, context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> None:
        super().__init__(STREAM, source.key)
        self._source = source
        self._context = context
        self._slot = PartitionSlot(cursor, source.key)
        self._use_state = use_state

    def read(self) -> Iterable[Record]:
        prior = self._slot.get() if self._use_state else None
        bound = versions_bound(prior, self._context.client.filters_by_modified_time)
        harvest = ChangedContentVersions(self._source, self._context, bound)
        with translate_http_errors(STREAM, self._source.describe):
            yield from Walk(self._source, harvest, self._context, self._slot).read(prior)


def _source(key: Mapping[str, str], kind: str, space_id: str | None, describe: str, from_start_date: bool) -> WalkSource:
    return WalkSource(stream=STREAM, key=key, kind=kind, space_id=space_id, describe=describe,
                      deletion_check=False, bodies=False, from_start_date=from_start_date)


def version_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    mode = context.config.version_history
    if mode == "none":
        LOGGER.info(f"Stream '{STREAM}' reads nothing: the config's version_history is none.")
        return
    selection, from_start_date = context.selection, mode == "since_start_date"
    for space in context.directory.spaces():
        space_id = str(space["id"])
        for kind in CONTAINER_TYPES:
            if not selection.content_type_enabled(CONTAINER_STREAM[kind]):
                continue
            if kind == PAGE and not selection.space_has_pages_to_read(space_id):
                continue
            key = {"space_id": space_id, "content_type": CONTENT_TYPES[kind]}
            yield VersionsPartition(_source(key, kind, space_id, f"{describe_space(space)}, {kind}s", from_start_date),
                                    context, cursor, use_state)
    if selection.content_type_enabled("comments"):
        for kind in context.client.comment_kinds:
            name = "comment" if kind == ALL_COMMENTS else kind
            yield VersionsPartition(_source({"content_type": name}, kind, None, f"{name}s", from_start_date),
                                    context, cursor, use_state)
    if selection.content_type_enabled("attachments"):
        yield VersionsPartition(_source({"content_type": "attachment"}, ATTACHMENT, None, "attachments",
                                        from_start_date), context, cursor, use_state)
