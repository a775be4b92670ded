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
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.types import Record
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.api.protocol import ListPage
from source_confluence.http.transport import ConfluenceHttpError
from source_confluence.records.references import Built, References
from source_confluence.streams.base import StreamPartition
from source_confluence.streams.deletions import DeletionCheck, versions_newest
from source_confluence.streams.errors import translate_http_errors
from source_confluence.streams.frontier import Decision, Frontier, Seen, modified_at, version_key
from source_confluence.sync.context import ReadContext
from source_confluence.sync.idset import append_ids
from source_confluence.sync.state import PartitionedCursor, PartitionState
from source_confluence.timestamps import format_timestamp, parse_timestamp

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


class RecordConverter(Protocol):
    def prepare(self, results: Sequence[Mapping[str, Any]]) -> None:
        """Bulk lookups (containers, users) for one page of results, before any record is built."""

    def record(self, raw: Mapping[str, Any], base_url: str) -> Built:
        """The record (None when the selection leaves it out) and what it references."""

    def tombstone(self, content_id: str, deleted_at: str) -> dict[str, Any]:
        """The record emitted for content purged from Confluence."""

    # Optional: `skipped(raw) -> References` sees what the walk leaves out (archived content before
    # the first sync). Optional: `refresh(listed, since, emitted) -> Iterable[Built]` re-emits items whose change
    # created no version, found in the deletion check's id scan (`listed`: id -> object).


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


