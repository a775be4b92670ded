"""Labels on Data Center: content carrying given labels (a CQL `label in (...)` search), every
labelled object of a space with its `metadata.labels` expansion, and a space's own labels (read with
the space list, so they cost no request)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from source_confluence.api.datacenter.cql import CONTENT_TYPES, cql_string
from source_confluence.api.protocol import BLOGPOST, PAGE, ListPage, items


class DataCenterLabelReads:
    """Mixed into `DataCenterClient` (which provides `_walk`, `_page_scan`, `_space_key`, `page_size`
    and its space cache)."""

    def content_with_labels(self: Any, names: Sequence[str],
                            container_types: Sequence[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
        labels = ", ".join(cql_string(name.lower()) for name in names)
        for container_type in container_types:
            cql = f"type = {CONTENT_TYPES[container_type]} and label in ({labels})"
            for item in items(self._walk(cql, ("space", "ancestors"), self.page_size)):
                yield container_type, item

    def labelled_in_space(self: Any, space_id: str, content_type: str) -> Iterator[ListPage]:
        key = self._space_key(space_id)
        if content_type == PAGE:
            yield from self._page_scan(space_id, ("space", "metadata.labels"))
            return
        if content_type == BLOGPOST:
            cql, expand = f"type = blogpost and space = {cql_string(key)}", ("space", "metadata.labels")
        else:
            cql, expand = f"type = attachment and space = {cql_string(key)}", ("container", "metadata.labels")
        yield from self._walk(cql, expand, self.page_size)

    def space_labels(self: Any, space_id: str) -> Iterator[Mapping[str, Any]]:
        with self._lock:
            space = self._spaces.get(space_id)
        return iter(list((space or {}).get("labels") or []))
