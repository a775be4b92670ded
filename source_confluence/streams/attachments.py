"""`attachments`: metadata, and with `attachment_text` the text inside the files
(streams/attachment_text.py), incremental on `updated_at`.

One site-wide partition over `/attachments` sorted by modification time; the container's space comes
from the bulk container lookup shared with comments.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import ATTACHMENT
from source_confluence.records.builders import attachment_record, container_of, tombstone_record
from source_confluence.records.references import Built
from source_confluence.streams.attachment_text import AttachmentTexts
from source_confluence.streams.walk import WalkSource
from source_confluence.streams.walk_partition import ModifiedWalkPartition
from source_confluence.sync.context import ReadContext
from source_confluence.sync.state import PartitionedCursor

STREAM = "attachments"


class AttachmentConverter:
    def __init__(self, context: ReadContext, texts: AttachmentTexts | None = None) -> None:
        self._context = context
        self._texts = texts

    def prepare(self, results: Sequence[Mapping[str, Any]]) -> None:
        self._context.containers.resolve(container_of(raw) for raw in results)

    def record(self, raw: Mapping[str, Any], base_url: str) -> Built:
        container_id, container_type = container_of(raw)
        if not self._context.selection.allows_container(container_id, container_type):
            return Built(None)
        container = self._context.containers.get(container_id or "")
        built = attachment_record(raw, base_url, container.space_id if container else None)
        if built.record is not None and self._texts is not None:
            built.record.update(self._texts.fields(built.record, raw))
        return built

    def tombstone(self, content_id: str, deleted_at: str) -> dict[str, Any]:
        return tombstone_record(content_id, deleted_at)


def attachment_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    if not context.selection.content_type_enabled(STREAM):
        return
    source = WalkSource(stream=STREAM, key={"scope": "site"}, kind=ATTACHMENT, space_id=None, describe="attachments")
    options = context.config.attachment_text
    if options is None:
        yield ModifiedWalkPartition(source, AttachmentConverter(context), context, cursor, use_state,
                                    twin=lambda: AttachmentConverter(context))
        return
    yield AttachmentTextPartition(source, AttachmentTexts(options, context.client), context, cursor, use_state)


class AttachmentTextPartition(ModifiedWalkPartition):
    """The partition with text reading: its extraction worker stops when the partition is read."""

    def __init__(self, source: WalkSource, texts: AttachmentTexts, context: ReadContext,
                 cursor: PartitionedCursor, use_state: bool) -> None:
        super().__init__(source, AttachmentConverter(context, texts), context, cursor, use_state)
        self._texts = texts

    def read(self) -> Iterable[Record]:
        try:
            yield from super().read()
        finally:
            self._texts.close()
