"""Spaces: the list and one space."""

from __future__ import annotations

from ..model import Space
from .query import Call
from .wire import SPACE_SORTS, V2, Response, encode_json


class SpaceRoutes:
    """Spaces: the list and one space.

    A mixin of ``CloudRoutes``: ``self.site``, ``self._list`` and the shapes come from its other bases.
    """

    def _h_spaces(self, call: Call) -> Response:
        q = call.query
        ids = {str(i) for i in q.ints("ids", 250)}
        keys = set(q.many("keys", 250))
        space_type = q.choice("type", ("global", "collaboration", "knowledge_base", "personal"))
        status = q.choice("status", ("current", "archived"))
        label_names = set(q.many("labels"))
        description_format = q.choice("description-format", ("plain", "view"))
        include_icon = q.boolean("include-icon", False)
        sort = q.sort(SPACE_SORTS)
        limit = q.limit()
        site = self.site

        def keep(s: Space) -> bool:
            if ids and s.id not in ids:
                return False
            if keys and s.key not in keys:
                return False
            if space_type and s.type != space_type:
                return False
            if status and s.status != status:
                return False
            if label_names and not any(lb.name in label_names for lb in site.labels_of(s.id)):
                return False
            return True

        return self._list(
            call,
            "spaces",
            (),
            lambda: site.spaces.values(),
            sort,
            limit,
            keep,
            lambda s: encode_json(self._space_json(s, description_format, include_icon)),
        )

    def _h_space(self, call: Call) -> Response:
        space = self._existing_space(call)
        q = call.query
        d = self._space_json(space, q.choice("description-format", ("plain", "view")), q.boolean("include-icon", False))
        if q.boolean("include-labels", False):
            labels = self.site.labels_of(space.id)
            d["labels"] = {
                "results": [self._label_json(lb) for lb in labels],
                "meta": {"hasMore": False},
                "_links": {"self": f"{V2}/spaces/{space.id}/labels"},
            }
        d["_links"]["base"] = self.wiki_base
        return self._json(200, d)

