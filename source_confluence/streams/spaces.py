"""The `spaces` stream (full refresh): every selected space, one request per 250 spaces."""

from __future__ import annotations

from collections.abc import Iterable

from airbyte_cdk.sources.types import Record

from source_confluence.records.builders import space_record
from source_confluence.streams.base import StreamPartition
from source_confluence.sync.context import ReadContext

STREAM = "spaces"


class SpacesPartition(StreamPartition):
    def __init__(self, context: ReadContext) -> None:
        super().__init__(STREAM, None)
        self._context = context

    def read(self) -> Iterable[Record]:
        for space in self._context.directory.spaces():
            yield Record(data=space_record(space), stream_name=STREAM)

