"""Cloud's v1 content search asked for a list of ids (`cql=id in (...)`): what the bulk reads that v2
cannot answer share (comments' creation times, the labels of changed content)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from source_confluence.http.transport import ConfluenceHttpError

LOGGER = logging.getLogger("airbyte")
SEARCH = "/wiki/rest/api/content/search"
CONTEXT = "/wiki"
"""Cloud's v1 `_links.next` is relative to the base URL, which holds this context."""
SEARCH_BATCH = 100
"""Ids per search, as the restrictions' search asks (a page of results of the v1 search)."""
MAX_IDS_CHARS = 2_000
"""Characters of ids per search, so that the URL stays well under 4 KB whatever the ids' length."""


def id_batches(ids: Sequence[str], batch: int) -> Iterator[list[str]]:
    """`ids` in searches of at most `batch` ids and MAX_IDS_CHARS characters."""
    chunk: list[str] = []
    chars = 0
    for content_id in ids:
        if chunk and (len(chunk) == batch or chars + len(content_id) + 1 > MAX_IDS_CHARS):
            yield chunk
            chunk, chars = [], 0
        chunk.append(content_id)
        chars += len(content_id) + 1
    if chunk:
        yield chunk


def search_link(ids: Sequence[str], expand: str, limit: int) -> str:
    params = [("cql", f"id in ({','.join(ids)})"), ("expand", expand), ("limit", str(limit))]
    return f"{SEARCH}?{urlencode(params, quote_via=quote, safe=',')}"


class SearchRefused(Exception):
    """The token may not use the v1 search (HTTP 401/403): the caller reads item by item instead."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


def searched(get_list: Callable[[str], tuple[Any, Any]], ids: Sequence[str], expand: str, batch: int,
             what: str) -> Iterator[Mapping[str, Any]]:
    """Every content the searches for `ids` return, page after page (`what` names them in errors).
    A search cursor that expired (HTTP 400) ends its batch: the ids it did not return are the
    caller's to read alone, as any id the search misses; 401/403 raise SearchRefused."""
    for chunk in id_batches(ids, batch):
        link: str | None = search_link(chunk, expand, batch)
        while link:
            try:
                body, _ = get_list(link)
            except ConfluenceHttpError as error:
                if error.status == 400:
                    break
                if error.status in (401, 403):
                    raise SearchRefused(error.status) from None
                raise
            if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
                raise ValueError(f"unexpected response shape from {what}")
            yield from (item for item in body["results"] if isinstance(item, Mapping))
            link = _next(body)


class RefusableSearch:
    """A bulk search that the token may refuse (HTTP 401/403, a scoped token without
    `read:content-details:confluence`): the first refusal turns it off for the rest of the sync with
    one warning, and the caller reads what the search did not return one item at a time."""

    def __init__(self, get_list: Callable[[str], tuple[Any, Any]], stream: str, alone: str, batch: int) -> None:
        self._get_list = get_list
        self._stream = stream
        self._alone = alone
        self._batch = max(1, batch)
        self.usable = True

    def results(self, ids: Sequence[str], expand: str, what: str) -> Iterator[Mapping[str, Any]]:
        """What `searched` returns for `ids`; nothing once the search was refused."""
        if not self.usable:
            return
        try:
            yield from searched(self._get_list, ids, expand, self._batch, what)
        except SearchRefused as refused:
            self.usable = False
            LOGGER.warning(f"Stream '{self._stream}': the v1 content search was refused (HTTP {refused.status}); "
                           f"reading {self._alone} alone. Grant the token `read:content-details:confluence` "
                           "to read them in bulk.")


def _next(body: Mapping[str, Any]) -> str | None:
    link = (body.get("_links") or {}).get("next")
    if not isinstance(link, str) or not link:
        return None
    return CONTEXT + link if link.startswith("/rest/api/") else link  # v1 links are relative to the base URL
