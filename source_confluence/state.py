"""Per-partition cursor state, as a CDK `Cursor`.

A stream's state holds one entry per partition (usually a space):

    {"states": [{"partition": {"space_id": "42"},
                 "cursor": {"updated_at": "2024-05-01T10:00:00.000Z",
                            "ids_at_cursor": ["981"],
                            "complete": true,
                            "resume": {"order": "desc", "next": "/wiki/api/v2/pages?...&cursor=...",
                                       "high": "...", "high_ids": ["..."]}}}]}

`updated_at` is the low-water mark: every record changed before it was emitted. `ids_at_cursor` are
the ids already emitted at exactly that instant, so a later read neither misses nor repeats them.
Where the server filters to the minute (Data Center's CQL), `window` keeps every id emitted within
the cursor's minute with its time, and "before" means before that minute.
`resume` describes a read interrupted mid-way (the next page's link), so a restarted sync continues
where it stopped instead of starting over. Partitions checkpoint after every page through the
concurrent message repository, which puts the state message on the same queue as the records it
covers, after them.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import MessageRepository
from airbyte_cdk.sources.streams.concurrent.cursor import Cursor
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.timestamps import normalize_timestamp

LOGGER = logging.getLogger("airbyte")


@dataclass(frozen=True)
class PartitionState:
    updated_at: str | None = None
    ids_at_cursor: tuple[str, ...] = ()
    complete: bool = False
    resume: Mapping[str, Any] | None = None
    known: str | None = None
    """Encoded ids (see idset) present at the last deletion check, plus those emitted since."""
    reconciled_at: str | None = None
    extra: Mapping[str, Any] | None = None
    """Stream-specific cursors (e.g. tasks keep one per container type)."""
    window: Mapping[str, tuple[str, ...]] | None = None
    """Where the server filters by minute (Data Center): updated_at -> ids emitted within the
    cursor's minute, so a change in that minute that shows up late is read, and nothing twice."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"updated_at": self.updated_at, "ids_at_cursor": list(self.ids_at_cursor),
                               "complete": self.complete}
        if self.resume:
            out["resume"] = dict(self.resume)
        if self.known is not None:
            out["known"] = self.known
            out["reconciled_at"] = self.reconciled_at
        if self.extra:
            out["extra"] = dict(self.extra)
        if self.window:
            out["window"] = {at: list(ids) for at, ids in self.window.items()}
        return out

    @classmethod
    def from_json(cls, raw: Any) -> PartitionState | None:
        if not isinstance(raw, Mapping):
            return None
        updated_at = normalize_timestamp(raw.get("updated_at"))
        ids = raw.get("ids_at_cursor") or []
        resume = raw.get("resume")
        if not isinstance(ids, list) or (resume is not None and not _valid_resume(resume)):
            return None
        known = raw.get("known")
        extra = raw.get("extra")
        if (known is not None and not isinstance(known, str)) or (extra is not None and not isinstance(extra, Mapping)):
            return None
        window = parse_window(raw.get("window"))
        if raw.get("window") is not None and window is None:
            return None
        return cls(
            updated_at=updated_at,
            ids_at_cursor=tuple(str(i) for i in ids),
            complete=bool(raw.get("complete", updated_at is not None)),
            resume=dict(resume) if resume else None,
            known=known,
            reconciled_at=normalize_timestamp(raw.get("reconciled_at")),
            extra=dict(extra) if extra else None,
            window=window or None,
        )


def parse_window(raw: Any) -> dict[str, tuple[str, ...]] | None:
    """A stored minute window, or None when absent or malformed."""
    if not isinstance(raw, Mapping):
        return None
    window: dict[str, tuple[str, ...]] = {}
    for at, ids in raw.items():
        moment = normalize_timestamp(at)
        if moment is None or not isinstance(ids, list):
            return None
        window[moment] = tuple(str(i) for i in ids)
    return window


def _valid_resume(resume: Any) -> bool:
    return (
        isinstance(resume, Mapping)
        and resume.get("order") in ("asc", "desc")
        and isinstance(resume.get("next"), str)
        and resume["next"].startswith("/")
        and not resume["next"].startswith("//")  # protocol-relative: another host
    )


def partition_key(partition: Mapping[str, Any]) -> str:
    return json.dumps(dict(partition), sort_keys=True)


@dataclass
class PartitionedCursor(Cursor):
    """Holds and emits the per-partition state of one stream."""

    stream_name: str
    stream_state: Mapping[str, Any]
    message_repository: MessageRepository
    state_manager: ConnectorStateManager
    before_checkpoint: Callable[[], None] | None = None
    """Runs before each checkpoint is emitted (users.PendingUsers saves the accounts it must cover)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _partitions: dict[str, tuple[dict[str, Any], PartitionState]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for entry in self._parse(self.stream_state):
            self._partitions[partition_key(entry[0])] = entry

    def _parse(self, raw: Mapping[str, Any]) -> list[tuple[dict[str, Any], PartitionState]]:
        if not raw:
            return []
        entries = raw.get("states") if isinstance(raw, Mapping) else None
        parsed: list[tuple[dict[str, Any], PartitionState]] = []
        if isinstance(entries, list):
            for entry in entries:
                if not isinstance(entry, Mapping) or not isinstance(entry.get("partition"), Mapping):
                    parsed = []
                    break
                state = PartitionState.from_json(entry.get("cursor"))
                if state is None:
                    parsed = []
                    break
                parsed.append((dict(entry["partition"]), state))
            else:
                return parsed
        LOGGER.warning(
            f"Ignoring the saved state of stream '{self.stream_name}': it is not in this connector's "
            "format (it may come from another connector or an older version). The stream reads "
            "from the start this time."
        )
        return []

    def get(self, partition: Mapping[str, Any]) -> PartitionState | None:
        with self._lock:
            entry = self._partitions.get(partition_key(partition))
        return entry[1] if entry else None

    def checkpoint(self, partition: Mapping[str, Any], state: PartitionState) -> None:
        if self.before_checkpoint is not None:
            self.before_checkpoint()
        with self._lock:
            self._partitions[partition_key(partition)] = (dict(partition), state)
            self._emit_locked()

    @property
    def state(self) -> MutableMapping[str, Any]:
        with self._lock:
            return self._state_locked()

    def _state_locked(self) -> MutableMapping[str, Any]:
        return {
            "states": [
                {"partition": partition, "cursor": state.to_json()}
                for _, (partition, state) in sorted(self._partitions.items())
            ]
        }

    def _emit_locked(self) -> None:
        self.state_manager.update_state_for_stream(self.stream_name, None, self._state_locked())
        self.message_repository.emit_message(self.state_manager.create_state_message(self.stream_name, None))

    def observe(self, record: Record) -> None:
        # Partitions checkpoint page by page themselves; single records carry no extra information.
        return None

    def close_partition(self, partition: Partition) -> None:
        with self._lock:
            self._emit_locked()

    def ensure_at_least_one_state_emitted(self) -> None:
        with self._lock:
            self._emit_locked()

    def should_be_synced(self, record: Record) -> bool:
        return True
