"""Restrictions in the v1 shapes that Cloud (`/wiki/rest/api`) and Data Center (`/rest/api`) share.

A content's restrictions expanded on a search hit (`Content.restrictions`: read and update, each a
`ContentRestriction` with `restrictions.user` / `restrictions.group` arrays) and the per-content
list (`ContentRestrictionArray`). Principal lists hold at most `limit` entries from `start`, as
Confluence pages them; the flavour gives the user and group shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .model import Principal, Site
from .model.access import OPERATIONS

EXPANDED_LIMIT = 100
"""Principals per list on a search hit's expansion (a content with more is read from its own endpoint)."""

UserShape = Callable[[str], dict[str, Any]]
GroupShape = Callable[[Principal], dict[str, Any]]


def _array(items: list[dict[str, Any]], start: int, limit: int) -> dict[str, Any]:
    page = items[start:start + limit]
    return {"results": page, "start": start, "limit": limit, "size": len(page), "_links": {}}


def content_restriction(site: Site, content_id: str, operation: str, user: UserShape, group: GroupShape,
                        start: int = 0, limit: int = EXPANDED_LIMIT) -> dict[str, Any]:
    allowed = site.restrictions_of(content_id).get(operation, [])
    users = [user(p.id) for p in allowed if p.kind == "user"]
    groups = [group(p) for p in allowed if p.kind == "group"]
    return {"operation": operation,
            "restrictions": {"user": _array(users, start, limit), "group": _array(groups, start, limit)},
            "_expandable": {"content": ""}, "_links": {}}


def expanded(site: Site, content_id: str, expand: frozenset[str], user: UserShape, group: GroupShape) -> dict[str, Any]:
    """`Content.restrictions`, with the operations the expansion asks for."""
    doc: dict[str, Any] = {"_expandable": {}, "_links": {}}
    for operation in OPERATIONS:
        if any(e.startswith(f"restrictions.{operation}") for e in expand):
            doc[operation] = content_restriction(site, content_id, operation, user, group)
        else:
            doc["_expandable"][operation] = ""
    return doc


def wants_restrictions(expand: frozenset[str]) -> bool:
    return any(e.startswith("restrictions") for e in expand)


def restriction_array(site: Site, content_id: str, user: UserShape, group: GroupShape, start: int,
                      limit: int) -> dict[str, Any]:
    """`ContentRestrictionArray`: `/content/{id}/restriction`, principals paged by start and limit."""
    results = [content_restriction(site, content_id, op, user, group, start, limit) for op in OPERATIONS]
    return {"results": results, "start": start, "limit": limit, "size": len(results),
            "restrictionsHash": str(hash(repr(site.restrictions_of(content_id))) & 0xFFFFFFFF), "_links": {}}


def dc_group(principal: Principal) -> dict[str, Any]:
    """Data Center groups have no id: a group is its name."""
    return {"type": "group", "name": principal.name, "_links": {}}
