"""A partition that reads a list sorted by modification time, for every incremental stream whose
list offers that order (pages, blog posts, comments, attachments).

v2 lists have no "modified since" filter, so:
- with no lower bound at all (first sync, no start_date) the list is read oldest first, and the
  cursor advances after every page; a restart resumes from the stored next-page link;
- with a lower bound (a cursor, or start_date) it is read newest first and the walk stops at the
  first record strictly older than the bound: a no-change sync costs one request per partition.
  The cursor moves to the newest record only once the walk reaches the bound; until then each page
  stores its next link, so a restart continues the same walk.
Where the server filters by modification time itself (Data Center's CQL), the walk always reads
oldest first from the cursor's minute. What the cursor may claim, and how ties and repeats are
settled, is `frontier`'s job; purged content is found by the deletion check (`deletions`).

The loop (`Walk`) is one for every stream that walks: what the items a page takes yield is a
`Harvest` (records built by a stream's converter; `tasks`: the tasks of the changed containers),
and where the walk keeps its state a `WalkSlot` (a partition's state; `tasks`: one container
cursor inside it). `restarting` reads again from the last checkpoint when a position expires.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.types import Record
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.api.protocol import ListPage, Position
from source_confluence.http.transport import ConfluenceHttpError
from source_confluence.records.references import Built
from source_confluence.streams.deletions import versions_newest
from source_confluence.streams.frontier import Decision, Frontier, Seen, modified_at, version_key
from source_confluence.streams.probe import probe
from source_confluence.streams.taken import Taken, TakenSlot
from source_confluence.sync.context import ReadContext
from source_confluence.sync.state import PartitionedCursor, PartitionState
from source_confluence.timestamps import format_timestamp, parse_timestamp

if TYPE_CHECKING:
    from source_confluence.streams.walk_ends import BothEnds

LOGGER = logging.getLogger("airbyte")
MAX_WALK_RESTARTS = 3


@dataclass(frozen=True)
class WalkSource:
    stream: str
    key: Mapping[str, str]
    """The partition's identity in state, e.g. {"space_id": "42"}."""
    kind: str
    """What is listed (api.PAGE, api.FOOTER_COMMENT, ...)."""
    space_id: str | None
    """The space listed, or None for a site-wide list."""
    describe: str
    """How logs name the partition, e.g. "space ENG"."""
    deletion_check: bool = True
    bodies: bool = True
    """False: listed without bodies whatever the config says (the walk only finds what changed)."""
    needs_bodies: bool = False
    """True: listed with bodies whatever the config says (`decisions` are read from them)."""
    from_start_date: bool = True
    """A first walk (no cursor) starts at the config's `start_date`; False: from the start."""


class WalkSlot(Protocol):
    """Where a walk keeps its state between pages and syncs."""

    def get(self) -> PartitionState | None: ...

    def checkpoint(self, state: PartitionState) -> None: ...


@dataclass(frozen=True)
class PartitionSlot:
    """A partition's whole state."""

    cursor: PartitionedCursor
    key: Mapping[str, str]

    def get(self) -> PartitionState | None:
        return self.cursor.get(self.key)

    def checkpoint(self, state: PartitionState) -> None:
        self.cursor.checkpoint(self.key, state)


PageBuilder = Callable[[Sequence[Mapping[str, Any]], str], list[Built]]
"""Builds the records of a page's items (given its base URL) without emitting them."""


class Harvest:
    """What the items a walk takes yield, and what follows its end."""

    lists = False
    """True when `records` reads lists of its own, whose page links may expire mid-walk."""

    def records(self, taken: Sequence[Mapping[str, Any]], listed: ListPage) -> Iterator[Record]:
        raise NotImplementedError

    def newest_first(self) -> PageBuilder | None:
        """Builds pages for the newest-first half of a two-ended walk (streams/walk_ends.py), in
        that half's thread; None: the walk is read from one end only."""
        return None

    def deliver(self, built: Sequence[Built]) -> Iterator[Record]:
        """Emits what `newest_first()` built (the only harvests that build: those that deliver)."""
        raise NotImplementedError

    def skipped(self, raw: Mapping[str, Any]) -> None:
        """An archived item left out of a first walk."""

    def progress(self, state: PartitionState, first_read: bool) -> PartitionState:
        """The state a checkpoint saves after a page (the walk's position and cursor already in it)."""
        return state

    def finish(self, state: PartitionState, newest: str | None) -> Iterator[Record | PartitionState]:
        """After the walk's last checkpoint: records, and states to checkpoint."""
        return iter(())


