"""Data Center: the current labels of given content, by id, in searches of up to a page of ids each
(`metadata.labels` expanded): what the label stream reads for the content changed since the last sync."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from source_confluence.api.protocol import ATTACHMENT, BLOGPOST, PAGE, ListPage, items

CQL_TYPES = {PAGE: "page", BLOGPOST: "blogpost", ATTACHMENT: "attachment"}


class _Searches(Protocol):
    page_size: int

    def _walk(self, base_cql: str, expand: Sequence[str], limit: int) -> Iterator[ListPage]: ...


class LabelsOfContent:
    """Mixed into DataCenterClient (its `_walk` runs the searches)."""

    def labels_of(self: _Searches, content_type: str,
                  ids: Sequence[str]) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
        unique = [i for i in dict.fromkeys(ids) if i.isdigit()]
        for start in range(0, len(unique), self.page_size):
            chunk = ", ".join(unique[start:start + self.page_size])
            cql = f"type = {CQL_TYPES[content_type]} and id in ({chunk})"
            for item in items(self._walk(cql, ("metadata.labels",), self.page_size)):
                yield str(item["id"]), list(item.get("labels") or [])
