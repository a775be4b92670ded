"""A newest-first walk's probe: find that nothing changed for a few points instead of a page's worth.

Atlassian charges a point per object returned (http/points.py), and a newest-first walk from a
cursor asks for a page of 250 even when it stops at the first result: up to 251 points per
partition and sync with nothing changed. So, where requests are metered in points (OAuth 2.0 and
scoped API tokens, through the gateway), the walk first asks for as many objects as it emitted at
its cursor plus one. When that page reaches the bound (a result older than the cursor, or the end of
the list), it is the whole walk: 1 request and a few objects. Otherwise (something changed) it is
dropped and the walk reads full pages from the start: one small request more for a partition that
changed. API-token traffic is not metered in points, so it keeps full pages (no extra request).
Items at the cursor's instant come in any order: a page that holds only versions at the cursor
(emitted or not) proves nothing, and only a result strictly older than the cursor ends the walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from source_confluence.api.protocol import ListPage
from source_confluence.streams.frontier import Decision, Frontier, modified_at, version_key
from source_confluence.sync.context import ReadContext
from source_confluence.sync.state import PartitionState

if TYPE_CHECKING:
    from source_confluence.streams.walk import WalkSource


def probe(context: ReadContext, source: WalkSource, state: PartitionState, bodies: bool) -> Iterator[ListPage] | None:
    """The walk as one small page when that page holds all of it, else None (read full pages)."""
    client = context.client
    if not context.config.credentials.uses_gateway or state.updated_at is None:
        return None
    frontier = Frontier.of(state.updated_at, state.cursor_versions, False, False)
    limit = sum(len(keys) for keys in frontier.versions.values()) + 1
    if limit >= client.page_size:
        return None
    page = next(iter(client.walk(source.kind, source.space_id, "desc", state.updated_at, bodies, limit=limit)), None)
    if page is None:
        return None
    ends = page.resume is None or any(
        frontier.decide(modified_at(raw), version_key(raw), True) is Decision.STOP for raw in page.results)
    return iter([replace(page, resume=None)]) if ends else None