def cap_of(context: ReadContext) -> str | None:
    """The latest instant a walk's cursor may claim: now minus the time a change may take to show
    in the server's list (Data Center's search index); None where lists read the database."""
    lag = context.client.visibility_lag
    if lag is None:
        return None
    return format_timestamp(parse_timestamp(context.now) - lag)


def walk_frontier(state: PartitionState, by_minute: bool, exact: bool = False) -> Frontier:
    return Frontier.of(state.updated_at, state.cursor_versions, by_minute, exact)


def advance(frontier: Frontier, seen: Seen, listed: ListPage, descending: bool, done: bool,
            cap: str | None, server_filtered: bool) -> Frontier:
    """The frontier after a page: what the walk has proven emitted so far."""
    if descending:
        return frontier.advanced(seen.by_time, seen.high, None) if done else frontier
    if server_filtered:
        candidate = listed.proven_before
    else:
        # A database list read oldest first: everything before the page's last result was listed.
        times = [t for t in map(modified_at, listed.results) if t]
        candidate = times[-1] if times else None
    if done:
        candidate = max((t for t in (candidate, seen.high) if t), default=None)
    return frontier.advanced(seen.by_time, candidate, cap)


def restarting(stream: str, describe: str, slot: WalkSlot, prior: PartitionState | None,
               attempt: Callable[[PartitionState | None], Iterator[Record]],
               listed: Callable[[], bool] = lambda: False) -> Iterator[Record]:
    """Runs a read that checkpoints its position (`resume`) page by page, from `prior`. Positions
    expire (HTTP 400): a stored one makes the read start again without it (from the cursor, which
    is always correct); one taken mid-read (after a checkpoint, or once `listed()` says a page of the
    attempt was listed) makes it start again from its last checkpoint without its position, at most
    MAX_WALK_RESTARTS times. A 400 before either means the request itself is wrong."""
    restarts = 0
    while True:
        before = slot.get()
        try:
            yield from attempt(prior)
            return
        except ConfluenceHttpError as error:
            latest = slot.get()
            if error.status != 400:
                raise
            if prior is not None and prior.resume:
                LOGGER.warning(f"Stream '{stream}', {describe}: the saved page link was rejected (expired); "
                               "reading again from the newest change down to the cursor.")
                prior = replace(prior, resume=None)
                continue
            if not (latest is not None and latest.resume and latest != before) and not listed():
                raise  # no page of this read was listed: the request itself is wrong
            restarts += 1
            if restarts >= MAX_WALK_RESTARTS:
                raise AirbyteTracedException(
                    message=f"Confluence kept rejecting the page links of stream '{stream}' ({describe}) as "
                    "expired; the next sync continues from the last checkpoint.",
                    failure_type=FailureType.transient_error,
                ) from error
            LOGGER.warning(f"Stream '{stream}', {describe}: a page link was rejected mid-walk (expired); "
                           "reading again from the last checkpoint.")
            prior = replace(latest, resume=None) if latest is not None else None


