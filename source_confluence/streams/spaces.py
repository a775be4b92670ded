"""The `spaces` stream (full refresh): every selected space, one request per 250 spaces."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.records.builders import space_record
from source_confluence.sync.context import ReadContext

STREAM = "spaces"


class SpacesPartition(Partition):
    def __init__(self, context: ReadContext) -> None:
        self._context = context

    def read(self) -> Iterable[Record]:
        for space in self._context.directory.spaces():
            yield Record(data=space_record(space), stream_name=STREAM)

    def to_slice(self) -> Mapping[str, Any] | None:
        return None

    def stream_name(self) -> str:
        return STREAM

    def __hash__(self) -> int:
        return hash(STREAM)
