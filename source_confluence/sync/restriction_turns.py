"""Which spaces `content_restrictions` reconciles in a sync: each selected space at its own turn.

Each space is a key of sync/rolling.py (`{"stream": "content_restrictions", "space_id": ...}`) with
its turn evenly spaced among the selected spaces' (`spread_phases`), so the spaces' reconciliations
spread over the syncs of `restriction_reconciliation_interval_hours` and a sync reconciles at most
`n * gap / interval` spaces plus one; every space is still reconciled within `interval + gap`
(plus `interval / n` once, when a change of the selection shifts its turn). The time each space
was last reconciled whole is kept in the partition state (`container_cursors.reconciled_spaces`,
next to the emitted map).

A state written before the turns existed holds only the site-wide `reconciled_at` of its last
whole-site pass: every space is taken as reconciled then, so the first interval after the upgrade
spreads its spaces over its syncs too, each still due within `interval + gap` of that pass.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from source_confluence.sync.rolling import is_due_at_phase, spread_phases
from source_confluence.timestamps import parse_timestamp

LOGGER = logging.getLogger("airbyte")
STREAM = "content_restrictions"
TURNS_PART = "reconciled_spaces"
"""The per-space reconciliation times' key in the partition state's `container_cursors`."""


def turn_key(space_id: str) -> str:
    """The space's key for sync/rolling.py, as the text its hash is taken of."""
    return json.dumps({"stream": STREAM, "space_id": space_id}, sort_keys=True)


def decode_turns(parts: Mapping[str, Any], reconciled_at: str | None, space_ids: Iterable[str]) -> dict[str, str]:
    """space id -> when it was last reconciled whole. Without the part (an older state): every
    selected space at the old whole-site `reconciled_at`, if any. A part that cannot be read makes
    every space due (a full pass now), with a warning."""
    if TURNS_PART not in parts:
        return {space_id: reconciled_at for space_id in space_ids} if reconciled_at else {}
    raw = parts[TURNS_PART]
    try:
        if not isinstance(raw, Mapping):
            raise ValueError("not an object")
        return {str(space_id): _valid(at) for space_id, at in raw.items()}
    except ValueError:
        LOGGER.warning(f"Stream '{STREAM}': the per-space reconciliation times (`container_cursors.{TURNS_PART}`) "
                       "cannot be read; every selected space is reconciled in this sync.")
        return {}


def _valid(at: Any) -> str:
    if not isinstance(at, str):
        raise ValueError("not a timestamp")
    parse_timestamp(at)
    return at


def due_spaces(space_ids: Iterable[str], turns: Mapping[str, str], interval_hours: float, now: str) -> list[str]:
    """The spaces to reconcile in a sync starting at `now`, in the given order."""
    interval, at = timedelta(hours=interval_hours), parse_timestamp(now)
    ordered = list(dict.fromkeys(space_ids))
    phases = spread_phases(turn_key(space_id) for space_id in ordered)
    return [space_id for space_id in ordered
            if is_due_at_phase(phases[turn_key(space_id)],
                               parse_timestamp(turns[space_id]) if space_id in turns else None, interval, at)]