class ModifiedWalkPartition(StreamPartition):
    def __init__(self, source: WalkSource, converter: RecordConverter, context: ReadContext,
                 cursor: PartitionedCursor, use_state: bool) -> None:
        super().__init__(source.stream, source.key)
        self._source = source
        self._converter = converter
        self._context = context
        self._cursor = cursor
        self._use_state = use_state
        self._taken = Seen()
        """Every version this read took, kept across restarts: a walk started over skips them."""
        self._emitted: set[str] = set()
        """The ids this read emitted (across restarts), for the deletion check's set."""
        self._saved_ids: set[str] = set()
        """Those of them already saved in the state's set."""

    def read(self) -> Iterable[Record]:
        prior = self._cursor.get(self._source.key) if self._use_state else None
        with translate_http_errors(self._source.stream, self._source.describe):
            yield from self._read_restarting(prior)

    def _read_restarting(self, prior: PartitionState | None) -> Iterator[Record]:
        """A page link can expire mid-walk (HTTP 400): the walk restarts from its last checkpoint,
        newest first down to that cursor, which re-reads at most the pages since the checkpoint."""
        for _ in range(MAX_WALK_RESTARTS):
            before = self._cursor.get(self._source.key)
            try:
                yield from self._read(prior)
                return
            except ConfluenceHttpError as error:
                latest = self._cursor.get(self._source.key)
                if error.status != 400 or latest is None or not latest.resume or latest == before:
                    raise  # no page of this walk was read: the request itself is wrong
                LOGGER.warning(
                    f"Stream '{self._source.stream}', {self._source.describe}: a page link was rejected "
                    "mid-walk (expired); reading again from the last checkpoint."
                )
                prior = replace(latest, resume=None)
        raise AirbyteTracedException(
            message=f"Confluence kept rejecting the page links of stream '{self._source.stream}' "
            f"({self._source.describe}) as expired; the next sync continues from the last checkpoint.",
            failure_type=FailureType.transient_error,
        )

    def _read(self, prior: PartitionState | None) -> Iterator[Record]:
        if prior and prior.resume:
            try:
                yield from self._walk(prior.resume["next"], prior)
                return
            except ConfluenceHttpError as error:
                if error.status != 400:
                    raise
                # Cursors expire; walking again from the newest change is always correct.
                LOGGER.warning(
                    f"Stream '{self._source.stream}', {self._source.describe}: the saved page link was "
                    "rejected (expired); reading again from the newest change down to the cursor."
                )
                prior = replace(prior, resume=None)
        lower = prior.updated_at if prior and prior.updated_at else self._context.config.start_date
        client = self._context.client
        # Oldest first whenever the server can filter by the bound (or there is none): the cursor
        # then advances page by page. Otherwise newest first down to the bound.
        order = "asc" if lower is None or client.filters_by_modified_time else "desc"
        first = client.walk_link(self._source.kind, self._source.space_id, order, lower,
                                 self._context.config.include_bodies)
        # A first walk reflects every change made before it starts: the deletion check's first
        # refresh of version-less changes (inline comment resolutions) starts there.
        start = prior or PartitionState(updated_at=lower, reconciled_at=self._context.now)
        yield from self._walk(first, replace(start, resume={"order": order, "next": first}), lower_is_start_date=prior is None)

    def _walk(self, link: str, state: PartitionState, lower_is_start_date: bool = False) -> Iterator[Record]:
        resume = state.resume or {}
        descending = resume.get("order", "desc") == "desc"
        server_filtered = self._context.client.filters_by_modified_time
        frontier = walk_frontier(state, server_filtered, exact=lower_is_start_date).advanced(self._taken.by_time, None, None)
        # Newest first, the newest change seen so far is kept with the link, for a resumed walk.
        seen = Seen.resumed(resume.get("high"), resume.get("high_ids") or []) if descending else Seen()
        seen.merge(self._taken)
        cap = cap_of(self._context)
        first_read = not state.complete
        skip_archived = not self._context.config.include_archived and first_read
        skipped = getattr(self._converter, "skipped", None)
        emitted = self._emitted
        for listed in self._context.client.list_from(link):
            batch: list[Mapping[str, Any]] = []
            shown: list[References] = []
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
                self._taken.add(updated_at, version_key(raw))
                if skip_archived and raw.get("status") == "archived":
                    if skipped is not None:
                        shown.append(skipped(raw))
                    continue
                batch.append(raw)
            if batch:
                self._converter.prepare(batch)
            built = [self._converter.record(raw, listed.base_url) for raw in batch]
            # The page's references reach the sync's collector before its records are emitted.
            self._context.references.add([*shown, *(item.references for item in built)])
            for item in built:
                if item.record is not None:
                    emitted.add(item.record["id"])
                    yield Record(data=item.record, stream_name=self._source.stream)
            done = reached_bound or not listed.next_link
            frontier = advance(frontier, seen, listed, descending, done, cap, server_filtered)
            state = replace(state, updated_at=frontier.cursor, cursor_versions=_versions(frontier),
                            complete=done or state.complete, resume=None if done else _resume(
                                descending, listed.next_link, seen))
            state = self._with_emitted_ids(state, first_read)
            if done:
                yield from self._finish(state, emitted, versions_newest(frontier.versions, seen.high))
                return
            self._cursor.checkpoint(self._source.key, state)
        # The client ended the walk early (the list kept changing under it): the last checkpoint
        # holds, and the next sync continues from it.
        LOGGER.warning(f"Stream '{self._source.stream}', {self._source.describe}: the list kept changing while "
                       "it was read; the next sync continues from the last checkpoint.")

    def _with_emitted_ids(self, state: PartitionState, first_read: bool) -> PartitionState:
        """The deletion check's id set with the ids emitted since the last checkpoint, so that an
        interrupted sync loses none (not once the set was lost: the next check starts a new one)."""
        if not self._source.deletion_check or state.synced_ids is None and not first_read:
            return state
        new = self._emitted - self._saved_ids
        self._saved_ids |= new
        return replace(state, synced_ids=append_ids(state.synced_ids, new))

    def _finish(self, state: PartitionState, emitted: set[str], newest: str | None) -> Iterator[Record]:
        # The walk's progress is saved before the deletion check, which may fail on its own.
        self._cursor.checkpoint(self._source.key, state)
        if not self._source.deletion_check:
            return
        check = DeletionCheck(self._source, self._converter, self._context)
        for item in check.run(state, emitted, newest):
            if isinstance(item, PartitionState):
                self._cursor.checkpoint(self._source.key, item)
            else:
                yield item


def _versions(frontier: Frontier) -> dict[str, tuple[str, ...]] | None:
    return {at: tuple(keys) for at, keys in frontier.versions_json().items()} or None


def _resume(descending: bool, next_link: str | None, seen: Seen) -> dict[str, Any]:
    if descending:
        return {"order": "desc", "next": next_link, "high": seen.high, "high_ids": seen.keys_at_high()}
    return {"order": "asc", "next": next_link}

