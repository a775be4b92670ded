"""What every stream shares: schema loading, the base partition and the partition generator."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.streams.concurrent.partitions.partition_generator import PartitionGenerator
from airbyte_cdk.sources.types import Record

from source_confluence.http.points import attributed


@cache
def load_schema(stream_name: str) -> Mapping[str, Any]:
    text = resources.files("source_confluence").joinpath("schemas", f"{stream_name}.json").read_text()
    schema: Mapping[str, Any] = json.loads(text)
    return schema


class ListPartitionGenerator(PartitionGenerator):
    """Adapts a callable that yields partitions to the CDK's PartitionGenerator interface; with a
    stream name, the requests made generating and reading them are charged to it (http/points.py)."""

    def __init__(self, make: Any, stream: str | None = None) -> None:
        self._make = make
        self._stream = stream

    def generate(self) -> Iterable[Partition]:
        if self._stream is None:
            yield from self._make()
            return
        with attributed(self._stream):
            for partition in self._make():
                yield AttributedPartition(partition, self._stream)


class AttributedPartition(Partition):
    """A partition whose reading charges its requests to its stream: the CDK reads a partition on one
    worker thread from start to end, so the thread says whom it works for while the read runs."""

    def __init__(self, inner: Partition, stream: str) -> None:
        self.inner = inner
        self._stream = stream

    def read(self) -> Iterable[Record]:
        with attributed(self._stream):
            yield from self.inner.read()

    def to_slice(self) -> Mapping[str, Any] | None:
        return self.inner.to_slice()

    def stream_name(self) -> str:
        return self.inner.stream_name()

    def __hash__(self) -> int:
        return hash(self.inner)

    def __eq__(self, other: object) -> bool:
        return self.inner == (other.inner if isinstance(other, AttributedPartition) else other)


def describe_space(space: Mapping[str, Any]) -> str:
    return f"space {space.get('key')} (id {space.get('id')})"


class StreamPartition(Partition):
    """A partition of one stream, named by its slice (its key in the stream's state, e.g.
    {"space_id": "42"}; None for a stream read whole). Subclasses write `read` only."""

    def __init__(self, stream: str, key: Mapping[str, str] | None) -> None:
        self._stream = stream
        self._slice = dict(key) if key is not None else None

    def to_slice(self) -> Mapping[str, Any] | None:
        return self._slice

    def stream_name(self) -> str:
        return self._stream

    def __hash__(self) -> int:
        return hash((self._stream, tuple(sorted((self._slice or {}).items()))))

