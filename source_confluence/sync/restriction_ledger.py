"""The state `content_restrictions`' partitions share in a sync: one partition per due space, and one
for the changed content of the others, read at once by the CDK's workers.

The saved state is unchanged (one site-wide entry: the emitted map, the per-space turns, the
reconciliation floor), so any state an earlier release wrote reads as before. What makes sharing it
safe:
- each content id is checked by one partition per sync (`claim`): content moved between two spaces
  shows in one space's listing and as missing from the other's, and a second check would diff
  against a map entry the first is about to change;
- a partition hands its changes to the ledger only after the records that carry them were yielded
  (on the CDK's queue), so a state message never covers another partition's rows still in flight;
- a space's turn is saved with its last batch, so a sync killed mid-space reads that space again.

The claimed ids (on a first sync every page and blog post of the site, ~8 MB of strings at 1x, held
to the end of the sync) are kept in a scratch database (sync/spill.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace

from source_confluence.sync.restriction_state import Emitted, encode_emitted
from source_confluence.sync.restriction_turns import TURNS_PART
from source_confluence.sync.spill import Spill
from source_confluence.sync.state import PartitionedCursor, PartitionState

STATE_PART = "restrictions"
"""The emitted map's key in the partition state's `container_cursors` (the stream-specific part)."""
KEY = {"scope": "site"}
CLAIMS = "CREATE TABLE claimed (id TEXT PRIMARY KEY) WITHOUT ROWID;"
CLAIMED = "SELECT id FROM claimed WHERE id IN (SELECT value FROM json_each(?))"
"""The asked ids as one JSON array: one statement however many a partition claims."""
CLAIM = "INSERT INTO claimed (id) VALUES (?)"


class RestrictionLedger:
    """The emitted map and the partition state, changed only through `commit` (thread-safe)."""

    def __init__(self, cursor: PartitionedCursor, state: PartitionState, emitted: dict[str, Emitted],
                 turns: Mapping[str, str], now: str) -> None:
        self._cursor = cursor
        self._lock = threading.Lock()
        self._emitted = dict(emitted)
        self._state = _with_turns(state, dict(turns))
        self._claimed = Spill(CLAIMS)
        self._now = now

    def claim(self, content_ids: Iterable[str]) -> set[str]:
        """The ids of these that no other partition of this sync checks (now claimed by the caller)."""
        asked = set(content_ids)
        if not asked:
            return set()
        with self._lock:
            mine = asked - {cid for (cid,) in self._claimed.query(CLAIMED, (json.dumps(sorted(asked)),))}
            self._claimed.write(CLAIM, [(cid,) for cid in sorted(mine)])
            return mine

    def entries(self) -> dict[str, Emitted]:
        """A copy of the emitted map: an entry a partition claimed changes only through that partition."""
        with self._lock:
            return dict(self._emitted)

    def get(self, content_id: str) -> Emitted | None:
        with self._lock:
            return self._emitted.get(content_id)

    def commit(self, changes: Mapping[str, Emitted | None], newest: str | None, reconciling: bool,
               turn_of: str | None = None) -> None:
        """Applies a batch's changes (None: the content has no rows any more), raises the cursor to
        `newest`, and checkpoints. `reconciling`: the batch is part of a reconciliation, whose start
        (the sync's start) is the floor of later rows' `updated_at`; `turn_of`: the space whose
        reconciliation this batch ends."""
        with self._lock:
            for content_id, entry in changes.items():
                if entry is None:
                    self._emitted.pop(content_id, None)
                else:
                    self._emitted[content_id] = entry
            state = self._state
            if reconciling:
                state = replace(state, reconciled_at=self._now)
            if turn_of is not None:
                state = _with_turns(state, {**(state.container_cursors or {}).get(TURNS_PART, {}), turn_of: self._now})
            parts = {**(state.container_cursors or {}), STATE_PART: encode_emitted(self._emitted)}
            cursor_at = max((t for t in (state.updated_at, newest) if t), default=None)
            self._state = replace(state, container_cursors=parts, updated_at=cursor_at, complete=True)
            self._cursor.checkpoint(KEY, self._state)


def _with_turns(state: PartitionState, turns: dict[str, str]) -> PartitionState:
    return replace(state, container_cursors={**(state.container_cursors or {}), TURNS_PART: turns})
