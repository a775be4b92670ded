"""Version histories: `/{pages,blogposts,footer-comments,inline-comments,attachments}/{id}/versions`.

Sorted by `modified-date` (ascending unless `-modified-date`, as the contract says), ties by number;
the cursor is the keyset position (the last number served), so versions added between requests
never shift a walk. `limit` 1..250, default 25.
"""

from __future__ import annotations

import binascii
from urllib.parse import quote, urlencode

from ..model import Version
from .query import Call
from .wire import ApiError, Response, decode_cursor, encode_cursor, encode_json

VERSION_SORTS = ("modified-date",)
ENTITY_FIELD = {"page": "page", "blogpost": "blogpost", "comment": "comment", "attachment": "attachment"}


class VersionRoutes:
    """A mixin of ``CloudRoutes``: ``self.site``, the lookups and ``self._version`` come from its other bases."""

    def _versions(self, call: Call, obj, entity: str) -> Response:
        q = call.query
        _, desc = q.sort(VERSION_SORTS, default="modified-date")
        limit = q.limit(default=25)
        versions: list[Version] = self.site.versions_of(obj)
        ordered = sorted(versions, key=lambda v: (v.created_at, v.number), reverse=desc)
        start = 0
        token = q.one("cursor")
        if token:
            try:
                family, was_desc, number = decode_cursor(token)  # type: ignore[misc]
                if family != "versions" or was_desc != desc or not isinstance(number, int):
                    raise ValueError("cursor of another listing")
            except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
                raise ApiError(400, "Invalid cursor") from None
            start = next((i + 1 for i, v in enumerate(ordered) if v.number == number), len(ordered))
        picked = ordered[start:start + limit]
        links: dict[str, str] = {"base": self.wiki_base}
        headers = [("Content-Type", "application/json;charset=UTF-8")]
        if start + limit < len(ordered) and picked:
            pairs = [(k, v) for k, v in q.pairs if k != "cursor"]
            pairs.append(("cursor", encode_cursor(["versions", desc, picked[-1].number])))
            links["next"] = call.path + "?" + urlencode(pairs, quote_via=quote, safe=",")
            headers.append(("Link", f'<{links["next"]}>; rel="next", <{self.wiki_base}>; rel="base"'))
        target = {"id": obj.id, "title": obj.title}
        results = [{**self._version(v), ENTITY_FIELD[entity]: target} for v in picked]
        return Response(200, headers, encode_json({"results": results, "_links": links}).encode("ascii"))

    def _h_page_versions(self, call: Call) -> Response:
        return self._versions(call, self._existing_page(call), "page")

    def _h_blogpost_versions(self, call: Call) -> Response:
        return self._versions(call, self._existing_blog(call), "blogpost")

    def _comment_versions(self, call: Call, kind: str) -> Response:
        comment = self.site.comments.get(self._numeric_id(call))
        if comment is None or comment.comment_type != kind:
            raise ApiError(404, f"No {kind} comment with id {call.id}")
        return self._versions(call, comment, "comment")

    def _h_footer_comment_versions(self, call: Call) -> Response:
        return self._comment_versions(call, "footer")

    def _h_inline_comment_versions(self, call: Call) -> Response:
        return self._comment_versions(call, "inline")

    def _h_attachment_versions(self, call: Call) -> Response:
        return self._versions(call, self._existing_attachment(call), "attachment")
