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

Each due space is a partition of its own, and the changed content of the other spaces (with the
restricted content of spaces no longer selected) one more, so the CDK's workers reconcile several
spaces at once: a first sync is no longer one chain of requests as long as the site. They share the
state through `sync.restriction_ledger` (one entry, as before; each content checked once per sync).

A row's `updated_at` is when it was observed: the content's version time when read as changed
content, the sync's start when reconciled; never before the last reconciliation, so a destination
that keeps the greatest cursor and one that keeps the last record agree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
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
from source_confluence.sync.restriction_changed import ChangedWhere, Where
from source_confluence.sync.restriction_ledger import KEY, STATE_PART, RestrictionLedger
from source_confluence.sync.restriction_state import Emitted, decode_emitted, encode_emitted
from source_confluence.sync.restriction_turns import decode_turns, due_spaces
from source_confluence.sync.state import PartitionedCursor, PartitionState

LOGGER = logging.getLogger("airbyte")
STREAM = "content_restrictions"
KINDS = (("pages", PAGE), ("blog_posts", BLOGPOST))
SEARCH_BATCH = 100


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


class RestrictionCheck:
    """Reads restrictions and diffs them against the ledger, for every partition of the stream."""

    def __init__(self, context: ReadContext, ledger: RestrictionLedger) -> None:
        self.context = context
        self.ledger = ledger
        self._reader = restriction_reader(context)

    def kinds(self) -> list[tuple[str, str]]:
        return [(stream, kind) for stream, kind in KINDS if self.context.selection.content_type_enabled(stream)]

    def with_missing(self, contents: Mapping[str, Where], missing: Mapping[str, Emitted], selected: set[str],
                     reconciling: bool, turn_of: str | None = None) -> Iterator[Record]:
        """Checks `contents` and the `missing` restricted content alive in a selected space (moved:
        its rows then show its new space); the rest of `missing` is gone (tombstones). Only the ids
        no other partition of this sync checks (`RestrictionLedger.claim`)."""
        client, selection = self.context.client, self.context.selection
        mine = self.ledger.claim([*contents, *missing])
        missing = {cid: entry for cid, entry in missing.items() if cid in mine}
        located = locate(client, missing, lambda cid, kind, space_id: space_id in selected
                         and selection.allows_content(cid, kind, space_id), STREAM,
                         search_lags=isinstance(client, DataCenterClient))
        moved = {cid: Where(kind, space_id, self.context.now) for cid, (kind, space_id) in located.moved.items()}
        claimed = {cid: where for cid, where in contents.items() if cid in mine}
        yield from self.check({**claimed, **moved}, located.gone, reconciling, turn_of)

    def check(self, contents: Mapping[str, Where], gone: set[str], reconciling: bool,
              turn_of: str | None = None) -> Iterator[Record]:
        """Reads the restrictions of `contents`, emits what differs from the ledger (new rows;
        tombstones for rows that are gone) and commits batch by batch, after the batch's records.
        `gone`: contents whose every emitted row is tombstoned (no longer listed); `turn_of`: the
        space whose reconciliation the last commit ends. The one place a reconciliation reads."""
        ids = list(contents)
        for start in range(0, len(ids), self._reader.batch):
            chunk = ids[start:start + self._reader.batch]
            read = self._reader.read(chunk)
            out: list[dict[str, Any]] = []
            changes: dict[str, Emitted | None] = {}
            for content_id in chunk:
                if content_id in read:
                    out += self._diff(content_id, contents[content_id], read[content_id], changes)
            yield from _flush(out)
            self.ledger.commit(changes, _newest(out), reconciling)
        out = []
        ended: dict[str, Emitted | None] = {}
        for content_id in sorted(gone):
            previous = self.ledger.get(content_id)
            if previous is not None:
                ended[content_id] = None
                out += [restriction_tombstone(content_id, previous, key, self.context.now)
                        for key in sorted(previous.keys)]
        yield from _flush(out)
        self.ledger.commit(ended, _newest(out), reconciling, turn_of)

    def _diff(self, content_id: str, where: Where, read: Restricted,
              changes: dict[str, Emitted | None]) -> list[dict[str, Any]]:
        previous = self.ledger.get(content_id)
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
            changes[content_id] = Emitted(content_type, where.space_id, frozenset(rows))
        elif previous is not None:
            changes[content_id] = None
        return out


def _flush(out: list[dict[str, Any]]) -> Iterator[Record]:
    for data in out:
        yield Record(data=data, stream_name=STREAM)


def _newest(out: list[dict[str, Any]]) -> str | None:
    return max((row["updated_at"] for row in out if row["updated_at"]), default=None)


