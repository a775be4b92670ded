"""Attachments: site-wide and per-container lists, one attachment."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..model import Attachment, BlogPost, Page
from .query import Call
from .wire import COMMENT_SORTS, Response, encode_json


class AttachmentRoutes:
    """Attachments: site-wide and per-container lists, one attachment.

    A mixin of ``CloudRoutes``: ``self.site``, ``self._list`` and the shapes come from its other bases.
    """

    def _attachment_list(self, call: Call, scope: tuple, candidates: Callable[[], Iterable]) -> Response:
        q = call.query
        sort = q.sort(COMMENT_SORTS, default="id")
        wanted = q.choices("status", ("current", "archived", "trashed"), ("current", "archived"))
        media_type = q.one("mediaType")
        filename = q.one("filename")
        limit = q.limit(default=50)

        def keep(a: Attachment) -> bool:
            if a.status not in wanted:
                return False
            if media_type and a.media_type != media_type:
                return False
            if filename and a.title != filename:
                return False
            return True

        return self._list(
            call,
            "attachments",
            scope,
            candidates,
            sort,
            limit,
            keep,
            lambda a: encode_json(self._attachment_json(a)),
        )

    def _h_attachments(self, call: Call) -> Response:
        return self._attachment_list(call, (), lambda: self.site.attachments.values())

    def _container_attachments(self, call: Call, container: Page | BlogPost) -> Response:
        site = self.site
        return self._attachment_list(
            call,
            (container.id,),
            lambda: [site.attachments[i] for i in site.attachments_by_container.get(container.id, ())],
        )

    def _h_page_attachments(self, call: Call) -> Response:
        return self._container_attachments(call, self._existing_page(call))

    def _h_blogpost_attachments(self, call: Call) -> Response:
        return self._container_attachments(call, self._existing_blog(call))

    def _h_attachment(self, call: Call) -> Response:
        att = self._existing_attachment(call)
        d = self._attachment_json(att)
        d["_links"]["base"] = self.wiki_base
        return self._json(200, d)

