"""Labels: the list, labels of content and spaces, content by label."""

from __future__ import annotations

from ..model import Label
from .query import Call
from .wire import BLOG_SORTS, BODY_FORMATS, COMMENT_SORTS, LABEL_SORTS, PAGE_SORTS, Response, encode_json


class LabelRoutes:
    """Labels: the list, labels of content and spaces, content by label.

    A mixin of ``CloudRoutes``: ``self.site``, ``self._list`` and the shapes come from its other bases.
    """

    def _h_labels(self, call: Call) -> Response:
        q = call.query
        label_ids = frozenset(str(i) for i in q.ints("label-id"))
        prefixes = frozenset(q.many("prefix"))
        sort = q.sort(LABEL_SORTS)
        limit = q.limit()
        site = self.site

        def keep(lb: Label) -> bool:
            return (not label_ids or lb.id in label_ids) and (not prefixes or lb.prefix in prefixes)

        return self._list(
            call,
            "labels",
            (),
            lambda: site.labels.values(),
            sort,
            limit,
            keep,
            lambda lb: encode_json(self._label_json(lb)),
        )

    def _content_labels(self, call: Call, content_id: str, prefixes: tuple[str, ...]) -> Response:
        q = call.query
        prefix = q.choice("prefix", prefixes)
        sort = q.sort(LABEL_SORTS)
        limit = q.limit()
        site = self.site
        return self._list(
            call,
            "content-labels",
            (content_id,),
            lambda: site.labels_of(content_id),
            sort,
            limit,
            lambda lb: prefix is None or lb.prefix == prefix,
            lambda lb: encode_json(self._label_json(lb)),
        )

    CONTENT_PREFIXES = ("my", "team", "global", "system")

    def _h_page_labels(self, call: Call) -> Response:
        return self._content_labels(call, self._existing_page(call).id, self.CONTENT_PREFIXES)

    def _h_blogpost_labels(self, call: Call) -> Response:
        return self._content_labels(call, self._existing_blog(call).id, self.CONTENT_PREFIXES)

    def _h_attachment_labels(self, call: Call) -> Response:
        return self._content_labels(call, self._existing_attachment(call).id, self.CONTENT_PREFIXES)

    def _h_space_labels(self, call: Call) -> Response:
        return self._content_labels(call, self._existing_space(call).id, ("my", "team"))

    def _labelled(self, label: Label, collection: dict) -> list:
        return [collection[i] for i in self.site.content_by_label.get(label.id, {}) if i in collection]

    def _h_label_pages(self, call: Call) -> Response:
        return self._labelled_content(call, "label-pages", self.site.pages, PAGE_SORTS, self._page_json)

    def _h_label_blogposts(self, call: Call) -> Response:
        return self._labelled_content(call, "label-blogposts", self.site.blog_posts, BLOG_SORTS, self._blog_json)

    def _labelled_content(self, call: Call, list_name: str, collection: dict, sorts, to_json) -> Response:
        """Current pages or blog posts carrying a label (the label endpoints take no status filter)."""
        label = self._existing_label(call)
        q = call.query
        space_ids = frozenset(str(i) for i in q.ints("space-id", 100))
        body_format = q.choice("body-format", BODY_FORMATS)
        sort = q.sort(sorts)
        limit = q.limit()
        return self._list(
            call,
            list_name,
            (label.id,),
            lambda: self._labelled(label, collection),
            sort,
            limit,
            lambda c: c.status == "current" and (not space_ids or c.space_id in space_ids),
            lambda c: self._text_with_body(to_json(c), c, body_format),
        )

    def _h_label_attachments(self, call: Call) -> Response:
        label = self._existing_label(call)
        q = call.query
        sort = q.sort(COMMENT_SORTS, default="id")
        limit = q.limit()
        return self._list(
            call,
            "label-attachments",
            (label.id,),
            lambda: self._labelled(label, self.site.attachments),
            sort,
            limit,
            lambda a: a.status == "current",
            lambda a: encode_json(self._attachment_json(a)),
        )

