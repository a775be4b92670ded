"""The v1 lists: spaces, CQL search, the page scan, child comments (start/limit paging)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from ..api.wire import Response
from ..model import Attachment, Comment, to_ms
from .cql import Cql
from .wire import ANONYMOUS, REST, SCAN_LIMIT, SEARCH_BODY_LIMIT, SEARCH_LIMIT, ApiError, Content, V1Query, json_response


def _sort_key(name: str) -> Callable[[Content], Any]:
    if name == "lastmodified":
        return lambda o: (to_ms(o.version.created_at), o.num)
    if name == "created":
        return lambda o: (to_ms(o.created_at), o.num)
    if name == "title":
        return lambda o: (o.title, o.num)
    return lambda o: o.num


class V1Lists:
    """The v1 lists: spaces, CQL search, the page scan, child comments (start/limit paging).

    A mixin of ``DataCenterRoutes``: ``self.site``, ``self.zone``, the user maps come from it.
    """

    # -- lists ----------------------------------------------------------------------------------
    def _page_of(self, query: V1Query, found: list[Any], render: Callable[[Any], dict[str, Any]], cap: int,
                 extra: dict[str, Any] | None = None) -> Response:
        start = query.integer("start", 0)
        limit = min(query.integer("limit", 25), cap)
        if start < 0 or limit < 1:
            raise ApiError(400, "start must be >= 0 and limit >= 1")
        page = found[start:start + limit]
        links: dict[str, str] = {"base": self.base_url, "context": self.context,
                                 "self": f"{self.base_url}{query.path}"}
        if start + limit < len(found):
            pairs = [(k, v) for k, v in query.pairs if k != "start"] + [("start", str(start + limit))]
            links["next"] = f"{query.path[len(self.context):]}?{urlencode(pairs, quote_via=quote, safe=',')}"
        doc = {"results": [render(item) for item in page], "start": start, "limit": limit, "size": len(page),
               **(extra or {}), "_links": links}
        return json_response(200, doc)

    def _spaces(self, query: V1Query, session: Any) -> Response:
        keys = set(query.many("spaceKey"))
        status, space_type = query.one("status"), query.one("type")
        expand = query.expand()
        found = [] if session is ANONYMOUS else [
            s for s in sorted(self.site.spaces.values(), key=lambda s: s.num)
            if (not keys or s.key in keys) and (not status or s.status == status) and (not space_type or s.type == space_type)]
        return self._page_of(query, found, lambda s: self.space_json(s, expand), 500)

    def current_content(self) -> Iterable[Content]:
        """What search finds: current content; comments and attachments only on current containers
        (trashing a page takes what hangs off it out of the index too)."""
        site = self.site
        for collection in (site.pages, site.blog_posts, site.comments, site.attachments):
            for obj in collection.values():
                if obj.status != "current":
                    continue
                if isinstance(obj, Comment | Attachment):
                    container = self._container(obj)
                    if container is None or container.status != "current":
                        continue
                yield obj

    def facts(self, obj: Content, name: str) -> list[str] | datetime | None:
        if name == "type":
            return [self.kind(obj)]
        if name in ("space", "space.key"):
            return [self._space(obj).key]
        if name == "id":
            return [str(obj.num)]
        if name == "label":
            return [lb.name for lb in self.site.labels_of(obj.id)]
        if name == "title":
            return [obj.title]
        if name == "lastmodified":
            return obj.version.created_at
        if name == "created":
            return obj.created_at
        return None

    def _search(self, query: V1Query, session: Any) -> Response:
        text = query.one("cql")
        if not text:
            raise ApiError(400, "cql is required")
        cql = Cql(text, self.facts, self.zone)
        expand = query.expand()
        found = [] if session is ANONYMOUS else [obj for obj in self.current_content() if cql.matches(obj)]
        for name, descending in reversed(cql.order or [("id", False)]):
            found.sort(key=_sort_key(name), reverse=descending)
        cap = SEARCH_BODY_LIMIT if "body.storage" in expand else SEARCH_LIMIT
        return self._page_of(query, found, lambda obj: self.content_json(obj, expand), cap,
                             {"totalSize": len(found), "cqlQuery": text, "searchDuration": 7})

    def _scan(self, query: V1Query, session: Any) -> Response:
        if (query.one("type") or "page") != "page":
            raise ApiError(400, "The scan endpoint lists pages only")
        key = query.one("spaceKey")
        cursor = query.one("cursor") or "content:false:null"
        match = re.fullmatch(r"content:false:(null|\d+)", cursor)
        if match is None:
            raise ApiError(400, f"Invalid cursor {cursor}")
        after = -1 if match.group(1) == "null" else int(match.group(1))
        limit = min(query.integer("limit", 25), SCAN_LIMIT)
        expand = query.expand()
        pages = [] if session is ANONYMOUS else sorted(
            (p for p in self.site.pages.values()
             if p.status == "current" and p.num > after and (not key or self.site.spaces[p.space_id].key == key)),
            key=lambda p: p.num)
        page = pages[:limit]
        links = {"base": self.base_url, "context": self.context, "self": f"{self.base_url}{query.path}"}
        doc: dict[str, Any] = {"results": [self.content_json(p, expand) for p in page], "cursor": cursor,
                               "limit": limit, "size": len(page)}
        if len(pages) > limit:
            next_cursor = f"content:false:{page[-1].num}"
            doc["nextCursor"] = next_cursor
            pairs = [(k, v) for k, v in query.pairs if k != "cursor"] + [("cursor", next_cursor)]
            links["next"] = f"{REST}/content/scan?{urlencode(pairs, quote_via=quote, safe=',:')}"
        doc["_links"] = links
        return json_response(200, doc)

    def _child_comments(self, content_id: str, query: V1Query, session: Any) -> Response:
        container = self.site.pages.get(content_id) or self.site.blog_posts.get(content_id)
        if container is None or session is ANONYMOUS:
            raise ApiError(404, f"No content with id {content_id}")
        locations = set(query.many("location"))
        all_depths = query.one("depth") == "all"
        found = [c for c in (self.site.comments[i] for i in self.site.comments_by_container.get(content_id, ()))
                 if c.status == "current" and (not locations or c.comment_type in locations)
                 and (all_depths or c.parent_comment_id is None)]
        found.sort(key=lambda c: c.num)
        expand = query.expand()
        return self._page_of(query, found, lambda c: self.content_json(c, expand), 100)

