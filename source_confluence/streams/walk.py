"""A partition that reads a v2 list sorted by modification time, for every incremental stream whose
list endpoint offers `sort=modified-date` (pages, blog posts, comments, attachments).

v2 lists have no "modified since" filter, so:
- with no lower bound at all (first sync, no start_date) the list is read oldest first, and the
  cursor advances after every page; a restart resumes from the stored next-page link;
- with a lower bound (a cursor, or start_date) it is read newest first and the walk stops at the
  first record older than the bound: a no-change sync costs one request per partition. The cursor
  moves to the newest record only once the walk reaches the bound; until then each page stores its
  next link, so a restart continues the same walk.
Ties at the cursor's exact instant are settled by `ids_at_cursor`: nothing missed, nothing repeated.

Where the server filters by modification time itself (Data Center's CQL), it compares to the minute:
the walk always reads oldest first from the cursor's minute, and the state keeps every id emitted
within the cursor's minute with its time (`window`). A change made in that minute but seen only now
(the search index lagged, or it landed just before the cursor) is read; nothing is read twice.

After the walk, when the deletion check is due, the partition lists ids only (no bodies, 250 per
request) and emits a `deleted` tombstone for every previously synced id that is gone (purged).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.idset import decode_ids, encode_ids
from source_confluence.state import PartitionedCursor, PartitionState
from source_confluence.streams.base import ReadContext
from source_confluence.timestamps import normalize_timestamp, parse_timestamp
from source_confluence.transport import ConfluenceHttpError

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
    def prepare(self, results: list[Mapping[str, Any]]) -> None:
        """Bulk lookups (containers, users) for one page of results, before any record is built."""

    def record(self, raw: Mapping[str, Any], base_url: str) -> dict[str, Any] | None:
        """The record, or None when the selection leaves it out."""

    def tombstone(self, content_id: str) -> dict[str, Any]:
        """The record emitted for content purged from Confluence."""

    # Optional: `skipped(raw)` sees what the walk leaves out (archived content before the first sync).
    # Optional: `refresh(listed, since, emitted) -> Iterable[dict]` re-emits items whose change
    # created no version, found in the deletion check's id scan (`listed`: id -> object).


def modified_at(raw: Mapping[str, Any]) -> str | None:
    version = raw.get("version") or {}
    return normalize_timestamp(version.get("createdAt")) or normalize_timestamp(raw.get("createdAt"))


def minute_of(timestamp: str) -> str:
    """The start of a canonical timestamp's minute (UTC minutes start where any zone's do)."""
    return timestamp[:17] + "00.000Z"


class Bound:
    """What a walk has already emitted: everything before `lower`, and the ids at it.

    With `by_minute` (a server that filters to the minute), "before" means before the cursor's
    minute, and within that minute an item counts as emitted only in the version emitted (`window`).
    `exact` bounds (a start_date, not a cursor) keep everything before the instant out.
    """

    def __init__(self, lower: str | None, lower_ids: Iterable[str], window: Mapping[str, Iterable[str]] | None,
                 by_minute: bool, exact: bool = False) -> None:
        self.lower = lower
        self.lower_ids = set(lower_ids)
        self.by_minute = by_minute and lower is not None and not exact
        self.floor = minute_of(lower) if self.by_minute and lower is not None else lower
        self.emitted = {(str(i), at) for at, ids in (window or {}).items() for i in ids}
        if lower is not None:
            self.emitted.update((i, lower) for i in self.lower_ids)

    def covers(self, updated_at: str | None, raw_id: str) -> bool:
        if self.lower is None or updated_at is None or self.floor is None:
            return False
        if updated_at < self.floor:
            return True
        if self.by_minute:
            return (raw_id, updated_at) in self.emitted
        return updated_at == self.lower and raw_id in self.lower_ids


class HighMark:
    """The newest change seen so far, the ids at it, and (by minute) everything seen in its minute."""

    def __init__(self, high: str | None, high_ids: Iterable[str], window: Mapping[str, Iterable[str]] | None,
                 by_minute: bool) -> None:
        self.high = high
        self.high_ids = list(high_ids)
        self.by_minute = by_minute
        self._window: dict[str, list[str]] = {at: list(ids) for at, ids in (window or {}).items()} if by_minute else {}
        if by_minute and high is not None:
            at_high = self._window.setdefault(high, [])
            at_high.extend(i for i in self.high_ids if i not in at_high)

    def see(self, updated_at: str | None, raw_id: str) -> None:
        if updated_at is None:
            return
        if self.high is None or updated_at > self.high:
            self.high, self.high_ids = updated_at, [raw_id]
        elif updated_at == self.high:
            self.high_ids.append(raw_id)
        if self.by_minute:
            ids = self._window.setdefault(updated_at, [])
            if raw_id not in ids:
                ids.append(raw_id)

    @property
    def window(self) -> dict[str, tuple[str, ...]] | None:
        if not self.by_minute or self.high is None:
            return None
        floor = minute_of(self.high)
        return {at: tuple(ids) for at, ids in sorted(self._window.items()) if at >= floor}


class ModifiedWalkPartition(Partition):
    def __init__(self, source: WalkSource, converter: RecordConverter, context: ReadContext,
                 cursor: PartitionedCursor, use_state: bool) -> None:
        self._source = source
        self._converter = converter
        self._context = context
        self._cursor = cursor
        self._use_state = use_state

    def to_slice(self) -> Mapping[str, Any] | None:
        return dict(self._source.key)

    def stream_name(self) -> str:
        return self._source.stream

    def __hash__(self) -> int:
        return hash((self._source.stream, tuple(sorted(self._source.key.items()))))

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
                yield from self._walk(prior.resume["next"], prior, resuming=True)
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
        start = prior or PartitionState(updated_at=lower)
        yield from self._walk(first, replace(start, resume={"order": order, "next": first}), resuming=False,
                              from_scratch=prior is None, exact_lower=prior is None)

    def _walk(self, link: str, state: PartitionState, resuming: bool, from_scratch: bool = False,
              exact_lower: bool = False) -> Iterator[Record]:
        resume = state.resume or {}
        order = resume.get("order", "desc")
        by_minute = self._context.client.filters_by_modified_time
        bound = Bound(state.updated_at, state.ids_at_cursor, state.window, by_minute, exact=exact_lower)
        if order == "asc":
            # Oldest first, the cursor itself is the newest instant emitted so far.
            mark = HighMark(state.updated_at, state.ids_at_cursor, state.window, by_minute)
        else:
            mark = HighMark(resume.get("high") if resuming else None,
                            resume.get("high_ids") or [] if resuming else [], None, False)
        skip_archived = not self._context.config.include_archived and not state.complete
        skipped = getattr(self._converter, "skipped", None)
        emitted: set[str] = set()
        for page in self._context.client.pages_from(link):
            batch: list[Mapping[str, Any]] = []
            reached_bound = False
            for raw in page.results:
                updated_at = modified_at(raw)
                raw_id = str(raw.get("id"))
                if bound.covers(updated_at, raw_id):
                    if order == "desc":
                        reached_bound = True
                        break
                    continue  # a server-side filter overlaps the bound (minute precision): skip repeats
                mark.see(updated_at, raw_id)
                if skip_archived and raw.get("status") == "archived":
                    if skipped is not None:
                        skipped(raw)
                    continue
                batch.append(raw)
            if batch:
                self._converter.prepare(batch)
            for raw in batch:
                data = self._converter.record(raw, page.base_url)
                if data is not None:
                    emitted.add(data["id"])
                    yield Record(data=data, stream_name=self._source.stream)
            done = reached_bound or not page.next_link
            after = _state_after(order, state, mark, page.next_link, done)
            if done:
                yield from self._finish(after, emitted, from_scratch)
                return
            self._cursor.checkpoint(self._source.key, after)

    def _finish(self, state: PartitionState, emitted: set[str], from_scratch: bool) -> Iterator[Record]:
        if not self._source.deletion_check:
            self._cursor.checkpoint(self._source.key, state)
            return
        now = self._context.now
        if state.known is None and from_scratch:
            # A first read that completed in one run emitted every id the selection syncs: that is
            # the baseline (content outside start_date or the selection needs no tombstone).
            state = replace(state, known=encode_ids(emitted), reconciled_at=now)
        elif state.known is None or self._deletion_check_due(state.reconciled_at):
            listed = self._list_items()
            current = set(listed)
            if state.known is not None:
                # Changes that create no version (inline comment resolutions) show up in the id scan.
                refresh = getattr(self._converter, "refresh", None)
                if refresh is not None and state.reconciled_at:
                    for data in refresh(listed, state.reconciled_at, emitted):
                        yield Record(data=data, stream_name=self._source.stream)
                synced = decode_ids(state.known) | emitted
                gone = sorted(synced - current, key=_id_sort_key)
                if gone:
                    LOGGER.info(f"Stream '{self._source.stream}', {self._source.describe}: {len(gone)} purged "
                                "item(s) found by the deletion check; emitting them with status deleted.")
                for content_id in gone:
                    yield Record(data=self._converter.tombstone(content_id), stream_name=self._source.stream)
                current &= synced
            state = replace(state, known=encode_ids(current), reconciled_at=now)
        elif emitted:
            state = replace(state, known=encode_ids(decode_ids(state.known) | emitted))
        self._cursor.checkpoint(self._source.key, state)

    def _deletion_check_due(self, reconciled_at: str | None) -> bool:
        interval = self._context.config.deletion_check_interval_hours
        if interval == 0 or reconciled_at is None:
            return True
        elapsed = parse_timestamp(self._context.now) - parse_timestamp(reconciled_at)
        return elapsed >= timedelta(hours=interval)

    def _list_items(self) -> dict[str, Mapping[str, Any]]:
        return {str(item.get("id")): item for item in self._context.client.listing(self._source.kind, self._source.space_id)}


def _id_sort_key(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


def _state_after(order: str, state: PartitionState, mark: HighMark, next_link: str | None,
                 done: bool) -> PartitionState:
    high, high_ids = mark.high, mark.high_ids
    if order == "asc" or done:
        # Oldest first everything up to `high` has been emitted; newest first, only once at the bound.
        return replace(
            state,
            updated_at=high or state.updated_at,
            ids_at_cursor=tuple(high_ids) if high else state.ids_at_cursor,
            window=mark.window if mark.by_minute else state.window,
            complete=done or state.complete,
            resume=None if done else {"order": "asc", "next": next_link},
        )
    # Newest first and not at the bound yet: the cursor stays, the walk's position is saved.
    return replace(state, resume={"order": "desc", "next": next_link, "high": high, "high_ids": high_ids})


class translate_http_errors:  # noqa: N801 - used as a context manager, reads like one
    """Turns the API's answers into the outcome a user needs: skip a forbidden or vanished
    partition with a warning, fail with a config error on revoked credentials."""

    def __init__(self, stream: str, describe: str) -> None:
        self._stream = stream
        self._describe = describe

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> bool:
        if not isinstance(error, ConfluenceHttpError):
            return False
        if error.status in (403, 404):
            LOGGER.warning(
                f"Stream '{self._stream}': skipped {self._describe} because the account cannot read it "
                f"(HTTP {error.status}). Grant the account view permission to sync it."
            )
            return True
        if error.status == 401:
            raise AirbyteTracedException(
                message="Confluence stopped accepting the credentials during the sync (HTTP 401): the token "
                "was revoked or expired. Reconnect the source with a valid token.",
                internal_message=str(error),
                failure_type=FailureType.config_error,
            ) from None
        raise AirbyteTracedException(
            message=f"Confluence rejected a request of stream '{self._stream}' (HTTP {error.status}: {error.detail}).",
            internal_message=str(error),
            failure_type=FailureType.system_error,
        ) from None
