"""Version histories on Cloud: `/pages|blogposts|footer-comments|inline-comments|attachments/{id}/versions`,
newest first (`sort=-modified-date`), `limit` up to 250, paged by the opaque `_links.next` cursor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from source_confluence.api.protocol import ATTACHMENT, BLOGPOST, FOOTER_COMMENT, INLINE_COMMENT, PAGE, ListPage

VERSION_PATHS = {PAGE: "/pages", BLOGPOST: "/blogposts", FOOTER_COMMENT: "/footer-comments",
                 INLINE_COMMENT: "/inline-comments", ATTACHMENT: "/attachments"}


class CloudVersionReads:
    """Mixed into `CloudClient` (which provides `list_from` and `_first`)."""

    versions_newest_first = True
    """The request asks for newest first (a sort the contract states)."""

    def versions(self: Any, kind: str, content_id: str) -> Iterator[ListPage]:
        """The versions of one page, blog post, comment or attachment (`kind` as a walk's), in the
        v2 Version shape (`number`, `createdAt`, `authorId`, `message`, `minorEdit`)."""
        lists: Iterator[ListPage] = self.list_from(
            self._first(f"{VERSION_PATHS[kind]}/{content_id}/versions", sort="-modified-date"))
        return lists