class Walk:
    """One partition's modification-time walk: the page loop, its checkpoints and its restarts."""

    def __init__(self, source: WalkSource, harvest: Harvest, context: ReadContext, slot: WalkSlot) -> None:
        self._source = source
        self._harvest = harvest
        self._context = context
        self._own_slot = slot
        self._slot: WalkSlot = slot
        self._taken = Taken(None)
        """The versions this read took and harvested, kept across restarts: a walk started over skips
        them (those a restart could still read: `streams/taken.py`)."""
        self._harvested_pages = 0
        """Pages of the current attempt handed to the harvest (whose own lists may expire: `tasks`)."""

    def read(self, prior: PartitionState | None) -> Iterator[Record]:
        self._taken = Taken(prior)
        self._slot = TakenSlot(self._own_slot, self._taken)
        yield from restarting(self._source.stream, self._source.describe, self._slot, prior, self._read,
                              lambda: self._harvest.lists and self._harvested_pages > 0)

    def _read(self, prior: PartitionState | None) -> Iterator[Record]:
        self._harvested_pages = 0
        yield from self._read_from(prior)

    def _read_from(self, prior: PartitionState | None) -> Iterator[Record]:
        client, source = self._context.client, self._source
        bodies = self._context.config.include_bodies and source.bodies or source.needs_bodies
        if prior is not None and prior.resume:
            order = prior.resume["order"]
            pages = client.walk(source.kind, source.space_id, order, None, bodies, prior.resume)
            ends = self._both_ends(order, bodies)
            yield from ends.read(pages, prior) if ends is not None else self._pages(pages, prior)
            return
        lower = prior.updated_at if prior else None
        if lower is None and source.from_start_date:
            lower = self._context.config.start_date
        # Oldest first whenever the server can filter by the bound (or there is none): the cursor
        # then advances page by page. Otherwise newest first down to the bound.
        order = "asc" if lower is None or client.filters_by_modified_time else "desc"
        # A first walk reflects every change made before it starts: the deletion check's first
        # refresh of version-less changes (inline comment resolutions) starts there.
        start = prior or PartitionState(updated_at=lower, reconciled_at=self._context.now)
        probed = probe(self._context, source, start, bodies) if order == "desc" and prior is not None else None
        pages = probed or client.walk(source.kind, source.space_id, order, lower, bodies)
        ends = self._both_ends(order, bodies)
        if ends is not None:
            yield from ends.read(pages, replace(start, resume={"order": order}), exact=prior is None)
            return
        yield from self._pages(pages, replace(start, resume={"order": order}), exact=prior is None)

    def _both_ends(self, order: str, bodies: bool) -> BothEnds | None:
        """A site-wide list read oldest first with no lower bound (on a server that does not filter
        by time) is also read newest first, at once, where the harvest can build in a thread."""
        client, source = self._context.client, self._source
        builder = self._harvest.newest_first()
        if order != "asc" or source.space_id is not None or client.filters_by_modified_time or builder is None:
            return None
        from source_confluence.streams.walk_ends import BothEnds  # it builds on this module

        newest = client.walk(source.kind, None, "desc", None, bodies)
        return BothEnds(self._context, self._harvest, self._slot, self._taken, builder, newest)

    def _pages(self, lists: Iterator[ListPage], state: PartitionState, exact: bool = False) -> Iterator[Record]:
        resume = state.resume or {}
        descending = resume.get("order", "desc") == "desc"
        server_filtered = self._context.client.filters_by_modified_time
        frontier = self._taken.skipped_by(walk_frontier(state, server_filtered, exact))
        # Newest first, the newest change seen so far is kept with the position, for a resumed walk.
        seen = Seen.resumed(resume.get("high"), resume.get("high_ids") or []) if descending else Seen()
        seen.merge(self._taken.seen)
        cap = cap_of(self._context)
        first_read = not state.complete
        skip_archived = not self._context.config.include_archived and first_read
        for listed in lists:
            taken: list[Mapping[str, Any]] = []
            page_seen = Seen()
            reached_bound = False
            for raw in listed.results:
                updated_at = modified_at(raw)
                decision = frontier.decide(updated_at, version_key(raw), descending)
                if decision is Decision.STOP:
                    reached_bound = True
                    break
                if decision is Decision.SKIP:
                    continue
                seen.add(updated_at, version_key(raw))
                page_seen.add(updated_at, version_key(raw))
                if skip_archived and raw.get("status") == "archived":
                    self._harvest.skipped(raw)
                    continue
                taken.append(raw)
            self._harvested_pages += 1
            yield from self._harvest.records(taken, listed)
            # Only once harvested: a walk restarted mid-page (the harvest's own list expired) reads it again.
            self._taken.seen.merge(page_seen)
            done = reached_bound or listed.resume is None
            frontier = advance(frontier, seen, listed, descending, done, cap, server_filtered)
            if not descending:  # newest first, the floor stays put until the end
                seen.forget_before(frontier.floor)
            state = replace(state, updated_at=frontier.cursor, cursor_versions=walk_versions(frontier),
                            complete=done or state.complete, resume=None if done else _resume(
                                descending, listed.resume, seen))
            state = self._harvest.progress(state, first_read)
            # The walk's progress is saved before what follows its end, which may fail on its own.
            self._slot.checkpoint(state)
            if done:
                yield from finish(self._harvest, self._slot, state, versions_newest(frontier.versions, seen.high))
                return
        # The client ended the walk early (the list kept changing under it): the last checkpoint
        # holds, and the next sync continues from it.
        LOGGER.warning(f"Stream '{self._source.stream}', {self._source.describe}: the list kept changing while "
                       "it was read; the next sync continues from the last checkpoint.")


def finish(harvest: Harvest, slot: WalkSlot, state: PartitionState, newest: str | None) -> Iterator[Record]:
    """What follows a walk's last checkpoint (`state`): the harvest's end (the deletion check)."""
    for item in harvest.finish(state, newest):
        if isinstance(item, PartitionState):
            slot.checkpoint(item)
        else:
            yield item


def walk_versions(frontier: Frontier) -> dict[str, tuple[str, ...]] | None:
    return {at: tuple(keys) for at, keys in frontier.versions_json().items()} or None


def _resume(descending: bool, position: Position | None, seen: Seen) -> dict[str, Any]:
    if descending:
        return {"order": "desc", **(position or {}), "high": seen.high, "high_ids": seen.keys_at_high()}
    return {"order": "asc", **(position or {})}
