"""Pages and blog posts: site-wide and per-space lists, one page or blog post."""

from __future__ import annotations

from collections.abc import Callable

from ..model import BlogPost, Page
from .query import Call
from .wire import BLOG_SORTS, BLOG_STATUSES, BODY_FORMATS, PAGE_SORTS, PAGE_STATUSES, SINGLE_STATUSES, V2, ApiError, Response


class ContentRoutes:
    """Pages and blog posts: site-wide and per-space lists, one page or blog post.

    A mixin of ``CloudRoutes``: ``self.site``, ``self._list`` and the shapes come from its other bases.
    """

    def _content_list(
        self,
        call: Call,
        family: str,
        collection: dict,
        sorts: tuple[str, ...],
        statuses: tuple[str, ...],
        default_statuses: tuple[str, ...],
        render: Callable[[object], dict],
        *,
        fixed_space: str | None = None,
        root_only: bool = False,
    ) -> Response:
        q = call.query
        ids = [str(i) for i in q.ints("id", 250)]
        if fixed_space is not None:
            space_ids = [fixed_space]
        else:
            space_ids = [str(i) for i in q.ints("space-id", 100)]
        sort = q.sort(sorts)
        wanted = q.choices("status", statuses, default_statuses)
        title = q.one("title")
        body_format = q.choice("body-format", BODY_FORMATS)
        limit = q.limit()
        space_set = frozenset(space_ids)
        id_set = frozenset(ids)
        if id_set:
            scope: tuple = ("ids", id_set)

            def candidates():
                return [collection[i] for i in sorted(id_set) if i in collection]
        elif space_set:
            scope = ("spaces", space_set)

            def candidates():
                return [o for o in collection.values() if o.space_id in space_set]
        else:
            scope = ()

            def candidates():
                return collection.values()

        def keep(o) -> bool:
            if o.status not in wanted:
                return False
            if space_set and o.space_id not in space_set:
                return False
            if title is not None and o.title != title:
                return False
            if root_only and o.parent_id is not None:
                return False
            return True

        return self._list(
            call,
            family,
            scope,
            candidates,
            sort,
            limit,
            keep,
            lambda o: self._text_with_body(render(o), o, body_format),
        )

    def _h_pages(self, call: Call) -> Response:
        return self._content_list(
            call,
            "pages",
            self.site.pages,
            PAGE_SORTS,
            PAGE_STATUSES,
            ("current", "archived"),
            self._page_json,
        )

    def _h_space_pages(self, call: Call) -> Response:
        space = self._existing_space(call)
        depth = call.query.choice("depth", ("all", "root")) or "all"
        return self._content_list(
            call,
            "pages",
            self.site.pages,
            PAGE_SORTS,
            PAGE_STATUSES,
            ("current", "archived"),
            self._page_json,
            fixed_space=space.id,
            root_only=depth == "root",
        )

    def _h_blogposts(self, call: Call) -> Response:
        return self._content_list(
            call, "blogposts", self.site.blog_posts, BLOG_SORTS, BLOG_STATUSES, ("current",), self._blog_json
        )

    def _h_space_blogposts(self, call: Call) -> Response:
        space = self._existing_space(call)
        return self._content_list(
            call,
            "blogposts",
            self.site.blog_posts,
            BLOG_SORTS,
            BLOG_STATUSES,
            ("current",),
            self._blog_json,
            fixed_space=space.id,
        )

    def _single_content(self, call: Call, obj: Page | BlogPost, default_statuses: tuple[str, ...]) -> Response:
        q = call.query
        wanted = q.choices("status", SINGLE_STATUSES, default_statuses)
        if obj.status not in wanted:
            raise ApiError(404, f"No content with id {obj.id} and status in {sorted(wanted)}")
        body_format = q.one("body-format")
        if body_format and body_format not in BODY_FORMATS:
            raise ApiError(400, f"body-format '{body_format}' is not served by this double")
        version = q.integer("version")
        if version is not None and version != obj.version.number:
            raise ApiError(404, f"Version {version} of {obj.id} is not available (only the current one is kept)")
        if isinstance(obj, Page):
            d = self._with_body(self._page_json(obj), obj, body_format or None)
        else:
            d = self._with_body(self._blog_json(obj), obj, body_format or None)
        if not q.boolean("include-version", True):
            d.pop("version", None)
        if q.boolean("include-labels", False):
            labels = self.site.labels_of(obj.id)
            kind = "pages" if isinstance(obj, Page) else "blogposts"
            d["labels"] = {
                "results": [self._label_json(lb) for lb in labels],
                "meta": {"hasMore": False},
                "_links": {"self": f"{V2}/{kind}/{obj.id}/labels"},
            }
        d["_links"]["base"] = self.wiki_base
        return self._json(200, d)

    def _h_page(self, call: Call) -> Response:
        return self._single_content(call, self._existing_page(call), ("current", "archived"))

    def _h_blogpost(self, call: Call) -> Response:
        return self._single_content(call, self._existing_blog(call), ("current",))

