"""The newest version a two-ended walk (streams/walk_ends.py) emitted of each id, kept on disk.

Both halves of the walk ask it before emitting, so that an id goes out once per version and never an
older version after a newer one. What the newest-first half emitted stays until the halves meet: on
the benchmark's full site about 100,000 comments, ~15 MB as a dict of (time, number) tuples, held to
the end of the `comments` phase (issue 16). It is kept instead in a scratch database (sync/spill.py)
and asked a page at a time: one query for the page's ids, one write for what it emitted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from source_confluence.sync.spill import Spill

Order = tuple[str, int]
"""(modification time, version number): compared as tuples, as the walk compares versions."""

SCHEMA = "CREATE TABLE latest (id TEXT PRIMARY KEY, at TEXT, number TEXT) WITHOUT ROWID;"
KNOWN = "SELECT id, at, number FROM latest WHERE id IN (SELECT value FROM json_each(?))"
"""The page's ids as one JSON array: one statement whatever the page's size."""
RECORD = """
INSERT INTO latest (id, at, number) VALUES (?, ?, ?)
ON CONFLICT (id) DO UPDATE SET at = excluded.at, number = excluded.number
"""
FORGET = "DELETE FROM latest WHERE at < ?"
"""SQLite compares text as UTF-8 bytes: the same order as Python's for str."""
COUNT = "SELECT count(*) FROM latest"


class LatestEmitted:
    """Not thread-safe: the walk's partition thread alone asks it."""

    def __init__(self) -> None:
        self._spill = Spill(SCHEMA)
        self._size = 0

    def __len__(self) -> int:
        """How many ids are held."""
        return self._size

    def fresh(self, page: Sequence[tuple[str, Order]]) -> list[bool]:
        """For each (id, order) in turn: whether it is newer than what was emitted of the id so far,
        in which case it is now the newest emitted."""
        if not page:
            return []
        ids = list(dict.fromkeys(key for key, _ in page))
        # The number is kept as text: a version number need not fit SQLite's 64-bit integers.
        known: dict[str, Order] = {key: (at, int(number))
                                   for key, at, number in self._spill.query(KNOWN, (json.dumps(ids),))}
        self._size += len(ids) - len(known)
        answers: list[bool] = []
        emitted: dict[str, Order] = {}
        for key, order in page:
            before = known.get(key)
            answers.append(before is None or before < order)
            if answers[-1]:
                known[key] = emitted[key] = order
        if emitted:
            self._spill.write(RECORD, [(key, at, str(number)) for key, (at, number) in emitted.items()])
        return answers

    def forget_before(self, floor: str) -> None:
        """Drops the ids last emitted before `floor`."""
        self._spill.write(FORGET, [(floor,)])
        self._size = self._spill.query(COUNT)[0][0]

    def ids(self) -> set[str]:
        return {key for (key,) in self._spill.query("SELECT id FROM latest")}

    def close(self) -> None:
        self._spill.close()
