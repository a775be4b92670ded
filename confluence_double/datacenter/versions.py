"""`/rest/api/content/{id}/version`: a content's versions, newest first, `start`/`limit` paging."""

from __future__ import annotations

from typing import Any

from ..api.wire import Response
from .wire import ANONYMOUS, REST, ApiError, V1Query

MAX_VERSIONS_LIMIT = 200


class V1Versions:
    """A mixin of ``DataCenterRoutes``: ``self.site``, ``self._page_of``, ``self.user_json`` and
    ``self.when`` come from its other bases."""

    def _versions(self, content_id: str, query: V1Query, session: Any) -> Response:
        site = self.site
        obj = next((c[content_id] for c in (site.pages, site.blog_posts, site.comments, site.attachments)
                    if content_id in c), None)
        if obj is None or session is ANONYMOUS or obj.status != "current":
            raise ApiError(404, f"No content with id {content_id}")
        newest_first = sorted(site.versions_of(obj), key=lambda v: v.number, reverse=True)

        def render(version: Any) -> dict[str, Any]:
            return {"by": self.user_json(version.author_id), "when": self.when(version.created_at),
                    "message": version.message, "number": version.number, "minorEdit": version.minor_edit,
                    "_links": {"self": f"{self.base_url}{REST}/content/{obj.id}/version/{version.number}"}}

        return self._page_of(query, newest_first, render, MAX_VERSIONS_LIMIT)
