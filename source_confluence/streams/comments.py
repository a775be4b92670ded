"""`comments`: footer and inline comments, incremental on `updated_at`.

Read from the site-wide `/footer-comments` and `/inline-comments` lists sorted by modification time
(one partition each; on Data Center one CQL list of all comments, each saying its kind), never one
request per page. Comments name their page or blog post but not the space: unknown containers are
resolved in bulk, 250 per request (see ContainerDirectory), and the selection is applied through the
container.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition

from source_confluence.api.cloud.comment_creations import CommentCreations, FirstVersionSource
from source_confluence.api.cloud.id_search import SEARCH_BATCH
from source_confluence.api.protocol import ALL_COMMENTS, CONTAINER_TYPES, FOOTER_COMMENT, INLINE_COMMENT
from source_confluence.http.transport import ConfluenceHttpError
from source_confluence.records.body_pool import page_texts
from source_confluence.records.builders import BodyTexts, comment_record, container_of, tombstone_record
from source_confluence.records.references import Built
from source_confluence.streams.errors import read_fully
from source_confluence.streams.walk import WalkSource
from source_confluence.streams.walk_partition import ModifiedWalkPartition
from source_confluence.sync.context import ReadContext
from source_confluence.sync.state import PartitionedCursor
from source_confluence.timestamps import normalize_timestamp

LOGGER = logging.getLogger("airbyte")
STREAM = "comments"
COMMENT_TYPES = {FOOTER_COMMENT: "footer", INLINE_COMMENT: "inline", ALL_COMMENTS: "all"}
COMMENT_KINDS = {"footer": FOOTER_COMMENT, "inline": INLINE_COMMENT}


class CommentConverter:
    def __init__(self, comment_type: str | None, context: ReadContext) -> None:
        """`comment_type` footer or inline; None when the list mixes them and each says its kind."""
        self._type = comment_type
        self._context = context
        self._names: Mapping[str, str] = {}
        self._texts: BodyTexts = {}
        self._first_versions: dict[str, Mapping[str, Any]] = {}
        self._creations: CommentCreations | None = None

    def prepare(self, results: Sequence[Mapping[str, Any]]) -> None:
        self._context.containers.resolve(container_of(raw) for raw in results)
        self._first_versions = self._first_versions_of(results)
        users = self._context.users
        mentioned = users.mentioned_in(((raw.get("body") or {}).get("storage") or {}).get("value") for raw in results)
        if mentioned:
            users.resolve(mentioned)
        self._names = users.display_names()
        self._texts, _ = page_texts(results, self._names)  # the page's bodies in one task of the body pool

    def record(self, raw: Mapping[str, Any], base_url: str) -> Built:
        container_id, container_type = container_of(raw)
        if not self._context.selection.allows_container(container_id, container_type):
            return Built(None)
        container = self._context.containers.get(container_id or "")
        comment_type = self._type or str(raw.get("_comment_type") or "footer")
        return comment_record(raw, comment_type, base_url, container.space_id if container else None, self._names,
                              texts=self._texts, first_version=self._first_versions.get(str(raw.get("id"))))

    def _first_versions_of(self, results: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
        """Version 1 of every comment edited since it was written (v2 comments carry no creation
        time; the first version's is it), Cloud only: a page's edited comments in one search
        (`api.cloud.comment_creations`), each one the search misses read alone."""
        client = self._context.client
        kind = COMMENT_KINDS.get(self._type or "")
        if kind is None or not isinstance(client, FirstVersionSource):
            return {}
        edited = []
        selection = self._context.selection
        for raw in results:
            version = raw.get("version")
            number = version.get("number") if isinstance(version, Mapping) else None
            # A comment the selection drops (its container was resolved by `prepare`) costs nothing.
            if (not raw.get("createdAt") and isinstance(number, int) and number > 1
                    and selection.allows_container(*container_of(raw))):
                edited.append(str(raw.get("id")))
        if not edited:
            return {}
        if self._creations is None:
            self._creations = CommentCreations(client, min(self._context.config.page_size, SEARCH_BATCH))
        return self._creations.first_versions(kind, edited)

    def tombstone(self, content_id: str, deleted_at: str) -> dict[str, Any]:
        return tombstone_record(content_id, deleted_at, comment_type=self._type)

    def refresh(self, listed: Mapping[str, Mapping[str, Any]], since: str | None,
                emitted: set[str]) -> Iterator[Built]:
        """Inline comments resolved or reopened since the last scan (`since`; None: whenever):
        resolving creates no comment version, so the modification walk cannot see it. One request
        per affected container."""
        if self._type not in ("inline", None):
            return
        changed: dict[tuple[str, str], set[str]] = {}
        for comment_id, raw in listed.items():
            at = normalize_timestamp(raw.get("resolutionLastModifiedAt"))
            if at and (since is None or at >= since) and comment_id not in emitted:
                container_id, container_type = container_of(raw)
                if container_id and container_type in CONTAINER_TYPES:
                    changed.setdefault((container_type, container_id), set()).add(comment_id)
        client = self._context.client
        for (container_type, container_id), ids in sorted(changed.items()):
            try:
                found = [raw for raw in read_fully(
                    partial(client.inline_comments_of, container_type, container_id,
                            self._context.config.include_bodies),
                    STREAM, f"the inline comments of {container_type} {container_id}") if str(raw.get("id")) in ids]
            except ConfluenceHttpError as error:
                if error.status != 404:
                    raise
                # Purged after the id scan listed its comments: the next deletion check reports them
                # as deleted; the other containers are still read.
                LOGGER.warning(f"Stream '{STREAM}': {container_type} {container_id} was deleted while its inline "
                               "comments were being read; skipped.")
                continue
            self.prepare(found)
            for raw in found:
                built = self.record(raw, client.default_base)
                if built.record is not None:
                    yield built


def comment_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    selection = context.selection
    if not selection.content_type_enabled(STREAM):
        return
    for kind in context.client.comment_kinds:
        comment_type = COMMENT_TYPES[kind]
        source = WalkSource(stream=STREAM, key={"comment_type": comment_type}, kind=kind, space_id=None,
                            describe=f"{comment_type} comments")
        converter = CommentConverter(None if kind == ALL_COMMENTS else comment_type, context)
        twin = partial(CommentConverter, None if kind == ALL_COMMENTS else comment_type, context)
        yield ModifiedWalkPartition(source, converter, context, cursor, use_state, twin=twin)
