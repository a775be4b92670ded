"""Version histories on Data Center: `/rest/api/content/{id}/version` (pages, blog posts, comments
and attachments alike), offset-paged by `start`/`limit`. The contract states no order: the stream
stops early only on pages that prove to be newest first (`streams.versions`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from source_confluence.api.datacenter import v1_shapes
from source_confluence.api.protocol import ListPage
from source_confluence.records.values import mapping_of
from source_confluence.timestamps import normalize_timestamp


def version_of(v1: Mapping[str, Any]) -> dict[str, Any]:
    """A v1 Version -> the v2 Version shape (author as the user key, time in UTC)."""
    minor = v1.get("minorEdit")
    return {"number": v1.get("number"), "createdAt": normalize_timestamp(v1.get("when")),
            "authorId": v1_shapes.user_key(v1.get("by")), "message": v1.get("message") or "",
            "minorEdit": minor if isinstance(minor, bool) else None}


class DataCenterVersionReads:
    """Mixed into `DataCenterClient` (which provides `_link`, `_follow`, `page_size` and its user cache)."""

    versions_newest_first = False

    def versions(self: Any, kind: str, content_id: str) -> Iterator[ListPage]:
        """The versions of one content (`kind` is not needed: v1 has one content endpoint)."""

        def convert(raw: Mapping[str, Any]) -> dict[str, Any]:
            author = v1_shapes.user(mapping_of(raw.get("by")))
            if author is not None:  # the users stream then needs no request for this author
                with self._lock:
                    self._users.setdefault(author["accountId"], author)
            return version_of(raw)

        link = self._link(f"/content/{content_id}/version", [("start", 0), ("limit", self.page_size)])
        lists: Iterator[ListPage] = self._follow(link, convert)
        return lists
