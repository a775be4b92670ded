"""`content_restrictions`: who may read or update each restricted page and blog post (incremental).

Restricting or lifting changes no version, so restrictions cannot ride on the content cursor:
- every sync reads the restrictions of the pages and blog posts this sync's content walks emitted
  (`sync.emitted`: no second walk), in bulk (`api.restrictions`: a search per 100 ids);
- at an interval (`restriction_reconciliation_interval_hours`, default 24) it reconciles each
  selected space whole at the space's own turn (sync/restriction_turns.py), so a sync pays for about
  `gap / interval` of the site: the space's page and blog post ids listed without bodies (250 per
  request), then read in bulk; restricted content missing from the listing is looked up by id
  (streams/restriction_moves.py) and, if it moved to a selected space, checked there. Every space at
  once without state, with an interval of 0, or while a content stream is not in the sync (its
  changes are then unknown); the restricted content of spaces no longer selected at once.
The state keeps what was emitted per restricted content (`sync.restriction_state`): rows that are
new are emitted, rows that are gone (a lifted restriction, purged content) become tombstones.

A row's `updated_at` is when it was observed: the content's version time when read as changed
content, the sync's start when reconciled; never before the last reconciliation, so a destination
that keeps the greatest cursor and one that keeps the last record agree.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api.cloud.client import CloudClient
from source_confluence.api.datacenter.client import DataCenterClient
from source_confluence.api.protocol import BLOGPOST, PAGE
from source_confluence.api.restrictions import Restricted, Restriction, RestrictionReader
from source_confluence.streams.base import StreamPartition
from source_confluence.streams.errors import read_fully, translate_http_errors
from source_confluence.streams.restriction_moves import locate
from source_confluence.sync.context import ReadContext
from source_confluence.sync.restriction_state import Emitted, decode_emitted, encode_emitted
from source_confluence.sync.restriction_turns import TURNS_PART, decode_turns, due_spaces
from source_confluence.sync.state import PartitionedCursor, PartitionState

LOGGER = logging.getLogger("airbyte")
STREAM = "content_restrictions"
KEY = {"scope": "site"}
STATE_PART = "restrictions"
"""The emitted map's key in the partition state's `container_cursors` (the stream-specific part)."""
KINDS = (("pages", PAGE), ("blog_posts", BLOGPOST))
SEARCH_BATCH = 100


@dataclass(frozen=True)
class Where:
    """A content to check: its type, space and the earliest time a row read for it may carry."""

    content_type: str
    space_id: str | None
    observed_at: str


def restriction_reader(context: ReadContext) -> RestrictionReader:
    client = context.client
    batch = min(context.config.page_size, SEARCH_BATCH)
    if isinstance(client, CloudClient):
        return RestrictionReader(client.transport.get_list, "/wiki/rest/api", batch, cloud=True)
    if isinstance(client, DataCenterClient):
        api = urlsplit(client.default_base).path.rstrip("/") + "/rest/api"  # the site's context path first
        return RestrictionReader(client.transport.get_list, api, batch, cloud=False)
    raise TypeError(f"no restriction reads for {type(client).__name__}")


def restriction_record(content_id: str, where: Where, row: Restriction) -> dict[str, Any]:
    return {"id": f"{content_id}:{row.operation}:{row.principal_type}:{row.principal_id}",
            "content_id": content_id, "content_type": where.content_type, "space_id": where.space_id,
            "operation": row.operation, "principal_type": row.principal_type, "principal_id": row.principal_id,
            "principal_name": row.principal_name, "updated_at": where.observed_at, "deleted_at": None}


def restriction_tombstone(content_id: str, emitted: Emitted, key: str, at: str) -> dict[str, Any]:
    operation, principal_type, principal_id = key.split(":", 2)
    return {"id": f"{content_id}:{key}", "content_id": content_id, "content_type": emitted.content_type,
            "space_id": emitted.space_id, "operation": operation, "principal_type": principal_type,
            "principal_id": principal_id, "principal_name": None, "updated_at": at, "deleted_at": at}


def _key(row: Restriction) -> str:
    return f"{row.operation}:{row.principal_type}:{row.principal_id}"


class RestrictionsPartition(StreamPartition):
    def __init__(self, context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> None:
        super().__init__(STREAM, KEY)
        self._context = context
        self._cursor = cursor
        self._use_state = use_state
        self._reader = restriction_reader(context)

    def read(self) -> Iterable[Record]:
        state, emitted = self._prior()
        with translate_http_errors(STREAM, "the site's pages and blog posts"):
            floor = state.reconciled_at
            changed = {item.id: Where(item.content_type, item.space_id,
                                      max((t for t in (item.updated_at, floor) if t), default=self._context.now))
                       for item in self._context.emitted.changed()}
            yield from self._reconcile(state, emitted, changed)

    def _prior(self) -> tuple[PartitionState, dict[str, Emitted]]:
        prior = self._cursor.get(KEY) if self._use_state else None
        if prior is None:
            return PartitionState(), {}
        try:
            return prior, decode_emitted((prior.container_cursors or {}).get(STATE_PART, encode_emitted({})))
        except ValueError:
            self._cursor.discard(KEY, f"its emitted restrictions (`container_cursors.{STATE_PART}`) cannot be decoded")
            return PartitionState(), {}

    def _kinds(self) -> list[tuple[str, str]]:
        return [(stream, kind) for stream, kind in KINDS if self._context.selection.content_type_enabled(stream)]

    def _due(self, state: PartitionState, space_ids: list[str]) -> tuple[dict[str, str], list[str]]:
        """The per-space reconciliation times and the spaces due in this sync (sync/restriction_turns.py)."""
        turns = decode_turns(state.container_cursors or {}, state.reconciled_at, space_ids)
        if any(not self._context.emitted.walks(stream) for stream, _ in self._kinds()):
            return turns, space_ids  # that content's changes are unknown in this sync: every space
        interval = self._context.config.restriction_reconciliation_interval_hours
        return turns, due_spaces(space_ids, turns, interval, self._context.now)

    def _reconcile(self, state: PartitionState, emitted: dict[str, Emitted],
                   changed: dict[str, Where]) -> Iterator[Record]:
        """The changed content of the spaces not due and the restricted content of spaces no longer
        selected (at once, without a turn), then each due space whole, its time saved after its last batch."""
        now = self._context.now
        selected = [str(space["id"]) for space in self._context.directory.spaces()]
        turns, due = self._due(state, selected)
        state = self._with_turns(state, {space_id: at for space_id, at in turns.items() if space_id in selected})
        reconciling = set(due)
        outside = {cid: where for cid, where in changed.items() if where.space_id not in reconciling}
        chosen = set(selected)
        orphans = {cid: entry for cid, entry in emitted.items() if entry.space_id not in chosen}
        if orphans:
            state = replace(state, reconciled_at=now)
        state = yield from self._with_missing(outside, orphans, emitted, state, chosen)
        for space_id in due:
            state = replace(state, reconciled_at=now)  # the floor of later rows' `updated_at` (module docstring)
            listed = self._listed(space_id, changed)
            missing = {cid: entry for cid, entry in emitted.items() if entry.space_id == space_id and cid not in listed}
            state = yield from self._with_missing(listed, missing, emitted, state, chosen)
            state = self._with_turns(state, {**(state.container_cursors or {}).get(TURNS_PART, {}), space_id: now})
            self._cursor.checkpoint(KEY, state)  # after the space's last batch: a kill re-reads it whole

    @staticmethod
    def _with_turns(state: PartitionState, turns: dict[str, str]) -> PartitionState:
        return replace(state, container_cursors={**(state.container_cursors or {}), TURNS_PART: turns})

    def _listed(self, space_id: str, changed: Mapping[str, Where]) -> dict[str, Where]:
        """Every page and blog post of a space (ids only, 250 per request), as observed now."""
        now, client, selection = self._context.now, self._context.client, self._context.selection
        listed: dict[str, Where] = {}
        for _stream, kind in self._kinds():
            for item in read_fully(partial(client.listing, kind, space_id), STREAM, f"the id scan of space {space_id}"):
                content_id = str(item.get("id"))
                if selection.allows_content(content_id, kind, space_id):
                    version = changed[content_id].observed_at if content_id in changed else None
                    listed[content_id] = Where(kind, space_id, max(t for t in (now, version) if t))
        for content_id, where in changed.items():  # changed, yet not listed (moved while this sync ran)
            if where.space_id == space_id and content_id not in listed:
                listed[content_id] = replace(where, observed_at=max(now, where.observed_at))
        return listed

    def _with_missing(self, contents: dict[str, Where], missing: dict[str, Emitted], emitted: dict[str, Emitted],
                      state: PartitionState, selected: set[str]) -> Generator[Record, None, PartitionState]:
        """Checks `contents` and the `missing` restricted content alive in a selected space (moved:
        its rows then show its new space); the rest of `missing` is gone (tombstones)."""
        client, selection = self._context.client, self._context.selection
        located = locate(client, missing, lambda cid, kind, space_id: space_id in selected
                         and selection.allows_content(cid, kind, space_id), STREAM,
                         search_lags=isinstance(client, DataCenterClient))
        moved = {cid: Where(kind, space_id, self._context.now) for cid, (kind, space_id) in located.moved.items()}
        return (yield from self.check({**contents, **moved}, emitted, state, located.gone))

    def check(self, contents: Mapping[str, Where], emitted: dict[str, Emitted], state: PartitionState,
              gone: set[str]) -> Generator[Record, None, PartitionState]:
        """Reads the restrictions of `contents`, emits what differs from `emitted` (new rows; tombstones
        for rows that are gone) and checkpoints the map batch by batch. `gone`: contents whose every
        emitted row is tombstoned (no longer listed). The one place a reconciliation reads: a slice of
        the ids reconciles that slice."""
        ids = list(contents)
        newest = state.updated_at
        for start in range(0, len(ids), self._reader.batch):
            chunk = ids[start:start + self._reader.batch]
            read = self._reader.read(chunk)
            out: list[dict[str, Any]] = []
            for content_id in chunk:
                if content_id in read:
                    out += self._diff(content_id, contents[content_id], read[content_id], emitted)
            yield from self._flush(out)
            newest = max([t for t in (newest, *(r["updated_at"] for r in out)) if t], default=None)
            state = self._save(state, emitted, newest)
        out = []
        for content_id in sorted(gone):
            previous = emitted.pop(content_id)
            out += [restriction_tombstone(content_id, previous, key, self._context.now) for key in sorted(previous.keys)]
        yield from self._flush(out)
        newest = max([t for t in (newest, *(r["updated_at"] for r in out)) if t], default=None)
        return self._save(state, emitted, newest)

    def _diff(self, content_id: str, where: Where, read: Restricted, emitted: dict[str, Emitted]) -> list[dict[str, Any]]:
        previous = emitted.get(content_id)
        moved = previous is not None and previous.space_id != where.space_id  # its rows show the new space
        before = previous.keys if previous is not None and not moved else frozenset()
        rows = {_key(row): row for row in read.restrictions}
        content_type = read.content_type if read.content_type in (PAGE, BLOGPOST) else where.content_type
        where = replace(where, content_type=content_type)
        out = [restriction_record(content_id, where, rows[key]) for key in sorted(set(rows) - before)]
        lifted = sorted((previous.keys if previous is not None else frozenset()) - set(rows))
        if previous is not None:
            out += [restriction_tombstone(content_id, previous, key, where.observed_at) for key in lifted]
        if rows:
            emitted[content_id] = Emitted(content_type, where.space_id, frozenset(rows))
        else:
            emitted.pop(content_id, None)
        return out

    @staticmethod
    def _flush(out: list[dict[str, Any]]) -> Iterator[Record]:
        for data in out:
            yield Record(data=data, stream_name=STREAM)

    def _save(self, state: PartitionState, emitted: dict[str, Emitted], newest: str | None) -> PartitionState:
        parts = {**(state.container_cursors or {}), STATE_PART: encode_emitted(emitted)}
        saved = replace(state, container_cursors=parts, updated_at=newest, complete=True)
        self._cursor.checkpoint(KEY, saved)
        return saved


def restriction_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    yield RestrictionsPartition(context, cursor, use_state)
