"""The versions the newest-first half of a two-ended walk took (streams/walk_ends.py), held compactly.

That half holds every version it took until the halves meet (about 100,000 comments on the
benchmark's full site, issue 16). In a `Seen` each distinct time costs a dict entry and a set
(about 270 bytes a version, the times being nearly all distinct); here a version is two references
in two flat lists (16 bytes), the strings being those the walk's `Taken` holds anyway. The frontier
keeps only versions at or after the floor of its new cursor, and that floor depends on the cursor
alone, so only those are grouped by time when the frontier advances.
"""

from __future__ import annotations

from source_confluence.streams.frontier import Frontier, Seen


class NewestTaken:
    def __init__(self) -> None:
        self._times: list[str] = []
        self._keys: list[str] = []
        self.high: str | None = None
        """The newest time taken (as `Seen.high`)."""

    def merge(self, seen: Seen) -> None:
        for at, keys in seen.by_time.items():
            for key in keys:
                self._times.append(at)
                self._keys.append(key)
            if self.high is None or at > self.high:
                self.high = at

    def advance(self, frontier: Frontier, candidate: str | None, cap: str | None) -> Frontier:
        """`frontier.advanced` with every version taken, as if they were held in a `Seen`."""
        floor = frontier.advanced({}, candidate, cap).floor
        kept: dict[str, set[str]] = {}
        for at, key in zip(self._times, self._keys, strict=True):
            if floor is None or at >= floor:
                kept.setdefault(at, set()).add(key)
        return frontier.advanced(kept, candidate, cap)
