"""A first walk of a site-wide list, read from both ends at once.

At 100 ms per request the first sync was bound by Cloud's site-wide comment list: one chain of
requests, each waiting for the previous one's `_links.next`. v2 sorts these lists by modification
time in either direction and filters them by nothing else, so the list cannot be split by a key,
but it can be read from both ends. With no lower bound (a first sync, or one resumed from its
oldest-first checkpoint) the walk reads oldest first as always, checkpointing after every page, and
at the same time newest first. The halves stop when they meet: when the newest-first half reaches a
time strictly older than the oldest-first half's proven position (its cursor's floor). Every object
unchanged during the walk was then listed by one half or the other, ties included: the newest-first
half has passed the whole tie group at the oldest-first position, the oldest-first half everything
before it. An object changed during the walk moves to the top, no older than the newest-first half's
first result (`top`): the cursor claims `top` only, with every version seen at or after it, so the
next sync's newest-first walk finds the others.

Checkpoints before the meeting hold the oldest-first half's progress only: a kill loses nothing and
the resumed walk reads the newest-first half again. Within a read an id is emitted once per version
and never an older version after a newer one (the halves may see an object before and after a change,
in either order).

The newest-first half fetches and builds its pages (the converter's bulk look-ups, the comments'
version-1 searches) in a thread of the partition, one page ahead; the partition's own thread decides
what each page emits and emits it. A thread rather than a second partition: the meeting and the
cursor are one partition's state, and the CDK runs partitions on `num_workers` shared by every
stream, so a second partition could start only after the first had walked alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import ListPage
from source_confluence.http.points import attributed, current_stream
from source_confluence.records.references import Built
from source_confluence.streams import taken as taken_module
from source_confluence.streams.deletions import versions_newest
from source_confluence.streams.frontier import Decision, Frontier, Seen, modified_at, version_key
from source_confluence.streams.latest_emitted import LatestEmitted
from source_confluence.streams.newest_taken import NewestTaken
from source_confluence.streams.taken import Taken
from source_confluence.streams.walk import (
    LOGGER,
    Harvest,
    PageBuilder,
    WalkSlot,
    advance,
    cap_of,
    finish,
    walk_frontier,
    walk_versions,
)
from source_confluence.sync.context import ReadContext
from source_confluence.sync.state import PartitionState


@dataclass(frozen=True)
class Fetched:
    listed: ListPage
    built: list[Built | None]
    """Aligned with `listed.results`; None for an item left out (archived before the first sync)."""


def fetch_and_build(pages: Iterator[ListPage], build: PageBuilder, leave_out: Callable[[Mapping[str, Any]], bool],
                    stopped: threading.Event) -> Fetched | None:
    """The newest-first half's next page, built (None: the list ended)."""
    listed = next(pages, None)
    if listed is None or stopped.is_set():
        return None
    kept = [raw for raw in listed.results if not leave_out(raw)]
    built = iter(build(kept, listed.base_url))
    return Fetched(listed, [None if leave_out(raw) else next(built) for raw in listed.results])


class Ahead:
    """Runs the newest-first half one page ahead, in a thread of its own."""

    def __init__(self, step: Callable[[], Fetched | None]) -> None:
        self._step = step
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newest-first")
        self._pending: Future[Fetched | None] | None = None

    def start(self) -> None:
        if self._pending is None:
            self._pending = self._pool.submit(self._step)

    def take(self) -> Fetched | None:
        self.start()
        assert self._pending is not None
        pending, self._pending = self._pending, None
        return pending.result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class InlineAhead(Ahead):
    """The same, run in the caller's thread when started: requests in one fixed order (the adversary
    tests draw the site's changes between requests from one thread)."""

    def __init__(self, step: Callable[[], Fetched | None]) -> None:
        self._step = step
        self._ready: list[Fetched | None] = []

    def start(self) -> None:
        if not self._ready:
            self._ready.append(self._step())

    def take(self) -> Fetched | None:
        self.start()
        return self._ready.pop()

    def close(self) -> None:
        self._ready.clear()


