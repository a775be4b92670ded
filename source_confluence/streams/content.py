"""`pages` and `blog_posts`: incremental per space on `updated_at` (see `walk` for the algorithm).

When `decisions` is selected and bodies are read, each walk hands the decisions of its bodies to the
sync's collector (sync/decision_bodies.py), with where it starts, saves and ends: `decisions` then
reads no body of its own (streams/decision_ride.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import BLOGPOST, PAGE
from source_confluence.records.body_pool import page_texts
from source_confluence.records.builders import BodyTexts, content_record, tombstone_record
from source_confluence.records.references import Built, Container, References
from source_confluence.streams.base import describe_space
from source_confluence.streams.decision_items import parsed_containers, read_with_names
from source_confluence.streams.walk import PartitionSlot, WalkSource
from source_confluence.streams.walk_partition import ModifiedWalkPartition
from source_confluence.sync.context import ReadContext
from source_confluence.sync.decision_bodies import DecisionBodies, WalkKey
from source_confluence.sync.state import PartitionedCursor, PartitionState


@dataclass(frozen=True)
class ContentKind:
    stream: str
    container_type: str
    with_parent: bool


PAGES = ContentKind(stream="pages", container_type=PAGE, with_parent=True)
BLOG_POSTS = ContentKind(stream="blog_posts", container_type=BLOGPOST, with_parent=False)


class ContentConverter:
    def __init__(self, kind: ContentKind, space_id: str, context: ReadContext) -> None:
        self._kind = kind
        self._space_id = space_id
        self._context = context
        self._names: Mapping[str, str] = {}
        self._texts: BodyTexts = {}
        self._riding = context.decision_bodies.enabled and context.config.include_bodies
        """`decisions` reads the bodies this walk reads (sync/decision_bodies.py)."""
        self._archived: list[Mapping[str, Any]] = []
        """Archived items a first walk left out, whose decisions `decisions` still reads."""

    def prepare(self, results: Sequence[Mapping[str, Any]]) -> None:
        users = self._context.users
        bodies = [((item.get("body") or {}).get("storage") or {}).get("value") for item in results]
        mentioned = users.mentioned_in(bodies)
        if mentioned:
            # One bulk lookup per page of results, so mentions read as names in body_text.
            users.resolve(mentioned)
        self._names = users.display_names()
        # The page's bodies in one task of the body pool (records/body_pool.py), decisions with them.
        self._texts, found = page_texts(results, self._names, with_decisions=self._riding)
        if self._riding:  # before the page's records go out
            key = (self._space_id, self._kind.container_type)
            self._context.decision_bodies.add(key, parsed_containers(results, self._kind.container_type,
                                                                     self._space_id, self._names, found))
            self.flush_decisions()

    def flush_decisions(self) -> None:
        """Hands the archived items left out so far to the decision collector (before a checkpoint)."""
        if self._archived:
            raws, self._archived = self._archived, []
            key = (self._space_id, self._kind.container_type)
            self._context.decision_bodies.add(key, read_with_names(self._context, raws, self._kind.container_type,
                                                                   self._space_id))

    def skipped(self, raw: Mapping[str, Any]) -> References:
        # Not synced (archived before the first sync), but comments and attachments on it still
        # need its space: knowing it here saves a container look-up per page of comments.
        if self._riding:
            self._archived.append(raw)  # `decisions` reads archived pages too
        return References(containers=(self._container(raw),))

    def _container(self, raw: Mapping[str, Any]) -> Container:
        parent = str(raw["parentId"]) if raw.get("parentId") else None
        space_id = str(raw.get("spaceId") or self._space_id)
        return Container(str(raw["id"]), self._kind.container_type, space_id, parent)

    def record(self, raw: Mapping[str, Any], base_url: str) -> Built:
        container = self._container(raw)
        shown = References(containers=(container,))  # even when left out: comments on it need its space
        if container.space_id != self._space_id:
            # Listed here by a search index that has not caught up with a move to another space:
            # that space's partition reads it (Data Center; Cloud's lists filter by space).
            return Built(None, shown)
        if not self._context.selection.allows_content(container.id, self._kind.container_type, self._space_id):
            return Built(None, shown)
        built = content_record(raw, base_url, self._names, with_parent=self._kind.with_parent, texts=self._texts)
        return Built(built.record, References(built.references.accounts, shown.containers))

    def tombstone(self, content_id: str, deleted_at: str) -> dict[str, Any]:
        return tombstone_record(content_id, deleted_at, space_id=self._space_id)


@dataclass(frozen=True)
class WatchedSlot:
    """The walk's state, whose every checkpoint the decision collector hears of first."""

    slot: PartitionSlot
    bodies: DecisionBodies
    key: WalkKey
    flush: Callable[[], None]

    def get(self) -> PartitionState | None:
        return self.slot.get()

    def checkpoint(self, state: PartitionState) -> None:
        self.flush()
        self.bodies.saving(self.key, state)
        self.slot.checkpoint(state)


class ContentWalkPartition(ModifiedWalkPartition):
    """A content walk that tells the decision collector where it starts and ends."""

    def __init__(self, source: WalkSource, converter: ContentConverter, context: ReadContext,
                 cursor: PartitionedCursor, use_state: bool) -> None:
        self._bodies = context.decision_bodies
        self._walk_key = (str(source.space_id), source.kind)
        super().__init__(source, converter, context, cursor, use_state,
                         WatchedSlot(PartitionSlot(cursor, source.key), self._bodies, self._walk_key,
                                     converter.flush_decisions))
        self._riding = self._bodies.enabled and context.config.include_bodies

    def read(self) -> Iterable[Record]:
        if not self._riding:
            yield from super().read()
            return
        self._bodies.walk_started(self._walk_key, self._slot.get() if self._use_state else None)
        yield from super().read()
        self._bodies.walk_ended(self._walk_key, self._slot.get())


def content_partitions(
    kind: ContentKind, context: ReadContext, cursor: PartitionedCursor, use_state: bool
) -> Iterator[Partition]:
    selection = context.selection
    if not selection.content_type_enabled(kind.stream):
        return
    context.emitted.walked(kind.stream)  # its changed content shows in `context.emitted`
    for space in context.directory.spaces():
        space_id = str(space["id"])
        if kind.container_type == PAGE and not selection.space_has_pages_to_read(space_id):
            continue
        source = WalkSource(stream=kind.stream, key={"space_id": space_id}, kind=kind.container_type,
                            space_id=space_id, describe=describe_space(space))
        yield ContentWalkPartition(source, ContentConverter(kind, space_id, context), context, cursor, use_state)
