"""What a partition reads with: the config, the API client, the per-sync look-ups and the collector
of what the records reference."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from source_confluence.api.protocol import ConfluenceApi
from source_confluence.config import ConfigError, ConnectorConfig
from source_confluence.http.points import PointsLedger
from source_confluence.sync.changed import ChangedContent
from source_confluence.sync.decision_bodies import DecisionBodies
from source_confluence.sync.directories import ContainerDirectory, UserDirectory
from source_confluence.sync.emitted import EmittedContent
from source_confluence.sync.references import ReferenceCollector
from source_confluence.sync.selection import Selection, space_ids_of


@dataclass
class SpaceDirectory:
    """Lists the selected spaces once per sync and shares them between streams (thread-safe)."""

    client: ConfluenceApi
    space_keys: tuple[str, ...]
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _spaces: list[Mapping[str, Any]] | None = field(default=None, init=False)

    def spaces(self) -> list[Mapping[str, Any]]:
        with self._lock:
            if self._spaces is None:
                self._spaces = self._load()
            return self._spaces

    def _load(self) -> list[Mapping[str, Any]]:
        spaces = list(self.client.spaces(self.space_keys))
        if self.space_keys:
            found = {space.get("key") for space in spaces}
            missing = [key for key in self.space_keys if key not in found]
            if missing:
                raise ConfigError(
                    "space_keys",
                    f"no space with key {', '.join(missing)} exists or the account cannot read it.",
                    "Check the keys (they are case-sensitive, e.g. ENG in /wiki/spaces/ENG) and the "
                    "account's space permissions, or remove them from space_keys.",
                )
        return spaces


class TombstoneClock:
    """When a sync's tombstones say content was deleted: the sync's start, or the newest version the
    partition emitted if that is later, or the newest version of that id any partition emitted
    (a page moved to another space, edited there during the sync, then purged), never earlier than
    a tombstone given to the same id before (a page moved, then purged, is reported by two
    partitions). All of these precede the look-up that confirmed the id gone, so a restore that
    follows carries a later (or equal) time: a destination that keeps the greatest cursor agrees
    with one that keeps the last record. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._given: dict[str, str] = {}
        self._late: dict[str, str] = {}
        """Versions emitted with a time after the sync's start (changes made during the sync): only
        those can be later than a tombstone's other times, so only those are kept."""

    def emitted(self, content_id: str, updated_at: str | None, now: str) -> None:
        if updated_at is not None and updated_at > now:
            with self._lock:
                self._late[content_id] = max(updated_at, self._late.get(content_id, updated_at))

    def superseded(self, content_id: str, updated_at: str | None) -> bool:
        """Whether this sync already tombstoned the id at a time later than `updated_at`."""
        with self._lock:
            given = self._given.get(content_id)
        return given is not None and updated_at is not None and updated_at < given

    def stamp(self, content_id: str, now: str, newest: str | None) -> str:
        with self._lock:
            times = (now, newest, self._given.get(content_id), self._late.get(content_id))
            at = max(t for t in times if t is not None)
            self._given[content_id] = at
            return at


@dataclass
class ReadContext:
    """Everything a partition needs to read: config, API client, and the per-sync lookups."""

    config: ConnectorConfig
    client: ConfluenceApi
    directory: SpaceDirectory
    containers: ContainerDirectory
    users: UserDirectory
    references: ReferenceCollector
    """What the emitted records reference (accounts, containers), fed by the partitions."""
    now: str
    """The sync's start (canonical timestamp): deletion checks and `users.resolved_at` use it."""
    gather_users: bool = False
    """True when `users` runs without content streams and must find the accounts itself."""
    tombstone_clock: TombstoneClock = field(default_factory=lambda: TombstoneClock())
    emitted: EmittedContent = field(default_factory=EmittedContent)
    """The pages and blog posts this sync emitted, for `content_restrictions` and `folders`."""
    points: PointsLedger = field(default_factory=PointsLedger)
    """What the command's requests cost, per stream (http/points.py); the transports count into it."""
    changed: ChangedContent = field(default_factory=ChangedContent)
    """The content the walks emitted, whose labels the label stream reads (sync/changed.py)."""
    decision_bodies: DecisionBodies = field(default_factory=DecisionBodies)
    """The decisions the content walks parsed from their bodies, for `decisions` (sync/decision_bodies.py)."""
    _selection: Selection | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    @property
    def selection(self) -> Selection:
        with self._lock:
            if self._selection is None:
                spaces = self.directory.spaces()
                self._selection = Selection(
                    self.config, self.client, self.containers,
                    space_ids_of(spaces, restricted=bool(self.config.space_keys)),
                )
            return self._selection

    def close(self) -> None:
        """The read ended (or failed): the collectors' scratch databases go (sync/spill.py)."""
        for collector in (self.decision_bodies, self.emitted, self.changed):
            collector.close()
