"""The versions a walk took, kept across its restarts for as long as a restart could read them again.

A walk started over (`walk.restarting`) skips the versions the read already took. It starts from a
state the walk saved: its last checkpoint, or, once, the state the read started from when that one
held a page link. A restarted walk's frontier drops every version older than that state's floor, so
a version older than both floors is never read again and need not be held: on the benchmark's full
site the site-wide comment walk held 200,000 of them until its end (issue 16). The floors are taken
at the start of the cursor's minute, at or below any floor a walk computes from it (Data Center's
walks filter to the minute).

The newest-first half of a two-ended walk (streams/walk_ends.py) takes versions newer than every
floor until the halves meet, when the walk ends: none can be dropped, so they are held apart as flat
pairs (`newest`, streams/newest_taken.py) rather than grouped by time in `seen` (~30 MB of 100,000
comments at the benchmark's full size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from source_confluence.streams.frontier import Frontier, Seen, minute_of
from source_confluence.streams.newest_taken import NewestTaken
from source_confluence.sync.state import PartitionState

if TYPE_CHECKING:
    from source_confluence.streams.walk import WalkSlot


FIRST_PASS = 256
"""Below this many times held, nothing is dropped (a pass would cost more than it frees)."""


class Taken:
    def __init__(self, prior: PartitionState | None) -> None:
        self.seen = Seen()
        self.newest = NewestTaken()
        resumed = prior is not None and bool(prior.resume)
        self._origin = minute_of(prior.updated_at) if resumed and prior and prior.updated_at else None
        """The floor of the state the read started from, when a restart may go back to it."""
        self._pinned = resumed and (prior is None or prior.updated_at is None)
        """A restart may start without a cursor: every version stays."""
        self._next_pass = FIRST_PASS

    def skipped_by(self, frontier: Frontier) -> Frontier:
        """`frontier` holding every version taken at or after its floor: a restarted walk skips them."""
        return self.newest.advance(frontier.advanced(self.seen.by_time, None, None), None, None)

    def checkpointed(self, state: PartitionState) -> None:
        """The walk saved `state`: a restart starts from it or from something newer (or from the origin)."""
        if self._pinned or state.updated_at is None:
            return
        # Amortized: a pass runs once what is held has doubled, so it costs what was added since the last.
        if len(self.seen.by_time) < self._next_pass:
            return
        floor = minute_of(state.updated_at)
        self.seen.forget_before(floor if self._origin is None else min(floor, self._origin))
        self._next_pass = max(2 * len(self.seen.by_time), FIRST_PASS)


@dataclass(frozen=True)
class TakenSlot:
    """A walk's slot that tells `taken` of every state it saves."""

    slot: WalkSlot
    taken: Taken

    def get(self) -> PartitionState | None:
        return self.slot.get()

    def checkpoint(self, state: PartitionState) -> None:
        self.slot.checkpoint(state)
        self.taken.checkpointed(state)
