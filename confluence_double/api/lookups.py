"""Path ids to site objects: 400 for ids that cannot exist, 404 for ids that do not."""

from __future__ import annotations

from ..model import Attachment, BlogPost, Label, Page, Space
from .query import Call
from .wire import ApiError


class Lookups:
    """Path ids to site objects: 400 for ids that cannot exist, 404 for ids that do not.

    A mixin of ``CloudRoutes``: ``self.site``, ``self._list`` and the shapes come from its other bases.
    """

    @staticmethod
    def _numeric_id(call: Call) -> str:
        assert call.id is not None
        if not call.id.isdigit():
            raise ApiError(400, f"'{call.id}' is not a valid id")
        return str(int(call.id))

    def _existing_page(self, call: Call) -> Page:
        page = self.site.pages.get(self._numeric_id(call))
        if page is None:
            raise ApiError(404, f"No page with id {call.id}")
        return page

    def _existing_blog(self, call: Call) -> BlogPost:
        blog = self.site.blog_posts.get(self._numeric_id(call))
        if blog is None:
            raise ApiError(404, f"No blog post with id {call.id}")
        return blog

    def _existing_space(self, call: Call) -> Space:
        space = self.site.spaces.get(self._numeric_id(call))
        if space is None:
            raise ApiError(404, f"No space with id {call.id}")
        return space

    def _existing_label(self, call: Call) -> Label:
        label = self.site.labels.get(self._numeric_id(call))
        if label is None:
            raise ApiError(404, f"No label with id {call.id}")
        return label

    def _existing_attachment(self, call: Call) -> Attachment:
        assert call.id is not None
        digits = call.id[3:] if call.id.startswith("att") else call.id
        if not digits.isdigit():
            raise ApiError(400, f"'{call.id}' is not a valid attachment id")
        att = self.site.attachments.get(f"att{int(digits)}")
        if att is None:
            raise ApiError(404, f"No attachment with id {call.id}")
        return att