AHEAD: Callable[[Callable[[], Fetched | None]], Ahead] = Ahead


class BothEnds:
    def __init__(self, context: ReadContext, harvest: Harvest, slot: WalkSlot, taken: Taken, build: PageBuilder,
                 newest: Iterator[ListPage]) -> None:
        self._context = context
        self._harvest = harvest
        self._slot = slot
        self._taken = taken
        """The walk's versions taken across restarts (`Walk._taken`)."""
        self._build = build
        self._newest = newest
        self._latest = LatestEmitted()
        """id -> the newest (modification time, version number) this read emitted of it, at or after
        the frontier's floor: neither half takes anything older than the floor, which only rises, so
        older entries can reject nothing (dropped once the map has doubled, see `streams/taken.py`).
        On disk until the read ends (streams/latest_emitted.py)."""
        self._next_pass = taken_module.FIRST_PASS

    def read(self, oldest: Iterator[ListPage], state: PartitionState, exact: bool = False) -> Iterator[Record]:
        first_read = not state.complete
        skip_archived = not self._context.config.include_archived and first_read

        def leave_out(raw: Mapping[str, Any]) -> bool:
            return skip_archived and raw.get("status") == "archived"

        stopped = threading.Event()
        stream = current_stream()

        def step() -> Fetched | None:
            with attributed(stream):  # the half's requests count for the partition's stream
                return fetch_and_build(self._newest, self._build, leave_out, stopped)

        ahead = AHEAD(step)
        frontier = self._taken.skipped_by(walk_frontier(state, False, exact))
        cap = cap_of(self._context)
        oldest_seen, newest_seen = Seen(), NewestTaken()
        top: str | None = None
        """The newest-first half's first result: what the cursor may claim once the halves meet."""
        low: str | None = None
        """The oldest time the newest-first half has reached."""
        newest_open = started = False
        try:
            while True:
                listed = next(oldest, None)
                if listed is None:
                    LOGGER.warning("A list kept changing while it was read; the next sync continues from the last "
                                   "checkpoint.")
                    return
                taken, page_seen = self._take(listed.results, frontier, False, leave_out)
                yield from self._harvest.records(taken, listed)
                self._taken.seen.merge(page_seen)
                oldest_seen.merge(page_seen)
                done = listed.resume is None
                frontier = advance(frontier, oldest_seen, listed, False, done, cap, False)
                oldest_seen.forget_before(frontier.floor)
                self._forget_latest(frontier.floor)
                met = not done and low is not None and frontier.floor is not None and low < frontier.floor
                if done or met:
                    # The versions the newest-first half emitted at or after the cursor are known too.
                    frontier = newest_seen.advance(frontier, top if met else None, cap)
                    yield from self._end(state, frontier, first_read, oldest_seen, newest_seen)
                    return
                state = self._harvest.progress(replace(
                    state, updated_at=frontier.cursor, cursor_versions=walk_versions(frontier), complete=state.complete,
                    resume={"order": "asc", **(listed.resume or {})}), first_read)
                self._slot.checkpoint(state)
                if not started:
                    # A list of one page costs one request: the other end is read once there is a second.
                    started = newest_open = True
                elif newest_open:
                    fetched = ahead.take()
                    if fetched is None:
                        newest_open = False  # the list ended (or was empty): the oldest-first half goes on alone
                        continue
                    if top is None and fetched.listed.results:
                        top = modified_at(fetched.listed.results[0])
                    chosen, page_seen, reached = self._newest_page(fetched, frontier, leave_out)
                    low = reached or low
                    yield from self._harvest.deliver(chosen)
                    self._taken.newest.merge(page_seen)
                    newest_seen.merge(page_seen)
                    bottom = fetched.listed.resume is None
                    if low is not None and frontier.floor is not None and low < frontier.floor or bottom and top:
                        frontier = newest_seen.advance(frontier, top, cap)
                        yield from self._end(state, frontier, first_read, oldest_seen, newest_seen)
                        return
                    newest_open = not bottom
                if newest_open:
                    ahead.start()  # the next page of the newest-first half, while the oldest-first half reads its own
        finally:
            stopped.set()
            ahead.close()
            self._latest.close()

    def _take(self, results: Sequence[Mapping[str, Any]], frontier: Frontier, descending: bool,
              leave_out: Callable[[Mapping[str, Any]], bool]) -> tuple[list[Mapping[str, Any]], Seen]:
        """The oldest-first half's items to emit, and every version it saw."""
        taken: list[Mapping[str, Any]] = []
        seen = Seen()
        candidates: list[tuple[Mapping[str, Any], str | None]] = []
        for raw in results:
            updated_at = modified_at(raw)
            if frontier.decide(updated_at, version_key(raw), descending) is not Decision.TAKE:
                continue
            seen.add(updated_at, version_key(raw))
            candidates.append((raw, updated_at))
        for (raw, _), fresh in zip(candidates, self._fresh(candidates), strict=True):
            if not fresh:
                continue
            if leave_out(raw):
                self._harvest.skipped(raw)
                continue
            taken.append(raw)
        return taken, seen

    def _newest_page(self, fetched: Fetched, frontier: Frontier, leave_out: Callable[[Mapping[str, Any]], bool]
                     ) -> tuple[list[Built], Seen, str | None]:
        """The newest-first half's records to emit from a page, every version it saw up to the
        meeting, and the oldest time it reached (the first one past the meeting, if any)."""
        chosen: list[Built] = []
        seen = Seen()
        reached: str | None = None
        candidates: list[tuple[Mapping[str, Any], str | None]] = []
        built_of: list[Built | None] = []
        for raw, built in zip(fetched.listed.results, fetched.built, strict=True):
            updated_at = modified_at(raw)
            reached = updated_at or reached
            decision = frontier.decide(updated_at, version_key(raw), True)
            if decision is Decision.STOP:
                break
            if decision is Decision.SKIP:
                continue
            seen.add(updated_at, version_key(raw))
            candidates.append((raw, updated_at))
            built_of.append(built)
        for (raw, _), built, fresh in zip(candidates, built_of, self._fresh(candidates), strict=True):
            if not fresh:
                continue
            if built is None:
                self._harvest.skipped(raw)
                continue
            chosen.append(built)
        return chosen, seen, reached

    def _fresh(self, candidates: Sequence[tuple[Mapping[str, Any], str | None]]) -> list[bool]:
        """For each item of a page in turn, False for a version of an id this read already emitted,
        or one older than it emitted (by time, then version number: an object may be edited twice
        within a millisecond). Items without a time are always fresh."""
        asked: list[tuple[str, tuple[str, int]]] = []
        for raw, updated_at in candidates:
            if updated_at is not None:
                number = (raw.get("version") or {}).get("number")
                asked.append((str(raw.get("id")), (updated_at, number if isinstance(number, int)
                                                   and not isinstance(number, bool) else -1)))
        answers = iter(self._latest.fresh(asked))
        return [True if updated_at is None else next(answers) for _, updated_at in candidates]

    def _forget_latest(self, floor: str | None) -> None:
        if floor is None or len(self._latest) < self._next_pass:
            return
        self._latest.forget_before(floor)
        self._next_pass = max(2 * len(self._latest), taken_module.FIRST_PASS)

    def _end(self, state: PartitionState, frontier: Frontier, first_read: bool, oldest: Seen,
             newest: NewestTaken) -> Iterator[Record]:
        state = self._harvest.progress(replace(state, updated_at=frontier.cursor, cursor_versions=walk_versions(frontier),
                                               complete=True, resume=None), first_read)
        self._slot.checkpoint(state)
        highest = Seen.highest(oldest, Seen(high=newest.high))
        yield from finish(self._harvest, self._slot, state, versions_newest(frontier.versions, highest))
