"""When and by whom Cloud comments were written, read in bulk.

v2 comments carry no creation time: a comment read at a later version than its first needs its
version 1. Instead of one `/footer-comments|inline-comments/{id}/versions/1` request per comment, a v1
CQL search `id in (...)` with `expand=history` returns up to `batch` comments per request, each with
`history.createdDate` and `history.createdBy`, mapped here to the v2 Version shape of version 1.

The search reads an index, which may lag or miss an id: every id it does not return (or returns
without a creation time) is read from its version 1 as before, so nothing is lost. A version 1 that
`content_versions` already read in this sync costs nothing (`CloudVersionReads.known_first_version`).
A token without the search's scope (401/403) falls back to version 1 for every comment, with one
warning; a search page that fails with 400 (an expired cursor) leaves its ids to version 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from source_confluence.api.cloud.id_search import RefusableSearch


@runtime_checkable
class FirstVersionSource(Protocol):
    """What of `CloudClient` this needs: its transport, version 1 read alone, version 1 already read."""

    @property
    def transport(self) -> Any: ...

    def comment_version(self, kind: str, comment_id: str, number: int) -> Mapping[str, Any] | None: ...

    def known_first_version(self, kind: str, comment_id: str) -> Mapping[str, Any] | None: ...


class CommentCreations:
    """Version 1 (`number`, `createdAt`, `authorId`) of Cloud comments, by id; `batch` ids per search."""

    def __init__(self, client: FirstVersionSource, batch: int) -> None:
        self._client = client
        self._search_index = RefusableSearch(lambda link: client.transport.get_list(link), "comments",
                                             "each edited comment's first version", batch)

    def first_versions(self, kind: str, ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        """Version 1 of each of these comments (`kind`: footer or inline) that still exists."""
        found: dict[str, Mapping[str, Any]] = {}
        wanted: list[str] = []
        for comment_id in dict.fromkeys(ids):
            known = self._client.known_first_version(kind, comment_id)
            if known is not None:
                found[comment_id] = known
            else:
                wanted.append(comment_id)
        if wanted and self._search_index.usable:
            found.update(self._search(wanted))
        for comment_id in wanted:
            if comment_id not in found:  # not (yet) in the search index
                first = self._client.comment_version(kind, comment_id, 1)
                if first is not None:
                    found[comment_id] = first
        return found

    def _search(self, ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        found: dict[str, Mapping[str, Any]] = {}
        asked = set(ids)
        for content in self._search_index.results(ids, "history", "the comments' history search"):
            content_id = str(content.get("id"))
            first = _first_version(content)
            if content_id in asked and first is not None:
                found[content_id] = first
        return found


def _first_version(content: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Version 1 in the v2 Version shape, from a v1 Content's `history`; None without a creation time."""
    history = content.get("history")
    if not isinstance(history, Mapping) or not isinstance(history.get("createdDate"), str):
        return None
    creator = history.get("createdBy")
    author = creator.get("accountId") if isinstance(creator, Mapping) else None
    return {"number": 1, "createdAt": history["createdDate"], "authorId": author}

