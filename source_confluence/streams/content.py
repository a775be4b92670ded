"""`pages` and `blog_posts`: incremental per space on `updated_at` (see `walk` for the algorithm)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition

from source_confluence.api.protocol import BLOGPOST, PAGE
from source_confluence.records.builders import BodyTexts, body_texts, content_record, tombstone_record
from source_confluence.records.references import Built, Container, References
from source_confluence.streams.base import describe_space
from source_confluence.streams.walk import WalkSource
from source_confluence.streams.walk_partition import ModifiedWalkPartition
from source_confluence.sync.context import ReadContext
from source_confluence.sync.state import PartitionedCursor


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

    def prepare(self, results: Sequence[Mapping[str, Any]]) -> None:
        users = self._context.users
        bodies = [((item.get("body") or {}).get("storage") or {}).get("value") for item in results]
        mentioned = users.mentioned_in(bodies)
        if mentioned:
            # One bulk lookup per page of results, so mentions read as names in body_text.
            users.resolve(mentioned)
        self._names = users.display_names()
        self._texts = body_texts(results, self._names)  # the page's bodies in one parse

    def skipped(self, raw: Mapping[str, Any]) -> References:
        # Not synced (archived before the first sync), but comments and attachments on it still
        # need its space: knowing it here saves a container look-up per page of comments.
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
        yield ModifiedWalkPartition(source, ContentConverter(kind, space_id, context), context, cursor, use_state)
