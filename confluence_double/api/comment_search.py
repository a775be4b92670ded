"""Comments in Cloud's v1 CQL search (`/wiki/rest/api/content/search`), as `Content` of type `comment`.

A search without a type returns comments too; `expand=history` gives each its `history`: `createdDate`
(version 1's time) and `createdBy` (version 1's author). `Site.unindexed` holds ids the search index
has not caught up with (a test's lag): the search leaves them out, every other endpoint serves them.
An `id in (...)` query looks its ids up instead of scanning the site (the connector asks one per page
of edited comments, and a large site has tens of thousands of comments).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..model import Attachment, BlogPost, Comment, Page, Site, iso
from .label_search import attachment_by_content_id

Searchable = Page | BlogPost | Comment | Attachment
_ID_LIST = re.compile(r"\s*id\s+in\s*\(\s*(\d+(?:\s*,\s*\d+)*)\s*\)\s*", re.IGNORECASE)


def listed_ids(cql: str) -> list[str] | None:
    """The ids of a query that is only `id in (...)`; None for any other query (then scan)."""
    match = _ID_LIST.fullmatch(cql)
    return [part.strip() for part in match.group(1).split(",")] if match else None


def searchable(site: Site, cql: str) -> list[Searchable]:
    """What the search may return before its CQL filter: current pages, blog posts, comments and
    attachments that the index holds."""
    ids = listed_ids(cql)
    if ids is None:
        found: list[Any] = [*site.pages.values(), *site.blog_posts.values(), *site.comments.values(),
                            *site.attachments.values()]
    else:
        found = [site.pages.get(i) or site.blog_posts.get(i) or site.comments.get(i)
                 or attachment_by_content_id(site, i) for i in dict.fromkeys(ids)]
    return [o for o in found if o is not None and o.status == "current" and o.id not in site.unindexed]


def comment_facts(site: Site, comment: Comment, name: str) -> list[str] | datetime | None:
    if name == "type":
        return ["comment"]
    if name in ("space", "space.key"):
        container = site.pages.get(comment.container_id) or site.blog_posts.get(comment.container_id)
        return [site.spaces[container.space_id].key] if container else []
    if name == "id":
        return [comment.id]
    if name == "title":
        return [comment.title]
    if name == "lastmodified":
        return comment.version.created_at
    if name == "created":
        return comment.created_at
    return None


def v1_comment(comment: Comment, expand: frozenset[str], wiki_base: str,
               user: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """A v1 `Content` of type comment; `history` when expanded (else listed as expandable)."""
    doc: dict[str, Any] = {"id": comment.id, "type": "comment", "status": comment.status, "title": comment.title,
                           "_expandable": {"history": f"/rest/api/content/{comment.id}/history"},
                           "_links": {"self": f"{wiki_base}/rest/api/content/{comment.id}"}}
    if "history" in expand:
        first = comment.first_version
        doc["history"] = {"latest": True, "createdBy": user(first.author_id), "createdDate": iso(first.created_at),
                          "_links": {"self": f"{wiki_base}/rest/api/content/{comment.id}/history"}}
        del doc["_expandable"]["history"]
    return doc
