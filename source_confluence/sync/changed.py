"""The content a sync's walks emitted (pages, blog posts, attachments), by type: the label stream
reads the current labels of exactly these (streams/label_rounds.py), since the labels of content
that changed may have changed with it. Thread-safe; filled in the first phase of a sync and read in
the second, when every content stream has finished. It grows with the site: it is kept on disk
(sync/spill.py), in the order first seen."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

from source_confluence.api.protocol import ATTACHMENT, BLOGPOST, PAGE
from source_confluence.sync.spill import Spill

LABELLED_KINDS = (PAGE, BLOGPOST, ATTACHMENT)
SCHEMA = "CREATE TABLE content (seq INTEGER PRIMARY KEY, kind, id, space_id, version, UNIQUE (kind, id));"
ADD = """
INSERT INTO content (kind, id, space_id, version) VALUES (?, ?, ?, ?)
ON CONFLICT (kind, id) DO UPDATE SET space_id = excluded.space_id, version = CASE
    WHEN excluded.version IS NOT NULL AND (content.version IS NULL OR excluded.version > content.version)
    THEN excluded.version ELSE content.version END
"""
"""The space of the last record seen, and the newest version number seen (an int, else none)."""


class ChangedContent:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.enabled = True
        """False when `content_labels` is not selected: nothing reads what would be kept."""
        self._content = Spill(SCHEMA)

    def add(self, kind: str, record: Mapping[str, Any]) -> None:
        """A record a content walk emitted (ignored unless it is current labelled content: the label
        endpoints list current content only)."""
        if self.enabled and kind in LABELLED_KINDS and record.get("status", "current") == "current":
            number = record.get("version_number")
            row = (kind, str(record["id"]), record.get("space_id"), number if isinstance(number, int) else None)
            with self._lock:
                self._content.write(ADD, [row])

    def of(self, kind: str) -> dict[str, str | None]:
        """Content id -> its space id, of the content of `kind` emitted so far."""
        with self._lock:
            rows = self._content.query("SELECT id, space_id FROM content WHERE kind = ? ORDER BY seq", (kind,))
        shared: dict[Any, Any] = {}  # one object per space, not one per row read back
        return {content_id: shared.setdefault(space_id, space_id) for content_id, space_id in rows}

    def versions(self, kind: str) -> dict[str, int | None]:
        """Content id -> the newest version number emitted (None when the record had none), of `kind`."""
        with self._lock:
            return dict(self._content.query("SELECT id, version FROM content WHERE kind = ? ORDER BY seq", (kind,)))

    def batches(self, kind: str, size: int) -> Iterator[list[tuple[str, str | None, int | None]]]:
        """(content id, its space id, its newest version) of the content of `kind` emitted, in batches
        of `size` by id (as Python orders strings: SQLite's binary collation of UTF-8), read back one
        batch at a time: the whole list would hold ~100,000 pages at the benchmark's full size."""
        after = ""
        while True:
            with self._lock:
                rows = self._content.query("SELECT id, space_id, version FROM content WHERE kind = ? AND id > ? "
                                           "ORDER BY id LIMIT ?", (kind, after, size))
            if not rows:
                return
            shared: dict[Any, Any] = {}  # one object per space in a batch, not one per row read back
            yield [(content_id, shared.setdefault(space_id, space_id), version) for content_id, space_id, version in rows]
            after = rows[-1][0]

    def __len__(self) -> int:
        with self._lock:
            return sum(count for count, in self._content.query("SELECT count(*) FROM content"))

    def close(self) -> None:
        """The sync ended: the content kept on disk goes (sync/spill.py)."""
        with self._lock:
            self._content.close()
