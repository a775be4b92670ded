"""What every stream shares: schema loading and the partition generator."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.streams.concurrent.partitions.partition_generator import PartitionGenerator


@cache
def load_schema(stream_name: str) -> Mapping[str, Any]:
    text = resources.files("source_confluence").joinpath("schemas", f"{stream_name}.json").read_text()
    return json.loads(text)


class ListPartitionGenerator(PartitionGenerator):
    """Adapts a callable that yields partitions to the CDK's PartitionGenerator interface."""

    def __init__(self, make: Any) -> None:
        self._make = make

    def generate(self) -> Iterable[Partition]:
        yield from self._make()


def describe_space(space: Mapping[str, Any]) -> str:
    return f"space {space.get('key')} (id {space.get('id')})"
