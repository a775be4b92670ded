"""The changed content `content_restrictions` checks, kept on disk and read back one partition at a time.

The stream's partitions (streams/restrictions.py: one per due space, one for the other spaces) each
check the changed content of their own spaces. On a first sync that is every page and blog post of
the site; held as one map for the whole second phase it was the largest thing the connector kept
at its peak (~33 MB for 107,000 pages and blog posts, issue 16). It is kept instead in a scratch
database (sync/spill.py) in the order given, and a partition reads only its own part when it runs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from source_confluence.sync.spill import Spill

SCHEMA = """
CREATE TABLE changed (seq INTEGER PRIMARY KEY, id, content_type, space_id, observed_at);
CREATE INDEX changed_by_space ON changed (space_id, seq);
"""
ADD = "INSERT INTO changed (id, content_type, space_id, observed_at) VALUES (?, ?, ?, ?)"
OF_SPACE = "SELECT id, content_type, space_id, observed_at FROM changed WHERE space_id = ? ORDER BY seq"
OUTSIDE = """
SELECT id, content_type, space_id, observed_at FROM changed
WHERE space_id IS NULL OR space_id NOT IN (SELECT value FROM json_each(?)) ORDER BY seq
"""
"""The spaces left out as one JSON array of strings: one statement however many they are."""
WRITE_BATCH = 1000


@dataclass(frozen=True, slots=True)  # one per content a partition checks: slots halve its size
class Where:
    """A content to check: its type, space and the earliest time a row read for it may carry."""

    content_type: str
    space_id: str | None
    observed_at: str


class ChangedWhere:
    """Content id -> `Where`, written once, read back by space (thread-safe: every partition reads it)."""

    def __init__(self, items: Iterable[tuple[str, Where]]) -> None:
        """`items`: each id once."""
        self._lock = threading.Lock()
        self._spill = Spill(SCHEMA)
        self._written = False
        batch: list[tuple[str, str, str | None, str]] = []
        for content_id, where in items:
            self._written = True
            batch.append((content_id, where.content_type, where.space_id, where.observed_at))
            if len(batch) >= WRITE_BATCH:
                self._spill.write(ADD, batch)
                batch = []
        if batch:
            self._spill.write(ADD, batch)

    def of_space(self, space_id: str) -> dict[str, Where]:
        """The changed content of one space, in the order given."""
        if not self._written:
            return {}
        with self._lock:
            return _wheres(self._spill.query(OF_SPACE, (space_id,)))

    def outside(self, space_ids: Iterable[str]) -> dict[str, Where]:
        """The changed content of every space but these (and of content without a space), in the order given."""
        if not self._written:
            return {}  # no scratch file for a sync that changed nothing
        with self._lock:
            return _wheres(self._spill.query(OUTSIDE, (json.dumps(sorted(set(space_ids))),)))

    def close(self) -> None:
        with self._lock:
            self._spill.close()


def _wheres(rows: Iterable[tuple[str, str, str | None, str]]) -> dict[str, Where]:
    shared: dict[str | None, str | None] = {}  # one string per type and space, not one per row
    return {content_id: Where(str(shared.setdefault(content_type, content_type)),
                              shared.setdefault(space_id, space_id), observed_at)
            for content_id, content_type, space_id, observed_at in rows}
