"""What the sync's page and blog post records showed, for the streams that run after them.

`content_restrictions` reads the restrictions of the pages and blog posts that changed (those the
content walks emitted), and `folders` looks up the folders those pages name as their parent. The
content partitions hand this collector each page of records before emitting it; no stream walks
the content again. Thread-safe: every content partition feeds it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from source_confluence.sync.spill import Spill

CONTENT_TYPE_OF_STREAM = {"pages": "page", "blog_posts": "blogpost"}
FOLDER = "folder"
SCHEMA = "CREATE TABLE changed (id PRIMARY KEY, content_type, space_id, updated_at);"
ADD = """
INSERT INTO changed (id, content_type, space_id, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    content_type = excluded.content_type, space_id = excluded.space_id, updated_at = excluded.updated_at
WHERE coalesce(excluded.updated_at, '') >= coalesce(changed.updated_at, '')
"""
"""A content id seen again keeps its newest version."""
ORDERED = "SELECT id, content_type, space_id, updated_at FROM changed ORDER BY length(id), id"
"""Shorter ids first, then by id (numeric ids in numeric order), as `sorted` by (len, id) gave: SQLite's
length counts characters, and its text order (UTF-8 bytes) is Python's (code points)."""


@dataclass(frozen=True, slots=True)  # one per page and blog post of the sync: a third of the size
class ChangedContent:
    id: str
    content_type: str
    space_id: str | None
    updated_at: str | None
    """The version time the record carried."""


class EmittedContent:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = Spill(SCHEMA)
        self.keeps_changed = True
        """False when `content_restrictions` is not selected: nothing reads `changed()`."""
        self._folders: dict[str, str | None] = {}
        self._streams: set[str] = set()
        self._watchers: list[Callable[[], None]] = []

    def add(self, stream: str, records: Iterable[Mapping[str, Any]]) -> None:
        content_type = CONTENT_TYPE_OF_STREAM.get(stream)
        if content_type is None:
            return
        with self._lock:
            folders_before = len(self._folders)
            changed = []
            for record in records:
                if self.keeps_changed:
                    changed.append((str(record["id"]), content_type, record.get("space_id"), record.get("updated_at")))
                if record.get("parent_type") == FOLDER and record.get("parent_id"):
                    self._folders.setdefault(str(record["parent_id"]), record.get("space_id"))
            if changed:
                self._changed.write(ADD, changed)
            watchers = list(self._watchers) if len(self._folders) > folders_before else []
        for watcher in watchers:  # in the partition's thread, before the records are emitted
            watcher()

    def walked(self, stream: str) -> None:
        """`stream` (pages or blog_posts) reads in this sync: its changed content shows here."""
        with self._lock:
            self._streams.add(stream)

    def walks(self, stream: str) -> bool:
        with self._lock:
            return stream in self._streams

    def changed(self) -> Iterator[ChangedContent]:
        """Read back a batch at a time: on a first sync every page and blog post (~27 MB as one list at 1x)."""
        shared: dict[Any, Any] = {}  # one object per type and space, not one per row read back
        batches = self._changed.batches(ORDERED)
        while True:
            with self._lock:
                rows = next(batches, None)
            if rows is None:
                return
            for content_id, content_type, space_id, updated_at in rows:
                yield ChangedContent(content_id, shared.setdefault(content_type, content_type),
                                     shared.setdefault(space_id, space_id), updated_at)

    def close(self) -> None:
        """The sync ended: the changed content kept on disk goes (sync/spill.py)."""
        with self._lock:
            self._changed.close()

    def folders(self) -> dict[str, str | None]:
        """Folder ids the emitted pages name as their parent, in the order first seen, with the space
        of the page that named it (a folder's space: v2 folders do not say theirs)."""
        with self._lock:
            return dict(self._folders)

    @contextmanager
    def watched_by(self, watcher: Callable[[], None]) -> Iterator[None]:
        """`watcher` hears of newly named folders while the block runs (`folders` saves them as pending)."""
        with self._lock:
            self._watchers.append(watcher)
        try:
            yield
        finally:
            with self._lock:
                self._watchers.remove(watcher)
