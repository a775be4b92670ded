"""Footer and inline comments: site-wide and per-container lists, children, versions."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..model import BlogPost, Comment, Page
from .query import Call
from .wire import BODY_FORMATS, COMMENT_SORTS, SINGLE_STATUSES, ApiError, Response


class CommentRoutes:
    """Footer and inline comments: site-wide and per-container lists, children, versions.

    A mixin of ``CloudRoutes``: ``self.site``, ``self._list`` and the shapes come from its other bases.
    """

    def _comment_list(
        self,
        call: Call,
        family: str,
        scope: tuple,
        candidates: Callable[[], Iterable],
        keep: Callable[[object], bool],
    ) -> Response:
        q = call.query
        body_format = q.choice("body-format", BODY_FORMATS)
        sort = q.sort(COMMENT_SORTS, default="id")
        limit = q.limit()
        return self._list(
            call,
            family,
            scope,
            candidates,
            sort,
            limit,
            keep,
            lambda c: self._text_with_body(self._comment_json(c), c, body_format),
        )

    def _global_comments(self, call: Call, kind: str) -> Response:
        site = self.site
        return self._comment_list(
            call,
            f"{kind}-comments",
            (),
            lambda: [c for c in site.comments.values() if c.comment_type == kind],
            lambda c: c.status == "current",
        )

    def _h_footer_comments(self, call: Call) -> Response:
        return self._global_comments(call, "footer")

    def _h_inline_comments(self, call: Call) -> Response:
        return self._global_comments(call, "inline")

    def _container_comments(self, call: Call, container: Page | BlogPost, kind: str) -> Response:
        q = call.query
        wanted = q.choices("status", SINGLE_STATUSES, ("current",))
        resolution = q.choices("resolution-status", ("resolved", "open", "dangling", "reopened"), ()) if kind == "inline" else ()
        site = self.site

        def candidates():
            found = (site.comments[i] for i in site.comments_by_container.get(container.id, ()))
            # Confluence lists only root comments here; replies come from .../{id}/children.
            return [c for c in found if c.comment_type == kind and c.parent_comment_id is None]

        def keep(c: Comment) -> bool:
            return c.status in wanted and (not resolution or c.resolution_status in resolution)

        return self._comment_list(call, f"{kind}-comments-of", (container.id,), candidates, keep)

    def _h_page_footer_comments(self, call: Call) -> Response:
        return self._container_comments(call, self._existing_page(call), "footer")

    def _h_page_inline_comments(self, call: Call) -> Response:
        return self._container_comments(call, self._existing_page(call), "inline")

    def _h_blogpost_footer_comments(self, call: Call) -> Response:
        return self._container_comments(call, self._existing_blog(call), "footer")

    def _h_blogpost_inline_comments(self, call: Call) -> Response:
        return self._container_comments(call, self._existing_blog(call), "inline")

    def _comment_children(self, call: Call, kind: str) -> Response:
        parent = self.site.comments.get(self._numeric_id(call))
        if parent is None or parent.comment_type != kind:
            raise ApiError(404, f"No {kind} comment with id {call.id}")
        site = self.site

        def candidates():
            found = (site.comments[i] for i in site.comments_by_container.get(parent.container_id, ()))
            return [c for c in found if c.parent_comment_id == parent.id]

        return self._comment_list(call, f"{kind}-comment-children", (parent.id,), candidates, lambda c: c.status == "current")

    def _h_footer_comment_children(self, call: Call) -> Response:
        return self._comment_children(call, "footer")

    def _h_inline_comment_children(self, call: Call) -> Response:
        return self._comment_children(call, "inline")

    def _comment_version(self, call: Call, kind: str) -> Response:
        """A DetailedVersion. The model keeps a comment's first and current versions only; the ones
        between are answered 404 (the connector asks for version 1 alone)."""
        comment = self.site.comments.get(self._numeric_id(call))
        if comment is None or comment.comment_type != kind:
            raise ApiError(404, f"No {kind} comment with id {call.id}")
        if not (call.number or "").isdigit():
            raise ApiError(400, f"'{call.number}' is not a valid version number")
        number = int(call.number or "0")
        versions = {1: comment.first_version, comment.version.number: comment.version}
        version = versions.get(number)
        if version is None:
            raise ApiError(404, f"No version {number} of {kind} comment {comment.id}")
        doc = {**self._version(version), "contentTypeModified": False, "collaborators": [version.author_id]}
        if number > 1:
            doc["prevVersion"] = number - 1
        if number < comment.version.number:
            doc["nextVersion"] = number + 1
        return self._json(200, doc)

    def _h_footer_comment_version(self, call: Call) -> Response:
        return self._comment_version(call, "footer")

    def _h_inline_comment_version(self, call: Call) -> Response:
        return self._comment_version(call, "inline")

