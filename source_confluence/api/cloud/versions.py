"""Version histories on Cloud: `/pages|blogposts|footer-comments|inline-comments|attachments/{id}/versions`,
newest first (`sort=-modified-date`), `limit` up to 250, paged by the opaque `_links.next` cursor.

A comment's version 1 read here is remembered for the sync: `comments` asks for it (a v2 comment's
creation time) and then needs no request of its own when `content_versions` read it first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

from source_confluence.api.protocol import ATTACHMENT, BLOGPOST, FOOTER_COMMENT, INLINE_COMMENT, PAGE, ListPage

VERSION_PATHS = {PAGE: "/pages", BLOGPOST: "/blogposts", FOOTER_COMMENT: "/footer-comments",
                 INLINE_COMMENT: "/inline-comments", ATTACHMENT: "/attachments"}
COMMENT_KINDS = (FOOTER_COMMENT, INLINE_COMMENT)


class CloudVersionReads:
    """Mixed into `CloudClient` (which provides `list_from` and `_first`)."""

    versions_newest_first = True
    """The request asks for newest first (a sort the contract states)."""
    _first_versions_lock = threading.Lock()

    def versions(self: Any, kind: str, content_id: str) -> Iterator[ListPage]:
        """The versions of one page, blog post, comment or attachment (`kind` as a walk's), in the
        v2 Version shape (`number`, `createdAt`, `authorId`, `message`, `minorEdit`)."""
        lists: Iterator[ListPage] = self.list_from(
            self._first(f"{VERSION_PATHS[kind]}/{content_id}/versions", sort="-modified-date"))
        for listed in lists:
            if kind in COMMENT_KINDS:
                for version in listed.results:
                    if version.get("number") == 1:
                        self.remember_first_version(kind, content_id, version)
            yield listed

    def remember_first_version(self, kind: str, comment_id: str, version: Mapping[str, Any]) -> None:
        with self._first_versions_lock:
            self.__dict__.setdefault("_first_versions", {})[(kind, comment_id)] = version

    def known_first_version(self, kind: str, comment_id: str) -> Mapping[str, Any] | None:
        """Version 1 of a comment, when this client read it in a version list."""
        with self._first_versions_lock:
            known: Mapping[str, Any] | None = self.__dict__.get("_first_versions", {}).get((kind, comment_id))
            return known
