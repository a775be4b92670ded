"""A newest-first walk's probe: find that nothing changed for a few points instead of a page's worth.

Atlassian charges a point per object returned (http/points.py), and a newest-first walk from a
cursor asks for a page of 250 even when it stops at the first result: up to 251 points per
partition and sync with nothing changed. So, where requests are metered in points (OAuth 2.0 and
scoped API tokens, through the gateway), the walk first asks for as many objects as it emitted at
its cursor plus one. When that page reaches the bound (a result older than the cursor, or the end of
the list), it is the whole walk: 1 request and a few objects. Otherwise (something changed) it is
dropped and the walk reads from the start in pages of `METERED_PAGE_SIZE`, not of 250: a page
returns (and is charged) up to its limit even when the bound is near its top, so a partition with
n changes pays about n + 25 objects instead of n + 250, for n / 25 requests instead of n / 250.
Each later page is the server's own next link, as returned: the contract does not say that a
cursor may be asked for with another limit than the one it was given with. API-token traffic is
not metered in points, so it keeps full pages (no extra request).
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

METERED_PAGE_SIZE = 25
"""A metered walk's page size once its probe found changes (Atlassian's own default `limit`)."""


def probe(context: ReadContext, source: WalkSource, state: PartitionState, bodies: bool) -> Iterator[ListPage] | None:
    """A metered walk from a cursor: one small page when that page holds all of it, else the walk
    from the start in pages of `METERED_PAGE_SIZE`; None where full pages are read."""
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
    if ends:
        return iter([replace(page, resume=None)])
    follow_up = METERED_PAGE_SIZE if METERED_PAGE_SIZE < client.page_size else None
    return client.walk(source.kind, source.space_id, "desc", state.updated_at, bodies, limit=follow_up)