class ChangedRestrictions(StreamPartition):
    """The changed content of the spaces not reconciled in this sync, and the restricted content of
    spaces no longer selected (at once, without a turn)."""

    def __init__(self, check: RestrictionCheck, changed: ChangedWhere, reconciled: set[str], selected: list[str]) -> None:
        super().__init__(STREAM, KEY)
        self._check = check
        self._changed = changed
        self._reconciled = reconciled
        """The due spaces: their own partitions check their changed content."""
        self._selected = set(selected)

    def read(self) -> Iterable[Record]:
        orphans = {cid: entry for cid, entry in self._check.ledger.entries().items()
                   if entry.space_id not in self._selected}
        changed = self._changed.outside(self._reconciled)
        with translate_http_errors(STREAM, "the site's changed pages and blog posts"):
            yield from self._check.with_missing(changed, orphans, self._selected, reconciling=bool(orphans))


class SpaceRestrictions(StreamPartition):
    """One due space reconciled whole; its turn saved with its last batch (a kill re-reads it whole)."""

    def __init__(self, check: RestrictionCheck, space_id: str, changed: ChangedWhere, selected: list[str]) -> None:
        super().__init__(STREAM, {"space_id": space_id})
        self._check = check
        self._space_id = space_id
        self._changed = changed
        self._selected = set(selected)

    def read(self) -> Iterable[Record]:
        space_id = self._space_id
        with translate_http_errors(STREAM, f"the pages and blog posts of space {space_id}"):
            listed = self._listed()
            missing = {cid: entry for cid, entry in self._check.ledger.entries().items()
                       if entry.space_id == space_id and cid not in listed}
            yield from self._check.with_missing(listed, missing, self._selected, reconciling=True, turn_of=space_id)

    def _listed(self) -> dict[str, Where]:
        """Every page and blog post of the space (ids only, 250 per request), as observed now."""
        context, space_id = self._check.context, self._space_id
        changed = self._changed.of_space(space_id)
        now, client, selection = context.now, context.client, context.selection
        listed: dict[str, Where] = {}
        for _stream, kind in self._check.kinds():
            # Only the ids are kept while the list is read whole: its items (~1 KB each as parsed JSON)
            # were a space's whole listing, held on every worker at once (issue 16).
            ids = read_fully(partial(_ids, client.listing, kind, space_id), STREAM, f"the id scan of space {space_id}")
            for content_id in ids:
                if selection.allows_content(content_id, kind, space_id):
                    version = changed[content_id].observed_at if content_id in changed else None
                    listed[content_id] = Where(kind, space_id, max(t for t in (now, version) if t))
        for content_id, where in changed.items():  # changed, yet not listed (moved while this sync ran)
            if content_id not in listed:
                listed[content_id] = replace(where, observed_at=max(now, where.observed_at))
        return listed


def _ids(listing: Callable[[str, str], Iterable[Mapping[str, Any]]], kind: str, space_id: str) -> Iterator[str]:
    return (str(item.get("id")) for item in listing(kind, space_id))


def _prior(cursor: PartitionedCursor, use_state: bool) -> tuple[PartitionState, dict[str, Emitted]]:
    prior = cursor.get(KEY) if use_state else None
    if prior is None:
        return PartitionState(), {}
    try:
        return prior, decode_emitted((prior.container_cursors or {}).get(STATE_PART, encode_emitted({})))
    except ValueError:
        cursor.discard(KEY, f"its emitted restrictions (`container_cursors.{STATE_PART}`) cannot be decoded")
        return PartitionState(), {}


def restriction_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    """The changed content's partition, then one per due space (sync/restriction_turns.py). Made
    in the second phase, once the content walks have ended: their changed content is all known."""
    state, emitted = _prior(cursor, use_state)
    floor = state.reconciled_at
    changed = ChangedWhere((item.id, Where(item.content_type, item.space_id,
                                           max((t for t in (item.updated_at, floor) if t), default=context.now)))
                           for item in context.emitted.changed())
    selected = [str(space["id"]) for space in context.directory.spaces()]
    turns = decode_turns(state.container_cursors or {}, state.reconciled_at, selected)
    ledger = RestrictionLedger(cursor, state, emitted, {s: at for s, at in turns.items() if s in selected}, context.now)
    check = RestrictionCheck(context, ledger)
    if any(not context.emitted.walks(stream) for stream, _ in check.kinds()):
        due = selected  # that content's changes are unknown in this sync: every space
    else:
        interval = context.config.restriction_reconciliation_interval_hours
        due = due_spaces(selected, turns, interval, context.now)
    reconciling = set(due)
    yield ChangedRestrictions(check, changed, reconciling, selected)
    for space_id in due:
        yield SpaceRestrictions(check, space_id, changed, selected)
