"""The current labels of changed Cloud content, read in bulk.

v2 lists no content with its labels: one `/pages|blogposts|attachments/{id}/labels` list per item.
Instead a v1 CQL search `id in (...)` with `expand=metadata.labels,version` returns up to
`SEARCH_BATCH` items per request, each with its labels embedded as a LabelArray (a page of its own:
`limit`, `size`, `_links.next`), converted here to the v2 Label shape (`id`, `name`, `prefix`).

The contract says neither how fresh the search's index is nor how many labels the embedded page
holds, so an item is read alone from its v2 list, as before (no label is lost), when:
- the search does not return it (index lag, or CQL does not find that content by id);
- its embedded labels may be cut: a `_links.next`, as many labels as the page's `limit`, or a bare
  array or a missing expansion (no paging stated);
- it comes back at an older version than the one the sync emitted (a stale index entry), or not
  current, or of another type.
A token without the search's scope (401/403) reads every item alone, with one warning; a search page
that fails with 400 (an expired cursor) leaves the rest of its ids to the v2 lists.

v2 attachment ids are `att<n>`: CQL takes the content id `<n>`, and v1 answers `att<n>`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import requests

from source_confluence.api.cloud.id_search import SEARCH_BATCH, RefusableSearch
from source_confluence.api.protocol import ATTACHMENT, BLOGPOST, PAGE

EXPAND = "metadata.labels,version"
V1_TYPES = {PAGE: "page", BLOGPOST: "blogpost", ATTACHMENT: "attachment"}
ATTACHMENT_PREFIX = "att"

Labelled = tuple[str, list[Mapping[str, Any]]]
"""(content id, its labels in the v2 Label shape)."""


class ListGetter(Protocol):
    def get_list(self, path_or_url: str) -> tuple[Any, requests.Response]: ...


class LabelSearch:
    """`transport`: where the searches go; `one_by_one`: the v2 per-item read (the fallback)."""

    def __init__(self, transport: ListGetter,
                 one_by_one: Callable[[str, Sequence[str]], Iterator[Labelled]], batch: int = SEARCH_BATCH) -> None:
        self._one_by_one = one_by_one
        self._search_index = RefusableSearch(transport.get_list, "content_labels", "each changed item's labels",
                                             batch)

    def labels_at(self, content_type: str, versions: Mapping[str, int | None]) -> Iterator[Labelled]:
        """(id, labels) of each item of `versions` (id -> the version the sync read, None: any) that
        still exists, no older than that version."""
        ids = list(versions)
        found: dict[str, list[Mapping[str, Any]]] = {}
        if self._search_index.usable:
            found = self._search(content_type, [i for i in ids if _content_id(i).isdigit()], versions)
        for content_id in ids:
            if content_id in found:
                yield content_id, found[content_id]
        alone = [i for i in ids if i not in found]
        if alone:
            yield from self._one_by_one(content_type, alone)

    def _search(self, content_type: str, ids: Sequence[str],
                versions: Mapping[str, int | None]) -> dict[str, list[Mapping[str, Any]]]:
        found: dict[str, list[Mapping[str, Any]]] = {}
        asked = {_content_id(i): i for i in ids}
        for content in self._search_index.results(list(asked), EXPAND, "the changed content's label search"):
            content_id = asked.get(_content_id(str(content.get("id"))))
            if content_id is None or not _usable(content, content_type, versions.get(content_id)):
                continue
            labels = _complete_labels(content)
            if labels is not None:
                found[content_id] = labels
        return found


def _content_id(item_id: str) -> str:
    """The id CQL knows an item by (a v2 attachment id without its `att`)."""
    return item_id.removeprefix(ATTACHMENT_PREFIX)


def _usable(content: Mapping[str, Any], content_type: str, least_version: int | None) -> bool:
    """Current, of the type asked, and at least at the version the sync emitted."""
    if content.get("type") != V1_TYPES[content_type] or content.get("status", "current") != "current":
        return False
    if least_version is None:
        return True
    number = (content.get("version") or {}).get("number") if isinstance(content.get("version"), Mapping) else None
    return isinstance(number, int) and not isinstance(number, bool) and number >= least_version


def _complete_labels(content: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """The embedded labels in the v2 shape; None when they may be cut or were not expanded."""
    metadata = content.get("metadata")
    embedded = metadata.get("labels") if isinstance(metadata, Mapping) else None
    if not isinstance(embedded, Mapping) or not isinstance(embedded.get("results"), list):
        return None
    results = [label for label in embedded["results"] if isinstance(label, Mapping)]
    links, limit, size = embedded.get("_links"), embedded.get("limit"), embedded.get("size")
    cut = (not isinstance(links, Mapping) and links is not None) or bool((links or {}).get("next")) or (
        isinstance(limit, int) and 0 < limit <= len(results)) or (isinstance(size, int) and size > len(results))
    if cut or any(label.get("id") is None for label in results):
        return None
    return [{"id": str(label["id"]), "name": label.get("name"), "prefix": label.get("prefix")} for label in results]
