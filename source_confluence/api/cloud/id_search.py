"""Cloud's v1 content search asked for a list of ids (`cql=id in (...)`): what the bulk reads that v2
cannot answer share (comments' creation times, the labels of changed content)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from urllib.parse import quote, urlencode

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
