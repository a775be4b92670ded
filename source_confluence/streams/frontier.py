"""What a modification-time walk has emitted, and what it may claim after each page.

A walk's state is a cursor and the versions emitted at or just after it:
- every version changed before the cursor's *floor* was emitted (the floor is the cursor itself, or
  the start of its minute where the server filters to the minute, Data Center's CQL);
- `versions` holds every version emitted at a time at or after the floor, by time, as `id#number`
  keys. Confluence does not order equal sort keys: any number of objects may share the cursor's
  millisecond, in any order, at any page boundary. A walk therefore never stops at an emitted
  version of the cursor's instant: it skips the versions it knows and reads on until a strictly
  older one.

The cursor only moves to a point the walk has proven: newest first, the newest change once the walk
reaches its bound; oldest first, the position the list has been read up to (`proven_before`, which
the client gives for server-filtered lists, Data Center, where a hit's own time proves nothing), and
never past `cap` (now minus the time a change may take to show in the list, Data Center's index lag).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from source_confluence.timestamps import normalize_timestamp


class Decision(Enum):
    TAKE = "take"
    SKIP = "skip"
    """Already emitted in this version: read on."""
    STOP = "stop"
    """Newest first, older than everything not yet emitted: the walk is done."""


def minute_of(timestamp: str) -> str:
    """The start of a canonical timestamp's minute (UTC minutes start where any zone's do)."""
    return timestamp[:17] + "00.000Z"


def modified_at(raw: Mapping[str, Any]) -> str | None:
    version = raw.get("version") or {}
    return normalize_timestamp(version.get("createdAt")) or normalize_timestamp(raw.get("createdAt"))


def version_key(raw: Mapping[str, Any]) -> str:
    """`id#number`: one version of one object (`id` alone when the object has no version number)."""
    number = (raw.get("version") or {}).get("number")
    return f"{raw.get('id')}#{number}" if isinstance(number, int) and not isinstance(number, bool) else str(raw.get("id"))


def _id_of(key: str) -> str:
    return key.partition("#")[0]


@dataclass
class Frontier:
    cursor: str | None
    versions: dict[str, set[str]] = field(default_factory=dict)
    by_minute: bool = False
    exact: bool = False
    """A start date rather than a cursor: nothing before it is wanted, nothing at it was emitted."""

    @classmethod
    def of(cls, cursor: str | None, versions: Mapping[str, Iterable[str]] | None, by_minute: bool,
           exact: bool = False) -> Frontier:
        return cls(cursor, {at: set(keys) for at, keys in (versions or {}).items()}, by_minute, exact)

    @property
    def floor(self) -> str | None:
        if self.cursor is None:
            return None
        return minute_of(self.cursor) if self.by_minute and not self.exact else self.cursor

    def decide(self, updated_at: str | None, key: str, descending: bool) -> Decision:
        floor = self.floor
        if updated_at is None:
            return Decision.TAKE
        if floor is not None and updated_at < floor:
            return Decision.STOP if descending else Decision.SKIP
        known = self.versions.get(updated_at)
        # A bare id (a state written before versions were kept) stands for any version at that time.
        if known and (key in known or _id_of(key) in known):
            return Decision.SKIP
        return Decision.TAKE

    def advanced(self, seen: Mapping[str, set[str]], candidate: str | None, cap: str | None) -> Frontier:
        """The frontier once everything before `candidate` is proven emitted (None: not yet)."""
        if candidate is not None and cap is not None:
            candidate = min(candidate, cap)
        cursor = self.cursor
        if candidate is not None and (cursor is None or candidate > cursor):
            cursor = candidate
        moved = Frontier(cursor, {}, self.by_minute, exact=self.exact and cursor == self.cursor)
        floor = moved.floor
        for source in (self.versions, seen):
            for at, keys in source.items():
                # Without a cursor (nothing proven yet) every version taken is kept.
                if floor is None or at >= floor:
                    moved.versions.setdefault(at, set()).update(keys)
        return moved

    def versions_json(self) -> dict[str, list[str]]:
        return {at: sorted(keys) for at, keys in sorted(self.versions.items())}


@dataclass
class Seen:
    """What one walk took: every version by time, and the newest time."""

    by_time: dict[str, set[str]] = field(default_factory=dict)
    high: str | None = None

    def add(self, updated_at: str | None, key: str) -> None:
        if updated_at is None:
            return
        self.by_time.setdefault(updated_at, set()).add(key)
        if self.high is None or updated_at > self.high:
            self.high = updated_at

    @classmethod
    def resumed(cls, high: str | None, keys: Iterable[str]) -> Seen:
        seen = cls()
        for key in keys:
            seen.add(high, key)
        return seen

    def merge(self, other: Seen) -> None:
        for at, keys in other.by_time.items():
            for key in keys:
                self.add(at, key)

    def forget_before(self, floor: str | None) -> None:
        """Drops the versions older than `floor`, except at `high`. A walk's frontier keeps only the
        versions at or after its floor, and that floor never goes down within a read, so an
        oldest-first walk need not hold every version it took until its end (issue 16: that grew
        with the list, 200,000 comments at the benchmark's full size)."""
        if floor is None:
            return
        for at in [at for at in self.by_time if at < floor and at != self.high]:
            del self.by_time[at]

    @staticmethod
    def highest(*seens: Seen) -> str | None:
        """The newest time any of `seens` took."""
        return max((seen.high for seen in seens if seen.high is not None), default=None)

    def keys_at_high(self) -> list[str]:
        return sorted(self.by_time.get(self.high, ())) if self.high else []
