"""Rolling reconciliation: spread a periodic full check over the syncs of its interval.

A reconciliation (the deletion check's id scan, the label reconciliation) must look at every key
(a partition: a space, a comment list, a label) once per interval, but if every key fell due in the
same sync, that sync would pay for the whole site while the others pay nothing. Instead each key gets
its own turn in the interval, a fixed instant derived from a stable hash of the key: turns repeat
every `interval` counted from the Unix epoch, at `hash(key) mod interval`. A key is due in the first
sync at or after its turn that follows its last check, so the checks of many keys spread evenly over
the interval whatever the sync cadence, and no state beyond each key's last check time is needed.

Guarantee: two checks of a key are at least `interval - gap` and at most `interval + gap` apart,
`gap` being the time between two syncs (a key whose turn falls between two syncs waits for the
second). A key never checked is due at once, and an interval of 0 makes every key due every sync.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def key_phase(key: object) -> float:
    """A stable fraction in [0, 1) for a key (the same in every process and release)."""
    text = key if isinstance(key, str) else json.dumps(key, sort_keys=True, default=str)
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def latest_turn(key: object, interval: timedelta, now: datetime) -> datetime:
    """The key's most recent turn at or before `now`."""
    return _latest_turn_at(key_phase(key), interval, now)


def _latest_turn_at(phase: float, interval: timedelta, now: datetime) -> datetime:
    period = interval.total_seconds()
    offset = phase * period
    elapsed = (now - EPOCH).total_seconds() - offset
    return EPOCH + timedelta(seconds=offset + (elapsed // period) * period)


def is_due(key: object, last_checked: datetime | None, interval: timedelta, now: datetime) -> bool:
    return is_due_at_phase(key_phase(key), last_checked, interval, now)


def due_now(last_checked: Mapping[K, datetime | None], interval: timedelta, now: datetime) -> set[K]:
    """The keys to check in a sync starting at `now`, given when each was last checked."""
    return {key for key, last in last_checked.items() if is_due(key, last, interval, now)}


def spread_phases(keys: Iterable[K]) -> dict[K, float]:
    """Evenly spaced phases for a known set of keys, in the order of their hash phases: key i of n
    gets i / n, so any stretch `w` of the interval holds at most ceil(n * w / interval) turns (hash
    phases alone cluster: 48 keys over 24 hourly slots put 5 or more in some hour). Adding or
    removing a key shifts the others' turns by about interval / n, which can delay a check that once."""
    ordered = sorted(set(keys), key=lambda key: (key_phase(key), json.dumps(key, sort_keys=True, default=str)))
    return {key: index / len(ordered) for index, key in enumerate(ordered)}


def is_due_at_phase(phase: float, last_checked: datetime | None, interval: timedelta, now: datetime) -> bool:
    """`is_due` for a key whose phase is given (see `spread_phases`) rather than derived from its hash."""
    if last_checked is None or interval <= timedelta(0):
        return True
    return last_checked < _latest_turn_at(phase, interval, now)
