"""Where restricted content missing from its space's listing went: moved, or gone.

A space reconciled on its own turn no longer sees the whole site in one pass, so content that
left its listing (moved to another space) must be looked up before its restrictions are taken as
gone. The look-up is by id (`containers`, 250 ids per request on Cloud, with status and space);
on Cloud that look-up reads the database with every status, so what it does not return is purged.
Data Center's look-up is a search, whose index can lag a move or a restore: what it does not
return is asked of `surviving`, which reads the database; alive there but not placed, the content
is left as it is and looked at again at its space's next turn, never tombstoned on the index's silence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from source_confluence.api.protocol import ConfluenceApi
from source_confluence.streams.errors import read_fully
from source_confluence.sync.restriction_state import Emitted

ALIVE = ("current", "archived")
"""Statuses of content that still holds its restrictions; trashed and deleted content is gone."""


@dataclass
class Located:
    moved: dict[str, tuple[str, str]] = field(default_factory=dict)
    """content id -> (content type, space id): alive in a selected space (possibly its old one)."""
    gone: set[str] = field(default_factory=set)
    """Not found, trashed, or in a space (or of a type) the sync does not select: tombstoned."""
    unplaced: set[str] = field(default_factory=set)
    """Alive by the database but not returned by the look-up: left as they are until the next turn."""


def locate(client: ConfluenceApi, missing: Mapping[str, Emitted], allowed: Callable[[str, str, str], bool],
           stream: str, search_lags: bool) -> Located:
    """`allowed(content_id, content_type, space_id)`: whether the sync selects that content there;
    `search_lags`: the look-up by id is a search (Data Center), so its silence is confirmed."""
    out = Located()
    for kind in sorted({entry.content_type for entry in missing.values()}):
        ids = sorted(content_id for content_id, entry in missing.items() if entry.content_type == kind)
        found = {str(item.get("id")): item for item in read_fully(
            partial(client.containers, kind, ids), stream, f"the look-up of {len(ids)} {kind}(s) missing from their space")}
        unknown = []
        for content_id in ids:
            item = found.get(content_id)
            if item is None:
                unknown.append(content_id)
                continue
            space_id = item.get("spaceId")
            if item.get("status") in ALIVE and space_id is not None and allowed(content_id, kind, str(space_id)):
                out.moved[content_id] = (kind, str(space_id))
            else:
                out.gone.add(content_id)
        if unknown and search_lags:
            alive = set(read_fully(partial(client.surviving, kind, unknown), stream,
                                   f"the database look-up of {len(unknown)} {kind}(s) missing from their space"))
            out.unplaced |= alive
            out.gone |= set(unknown) - alive
        else:
            out.gone |= set(unknown)
    return out
