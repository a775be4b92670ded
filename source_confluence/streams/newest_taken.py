"""The versions the newest-first half of a two-ended walk took (streams/walk_ends.py), kept on disk.

That half holds every version it took until the halves meet (about 100,000 comments on the
benchmark's full site, issue 16). In a `Seen` each distinct time costs a dict entry and a set
(about 270 bytes a version, the times being nearly all distinct); as flat pairs in two lists, with
their strings, ~16 MB for the two copies a walk keeps (its `Taken`'s and its own), held to the end
of the `comments` phase. The pairs are kept instead in a scratch database (sync/spill.py), in the
order taken. The frontier keeps only versions at or after the floor of its new cursor, and that
floor depends on the cursor alone, so only those are read back, grouped by time, when the frontier
advances.
"""

from __future__ import annotations

from source_confluence.streams.frontier import Frontier, Seen
from source_confluence.sync.spill import Spill

SCHEMA = "CREATE TABLE taken (at TEXT, key TEXT);"
ADD = "INSERT INTO taken (at, key) VALUES (?, ?)"
EVERY = "SELECT at, key FROM taken ORDER BY rowid"
SINCE = "SELECT at, key FROM taken WHERE at >= ? ORDER BY rowid"
"""SQLite compares text as UTF-8 bytes: the same order as Python's for str."""


class NewestTaken:
    def __init__(self) -> None:
        self._pairs = Spill(SCHEMA)
        self.high: str | None = None
        """The newest time taken (as `Seen.high`)."""

    def merge(self, seen: Seen) -> None:
        pairs = [(at, key) for at, keys in seen.by_time.items() for key in keys]
        if pairs:
            self._pairs.write(ADD, pairs)
        for at in seen.by_time:
            if self.high is None or at > self.high:
                self.high = at

    def advance(self, frontier: Frontier, candidate: str | None, cap: str | None) -> Frontier:
        """`frontier.advanced` with every version taken, as if they were held in a `Seen`."""
        floor = frontier.advanced({}, candidate, cap).floor
        kept: dict[str, set[str]] = {}
        for at, key in self._pairs.query(EVERY) if floor is None else self._pairs.query(SINCE, (floor,)):
            kept.setdefault(at, set()).add(key)
        return frontier.advanced(kept, candidate, cap)
