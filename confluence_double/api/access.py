"""Cloud folders (v2 `/folders/{id}`) and restrictions (v1 CQL search with restrictions expanded,
v1 `/content/{id}/restriction`).

The v1 search understands the CQL the double's Data Center flavour parses (`id in (...)`, `type`,
`space`); it pages with an opaque `cursor` in `_links.next`, which is relative to the base URL
(`/rest/api/...`, without `/wiki`), as Cloud's v1 links are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from ..model import Attachment, Comment, Folder, Page, Principal, iso
from ..restriction_shapes import expanded, restriction_array, wants_restrictions
from .comment_search import Searchable, comment_facts, searchable, v1_comment
from .label_search import add_expansions, attachment_facts, v1_attachment
from .query import Call
from .wire import MAX_LIMIT, ApiError, Response, decode_cursor, encode_cursor

UTC_ZONE = ZoneInfo("UTC")


class AccessRoutes:
    """A mixin of ``CloudRoutes``: ``self.site``, ``self.wiki_base`` and ``self._json`` come from it."""

    def _h_folder(self, call: Call) -> Response:
        assert call.id is not None
        if not call.id.isdigit():
            raise ApiError(400, f"'{call.id}' is not a valid id")
        folder = self.site.folders.get(str(int(call.id)))
        if folder is None:
            raise ApiError(404, f"No folder with id {call.id}")
        return self._json(200, self._folder_json(folder))

    def _folder_json(self, folder: Folder) -> dict[str, Any]:
        return {"id": folder.id, "type": "folder", "status": folder.status, "title": folder.title,
                "parentId": folder.parent_id, "parentType": self.site.parent_type_of(folder.parent_id),
                "position": None, "authorId": folder.author_id, "ownerId": folder.author_id,
                "createdAt": iso(folder.created_at),
                "version": {"number": 1, "authorId": folder.author_id, "createdAt": iso(folder.created_at),
                            "message": "", "minorEdit": False},
                "_links": {"base": self.wiki_base, "webui": f"/spaces/{self._folder_space_key(folder)}/folder/{folder.id}"}}

    def _folder_space_key(self, folder: Folder) -> str:
        return self.site.spaces[folder.space_id].key

    # -- v1 restrictions ---------------------------------------------------------------------------
    def _v1_user(self, account_id: str) -> dict[str, Any]:
        user = self.site.users[account_id]
        return {"type": "known", "accountId": user.account_id, "accountType": user.account_type,
                "displayName": user.display_name, "publicName": user.public_name,
                "_links": {"self": f"{self.wiki_base}/rest/api/user?accountId={user.account_id}"}}

    @staticmethod
    def _v1_group(principal: Principal) -> dict[str, Any]:
        return {"type": "group", "name": principal.name, "id": principal.id, "_links": {}}

    def _v1_facts(self, obj: Searchable, name: str) -> list[str] | datetime | None:
        if isinstance(obj, Comment):
            return comment_facts(self.site, obj, name)
        if isinstance(obj, Attachment):
            return attachment_facts(self.site, obj, name)
        if name == "type":
            return ["page" if isinstance(obj, Page) else "blogpost"]
        if name in ("space", "space.key"):
            return [self.site.spaces[obj.space_id].key]
        if name == "id":
            return [obj.id]
        if name == "title":
            return [obj.title]
        if name == "lastmodified":
            return obj.version.created_at
        if name == "created":
            return obj.created_at
        return None

    def _h_v1_content_search(self, call: Call) -> Response:
        text = call.query.one("cql")
        if not text:
            raise ApiError(400, "cql is required")
        # Imported here: the datacenter package imports the Cloud routes (one server, two flavours).
        from ..datacenter.cql import Cql

        cql = Cql(text, self._v1_facts, UTC_ZONE)  # type: ignore[arg-type]
        limit = min(call.query.integer("limit") or 25, MAX_LIMIT)
        if limit < 1:
            raise ApiError(400, "'limit' must be positive")
        start = 0
        cursor = call.query.one("cursor")
        if cursor:
            try:
                start = int(decode_cursor(cursor))  # type: ignore[arg-type]
            except (ValueError, TypeError):
                raise ApiError(400, "Invalid cursor") from None
        candidates = [o for o in searchable(self.site, text) if cql.matches(o)]
        candidates.sort(key=lambda o: int(o.id.removeprefix("att")))
        expand = frozenset(call.query.many("expand"))
        page = candidates[start:start + limit]
        links: dict[str, Any] = {"base": self.wiki_base, "context": "/wiki"}
        if start + limit < len(candidates):
            pairs = [(k, v) for k, v in call.query.pairs if k != "cursor"] + [("cursor", encode_cursor(start + limit))]
            links["next"] = "/rest/api/content/search?" + urlencode(pairs, quote_via=quote, safe=",")
        results = [self._v1_content(o, expand) for o in page]
        return self._json(200, {"results": results, "start": start, "limit": limit, "size": len(results),
                                "_links": links})

    def _v1_content(self, obj: Searchable, expand: frozenset[str]) -> dict[str, Any]:
        if isinstance(obj, Comment):
            return v1_comment(obj, expand, self.wiki_base, self._v1_user)
        if isinstance(obj, Attachment):
            return add_expansions(v1_attachment(obj, self.wiki_base), self.site, obj.id, obj.version, expand,
                                  self.wiki_base, self._v1_user)
        doc: dict[str, Any] = {"id": obj.id, "type": "page" if isinstance(obj, Page) else "blogpost",
                               "status": obj.status, "title": obj.title, "_expandable": {"restrictions": ""},
                               "_links": {"self": f"{self.wiki_base}/rest/api/content/{obj.id}"}}
        if wants_restrictions(expand):
            doc["restrictions"] = expanded(self.site, obj.id, expand, self._v1_user, self._v1_group)
            del doc["_expandable"]["restrictions"]
        return add_expansions(doc, self.site, obj.id, obj.version, expand, self.wiki_base, self._v1_user)

    def _h_v1_content_restriction(self, call: Call) -> Response:
        assert call.id is not None
        content_id = call.id
        if content_id not in self.site.pages and content_id not in self.site.blog_posts:
            raise ApiError(404, f"No content with id {content_id}")
        start = call.query.integer("start") or 0
        limit = min(call.query.integer("limit") or 100, MAX_LIMIT)
        return self._json(200, restriction_array(self.site, content_id, self._v1_user, self._v1_group, start, limit))
