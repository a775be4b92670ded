"""Version histories: every version of a page, blog post, comment or attachment.

The model keeps an object's current version only. Its earlier versions are derived from the object
(deterministically, from its id: authors among the site's users, times spread between its creation
and its current version, some minor edits and messages) the first time they are asked for, and kept
from then on; a mutation that makes a new version keeps the history up to the version it replaces,
so a history only ever grows at its end, as Confluence's does.
"""

from __future__ import annotations

import random
import zlib
from datetime import timedelta
from typing import Any

from .entities import Comment, Version

MESSAGES = ("", "", "", "Fixed typos", "Updated after review", "Added examples", "Reworded the summary")


class VersionHistory:
    """The kept histories, by object; callers hold the site's lock."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], list[Version]] = {}

    def versions(self, obj: Any, users: list[str]) -> list[Version]:
        """Versions 1..current of `obj`, oldest first."""
        key = (type(obj).__name__, obj.id)
        kept = self._kept.setdefault(key, [])
        current: Version = obj.version
        if not kept:
            kept.append(_first(obj))
        last = kept[-1]
        if last.number < current.number - 1:
            kept.extend(_between(obj.id, last, current, users))
        if kept[-1].number == current.number:
            kept[-1] = current
        elif current.number > kept[-1].number:
            kept.append(current)
        return list(kept)

    def before_new_version(self, obj: Any, users: list[str]) -> None:
        """Keeps the history up to the current version, which a mutation is about to replace."""
        self.versions(obj, users)


def _first(obj: Any) -> Version:
    if obj.version.number == 1:
        return obj.version
    if isinstance(obj, Comment):
        return obj.first_version
    author = getattr(obj, "author_id", None) or obj.version.author_id
    return Version(1, obj.created_at, author, "", False)


def _between(object_id: str, last: Version, current: Version, users: list[str]) -> list[Version]:
    """The versions after `last` and before `current`, at times strictly between theirs where they fit."""
    rng = random.Random(zlib.crc32(f"{object_id}:{last.number}".encode()))
    count = current.number - last.number - 1
    span = max((current.created_at - last.created_at).total_seconds() * 1000, 0.0)
    step = span / (count + 1)
    found: list[Version] = []
    for k in range(1, count + 1):
        at = last.created_at + timedelta(milliseconds=int(step * k))
        author = rng.choice(users) if users and rng.random() < 0.6 else current.author_id
        found.append(Version(last.number + k, at, author, rng.choice(MESSAGES), rng.random() < 0.3))
    return found
