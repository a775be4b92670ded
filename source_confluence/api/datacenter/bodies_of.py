"""Data Center: pages or blog posts by id with their storage bodies, in searches of up to a page of
bodies each: what `decisions` reads for the containers a killed sync delivered before it ran."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from source_confluence.api.datacenter.cql import CONTENT_TYPES
from source_confluence.api.protocol import ListPage, items

BODY_EXPAND = ("space", "version", "ancestors", "body.storage")


class _Searches(Protocol):
    def _limit(self, bodies: bool) -> int: ...

    def _walk(self, base_cql: str, expand: Sequence[str], limit: int) -> Iterator[ListPage]: ...


class ContainerBodies:
    """Mixed into DataCenterClient (its `_walk` runs the searches). Search lists current content only:
    a container trashed or purged since is not returned (the deletion check finds it)."""

    def containers_with_bodies(self: _Searches, container_type: str,
                               ids: Sequence[str]) -> Iterator[Mapping[str, Any]]:
        unique = [i for i in dict.fromkeys(ids) if i.isdigit()]
        size = self._limit(True)
        for start in range(0, len(unique), size):
            cql = f"type = {CONTENT_TYPES[container_type]} and id in ({', '.join(unique[start:start + size])})"
            yield from items(self._walk(cql, BODY_EXPAND, size))
