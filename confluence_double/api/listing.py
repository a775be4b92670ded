"""The list engine of every v2 collection: sort orders cached per site generation, keyset cursors that
survive changes between requests, and the ``_links.next`` / ``Link`` header pair."""

from __future__ import annotations

import binascii
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from urllib.parse import quote, urlencode

from ..model import to_ms
from .query import Call
from .wire import ApiError, Response, decode_cursor, encode_cursor, encode_json

SORTED_VIEWS = 512  # cached sort orders (see Listing._sorted_view)


def _key_fn(field_name: str) -> Callable[[object], object]:
    if field_name == "id":
        return lambda o: o.num
    if field_name == "created-date":
        return lambda o: to_ms(o.created_at)
    if field_name == "modified-date":
        return lambda o: to_ms(o.version.created_at)
    if field_name == "title":
        return lambda o: o.title
    if field_name == "key":
        return lambda o: o.key
    if field_name == "name":
        return lambda o: o.name
    raise ValueError(field_name)


class Listing:
    """Mixed into ``CloudRoutes`` (``self.site``, ``self.wiki_base``, ``self._sorted``)."""

    def _sorted_view(self, scope: tuple, field_name: str, candidates: Callable[[], Iterable]) -> tuple[list, list]:
        """Candidates sorted ascending by (sort key, id); cached until the site changes."""
        cache_key = (scope, field_name)
        hit = self._sorted.get(cache_key)
        if hit is not None and hit[0] == self.site.generation:
            self._sorted.move_to_end(cache_key)
            return hit[1], hit[2]
        keyf = _key_fn(field_name)
        decorated = sorted(((keyf(o), o.num), o) for o in candidates())
        keys = [k for k, _ in decorated]
        objs = [o for _, o in decorated]
        self._sorted[cache_key] = (self.site.generation, objs, keys)
        self._sorted.move_to_end(cache_key)
        # Least recently used out: a sync of a site with hundreds of labels touches more views
        # than fit, and dropping them all at once also dropped the big, busy ones (the site-wide
        # comment list), which were then sorted again and again.
        while len(self._sorted) > SORTED_VIEWS:
            self._sorted.popitem(last=False)
        return objs, keys

    def _list(
        self,
        call: Call,
        family: str,
        scope: tuple,
        candidates: Callable[[], Iterable],
        sort: tuple[str, bool],
        limit: int,
        keep: Callable[[object], bool] | None,
        render: Callable[[object], str],
    ) -> Response:
        field_name, desc = sort
        objs, keys = self._sorted_view((family, *scope), field_name, candidates)
        cursor = call.query.one("cursor")
        if cursor:
            try:
                doc = decode_cursor(cursor)
                c_family, c_field, c_desc, c_key, c_num = doc  # type: ignore[misc]
                position = (c_key, c_num)
                if c_family != family or c_field != field_name or c_desc != desc or not isinstance(c_num, int):
                    raise ValueError("cursor of another listing")
                start = bisect_left(keys, position) - 1 if desc else bisect_right(keys, position)
            except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
                raise ApiError(400, "Invalid cursor") from None
        else:
            start = len(objs) - 1 if desc else 0
        step = -1 if desc else 1
        picked: list = []
        last_index = -1
        i = start
        n = len(objs)
        while 0 <= i < n:
            o = objs[i]
            if keep is None or keep(o):
                if len(picked) == limit:
                    break
                picked.append(o)
                last_index = i
            i += step
        more = 0 <= i < n  # the loop only stops inside the range when one more match exists
        links: dict[str, str] = {}
        extra: list[tuple[str, str]] = []
        if more and picked:
            last_key = keys[last_index]
            token = encode_cursor([family, field_name, desc, last_key[0], last_key[1]])
            pairs = [(k, v) for k, v in call.query.pairs if k != "cursor"] + [("cursor", token)]
            next_link = call.path + "?" + urlencode(pairs, quote_via=quote, safe=",")
            links["next"] = next_link
            # Confluence sends the next link and the site base in one header (see the OpenAPI examples).
            extra.append(("Link", f'<{next_link}>; rel="next", <{self.wiki_base}>; rel="base"'))
        links["base"] = self.wiki_base
        text = '{"results":[' + ",".join([render(o) for o in picked]) + '],"_links":' + encode_json(links) + "}"
        headers = [("Content-Type", "application/json;charset=UTF-8"), *extra]
        return Response(200, headers, text.encode("ascii"))

