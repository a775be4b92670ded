"""Analytics (REST v1, Cloud only): views and distinct viewers of a page or blog post."""

from __future__ import annotations

from ..model.views import parse_from_date
from .query import Call
from .wire import ApiError, Response


class AnalyticsRoutes:
    """``/wiki/rest/api/analytics/content/{id}/views`` and ``/viewers``, with an optional ``fromDate``.

    A mixin of ``CloudRoutes``: ``self.site`` and ``self._json`` come from its other bases.
    """

    def _count(self, call: Call, viewers: bool) -> Response:
        raw = call.query.one("fromDate")
        since = parse_from_date(raw) if raw else None
        if raw and since is None:
            raise ApiError(400, f"fromDate {raw!r} is not a date")
        content_id = call.id or ""
        if content_id not in self.site.pages and content_id not in self.site.blog_posts:
            raise ApiError(404, f"There is no content with the given id {content_id}")
        views, distinct = self.site.view_counts(content_id, since)
        return self._json(200, {"id": int(content_id), "count": distinct if viewers else views})

    def _h_analytics_views(self, call: Call) -> Response:
        return self._count(call, viewers=False)

    def _h_analytics_viewers(self, call: Call) -> Response:
        return self._count(call, viewers=True)
