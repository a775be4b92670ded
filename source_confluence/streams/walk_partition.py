"""The walk as content streams use it: records built by a stream's converter from the items a page
takes, the deletion check after the walk, and the partition that runs it (pages, blog posts,
comments, attachments)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, Protocol

from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import ListPage
from source_confluence.records.references import Built, References
from source_confluence.streams.base import StreamPartition
from source_confluence.streams.deletions import DeletionCheck
from source_confluence.streams.errors import translate_http_errors
from source_confluence.streams.walk import Harvest, PageBuilder, PartitionSlot, Walk, WalkSlot, WalkSource
from source_confluence.sync.context import ReadContext
from source_confluence.sync.idset import append_ids
from source_confluence.sync.state import PartitionedCursor, PartitionState


class RecordConverter(Protocol):
    def prepare(self, results: Sequence[Mapping[str, Any]]) -> None:
        """Bulk lookups (containers, users) for one page of results, before any record is built."""

    def record(self, raw: Mapping[str, Any], base_url: str) -> Built:
        """The record (None when the selection leaves it out) and what it references."""

    def tombstone(self, content_id: str, deleted_at: str) -> dict[str, Any]:
        """The record emitted for content purged from Confluence."""

    # Optional: `skipped(raw) -> References` sees what the walk leaves out (archived content before
    # the first sync). Optional: `refresh(listed, since, emitted) -> Iterable[Built]` re-emits items
    # whose change created no version, found in the deletion check's id scan (`listed`: id -> object).


def build_page(converter: RecordConverter, taken: Sequence[Mapping[str, Any]], base_url: str) -> list[Built]:
    """The records of a page's items, their bulk lookups first; nothing is emitted yet."""
    if taken:
        converter.prepare(taken)
    return [converter.record(raw, base_url) for raw in taken]


class ConverterHarvest(Harvest):
    """A content stream's records, built by its converter, and the deletion check after the walk."""

    def __init__(self, source: WalkSource, converter: RecordConverter, context: ReadContext,
                 twin: Callable[[], RecordConverter] | None = None) -> None:
        self._source = source
        self._converter = converter
        self._twin = twin
        """Makes another converter like `converter` (None: the walk is read from one end only)."""
        self._context = context
        self._emitted: set[str] = set()
        """The ids this read emitted (across restarts), for the deletion check's set."""
        self._saved_ids: set[str] = set()
        """Those of them already saved in the state's set."""
        self._shown: list[References] = []
        """What the page's skipped items reference (accounts, containers)."""

    def records(self, taken: Sequence[Mapping[str, Any]], listed: ListPage) -> Iterator[Record]:
        yield from self.deliver(build_page(self._converter, taken, listed.base_url))

    def newest_first(self) -> PageBuilder | None:
        """A builder with a converter of its own, for the newest-first half of a two-ended walk
        (streams/walk_ends.py), which prepares and builds its pages in its own thread."""
        return None if self._twin is None else partial(build_page, self._twin())

    def deliver(self, built: Sequence[Built]) -> Iterator[Record]:
        """Emits records built from a page (by either half of a walk): only here do they count."""
        clock = self._context.tombstone_clock
        # A stale hit (Data Center's index lags) of content another partition's check already found
        # gone: its older version, not current, would follow the tombstone and undo it where the last
        # record wins; the tombstone already says what it would (gone).
        built = [item for item in built
                 if item.record is None or item.record.get("status") == "current"
                 or not clock.superseded(item.record["id"], item.record.get("updated_at"))]
        # The page's references reach the sync's collector before its records are emitted.
        shown, self._shown = self._shown, []
        self._context.references.add([*shown, *(item.references for item in built)])
        self._context.emitted.add(self._source.stream, [item.record for item in built if item.record is not None])
        now = self._context.now
        for item in built:
            if item.record is not None:
                self._emitted.add(item.record["id"])
                clock.emitted(item.record["id"], item.record.get("updated_at"), now)
                self._context.changed.add(self._source.kind, item.record)
                yield Record(data=item.record, stream_name=self._source.stream)

    def skipped(self, raw: Mapping[str, Any]) -> None:
        skipped = getattr(self._converter, "skipped", None)
        if skipped is not None:
            self._shown.append(skipped(raw))

    def progress(self, state: PartitionState, first_read: bool) -> PartitionState:
        """The deletion check's id set with the ids emitted since the last checkpoint, so that an
        interrupted sync loses none (not once the set was lost: the next check starts a new one)."""
        if not self._source.deletion_check or state.synced_ids is None and not first_read:
            return state
        new = self._emitted - self._saved_ids
        self._saved_ids |= new
        return replace(state, synced_ids=append_ids(state.synced_ids, new))

    def finish(self, state: PartitionState, newest: str | None) -> Iterator[Record | PartitionState]:
        if not self._source.deletion_check:
            return iter(())
        return DeletionCheck(self._source, self._converter, self._context).run(state, self._emitted, newest)


class ModifiedWalkPartition(StreamPartition):
    def __init__(self, source: WalkSource, converter: RecordConverter, context: ReadContext,
                 cursor: PartitionedCursor, use_state: bool, slot: WalkSlot | None = None,
                 twin: Callable[[], RecordConverter] | None = None) -> None:
        """`twin`: makes another converter like `converter`, for a site-wide list whose first walk
        is read from both ends at once (streams/walk_ends.py)."""
        super().__init__(source.stream, source.key)
        self._source = source
        self._slot = slot or PartitionSlot(cursor, source.key)
        self._walk = Walk(source, ConverterHarvest(source, converter, context, twin), context, self._slot)
        self._use_state = use_state

    def read(self) -> Iterable[Record]:
        prior = self._slot.get() if self._use_state else None
        with translate_http_errors(self._source.stream, self._source.describe):
            yield from self._walk.read(prior)
