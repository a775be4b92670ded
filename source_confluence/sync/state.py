"""Per-partition cursor state, as a CDK `Cursor`.

A stream's state holds one entry per partition (usually a space):

    {"states": [{"partition": {"space_id": "42"},
                 "cursor": {"updated_at": "2024-05-01T10:00:00.000Z",
                            "cursor_versions": {"2024-05-01T10:00:00.000Z": ["981#4"]},
                            "complete": true,
                            "resume": {"order": "desc", "next": "/wiki/api/v2/pages?...&cursor=...",
                                       "high": "...", "high_ids": ["..."]}}}]}

`updated_at` is the low-water mark: every version changed before it (before its minute, where the
server filters to the minute) was emitted. `cursor_versions` are the versions already emitted at or
after that point, so a later read neither misses nor repeats them (see streams.frontier). `resume`
is where a read interrupted mid-way continues (Cloud's next-page link; a Data Center walk's `bound`
and `start`). Partitions checkpoint after every page through the concurrent message repository,
which puts the state message on the same queue as the records it covers, after them. Older states
still resume, read and written back in this form: `ids_at_cursor` and `window` (before
`cursor_versions`), `known` (`synced_ids`), `extra` (`container_cursors`, `pending_accounts`), and a
Data Center walk kept as its search link in `resume.next` (2.0.0).

A part that cannot be decoded drops its partition's state only, with a warning naming the stream
and the partition, which then reads from the start: records may repeat, none are lost.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import MessageRepository
from airbyte_cdk.sources.streams.concurrent.cursor import Cursor
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.sync.idset import decode_ids
from source_confluence.timestamps import normalize_timestamp

LOGGER = logging.getLogger("airbyte")
CQL_MINUTE = "%Y-%m-%d %H:%M"
LEGACY_SEARCH_PATH = "/rest/api/content/search"
# The CQL of a Data Center walk link kept by release 2.0.0: its base, then its bound, if any.
LEGACY_WALK_CQL = re.compile(r'^.*?(?: and lastmodified >= "(?P<bound>[^"]+)")? order by lastmodified asc$')


@dataclass(frozen=True)
class PartitionState:
    updated_at: str | None = None
    cursor_versions: Mapping[str, tuple[str, ...]] | None = None
    """Versions (`id#number`) emitted at the cursor, or within its minute where the server filters
    to the minute, by time: the next walk reads them again and skips them (see streams.frontier)."""
    complete: bool = False
    resume: Mapping[str, Any] | None = None
    synced_ids: str | None = None
    """Encoded ids (see idset) present at the last deletion check, plus those emitted since."""
    reconciled_at: str | None = None
    container_cursors: Mapping[str, Any] | None = None
    """`tasks`: one cursor per container type (page, blogpost), over the containers whose tasks were read;
    `content_restrictions` (`restrictions`) and `folders` (`pending_folders`): their own parts."""
    pending_accounts: tuple[str, ...] | None = None
    """`users`: accounts that delivered records reference, saved before the users phase resolves them."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"updated_at": self.updated_at, "complete": self.complete}
        if self.cursor_versions:
            out["cursor_versions"] = {at: list(keys) for at, keys in self.cursor_versions.items()}
        if self.resume:
            out["resume"] = dict(self.resume)
        if self.synced_ids is not None:
            out["synced_ids"] = self.synced_ids
        if self.reconciled_at is not None:
            out["reconciled_at"] = self.reconciled_at
        if self.container_cursors:
            out["container_cursors"] = dict(self.container_cursors)
        if self.pending_accounts:
            out["pending_accounts"] = list(self.pending_accounts)
        return out

    @classmethod
    def from_json(cls, raw: Any) -> tuple[PartitionState, list[str]]:
        """The state, and what had to be dropped from it. A part that cannot be decoded is dropped:
        the cursor's parts together (the partition then reads from the start), each of the deletion
        check's parts alone (the next check rebuilds it), the container cursors alone (their stream
        decides). Fields under their former names (`known`, `extra`) are read where the new ones are absent."""
        if not isinstance(raw, Mapping):
            raise StateError("it is not an object")
        dropped: list[str] = []
        try:
            cursor = _cursor_parts(raw, dropped)
        except StateError as error:
            dropped.append(f"{error}, so the partition reads from the start")
            cursor = {}
        deletions: dict[str, Any] = {}
        try:
            deletions["synced_ids"] = _synced_ids(raw)
        except StateError as error:
            dropped.append(f"{error}, so the next deletion check starts a new baseline (content purged before "
                           "then is not reported)")
        try:
            deletions["reconciled_at"] = _timestamp(raw, "reconciled_at")
        except StateError as error:
            dropped.append(f"{error}, so the deletion check runs now and re-reads every resolved inline comment")
        container_cursors, pending_accounts = _stream_parts(raw, dropped)
        return cls(**cursor, **deletions, container_cursors=container_cursors,
                   pending_accounts=pending_accounts), dropped


def _cursor_parts(raw: Mapping[str, Any], dropped: list[str]) -> dict[str, Any]:
    updated_at = _timestamp(raw, "updated_at")
    versions = parse_versions(raw.get("cursor_versions"), "cursor_versions")
    # Written before versions were kept: the ids at the cursor, and Data Center's minute window.
    legacy_ids = raw.get("ids_at_cursor")
    if legacy_ids is not None:
        if not isinstance(legacy_ids, list) or not all(isinstance(i, str | int) for i in legacy_ids):
            raise StateError("`ids_at_cursor` is not a list of ids")
        if updated_at is not None and legacy_ids:
            versions[updated_at] = tuple(dict.fromkeys((*versions.get(updated_at, ()), *map(str, legacy_ids))))
    for at, keys in parse_versions(raw.get("window"), "window").items():
        versions[at] = tuple(dict.fromkeys((*versions.get(at, ()), *keys)))
    try:
        resume = parse_resume(raw.get("resume"))
    except ForeignResume as error:
        dropped.append(str(error))
        resume = None
    complete = raw.get("complete", updated_at is not None)
    if not isinstance(complete, bool):
        raise StateError("`complete` is not true or false")
    return {"updated_at": updated_at, "cursor_versions": versions or None, "complete": complete, "resume": resume}


def _synced_ids(raw: Mapping[str, Any]) -> str | None:
    field = "synced_ids" if "synced_ids" in raw else "known"  # `known`: its former name
    ids = raw.get(field)
    if ids is not None:
        if not isinstance(ids, str):
            raise StateError(f"`{field}` is not an encoded id set")
        try:
            decode_ids(ids)
        except ValueError:
            raise StateError(f"`{field}` is not an encoded id set") from None
    return ids


def _stream_parts(raw: Mapping[str, Any], dropped: list[str]) -> tuple[dict[str, Any] | None, tuple[str, ...] | None]:
    """The container cursors (tasks) and pending accounts (users). Under their former name both lived in `extra`
    (the accounts as its `pending` key); a state in the new names ignores `extra`."""
    if "container_cursors" in raw or "pending_accounts" in raw:
        cursors, pending = raw.get("container_cursors"), raw.get("pending_accounts")
        if cursors is not None and not isinstance(cursors, Mapping):
            dropped.append("`container_cursors` is not an object")
            cursors = None
    else:
        extra = raw.get("extra")
        if extra is not None and not isinstance(extra, Mapping):
            dropped.append("`extra` is not an object")
            extra = None
        cursors = {k: v for k, v in (extra or {}).items() if k != "pending"}
        pending = (extra or {}).get("pending")
    accounts = tuple(str(a) for a in pending if isinstance(a, str)) if isinstance(pending, list) else ()
    return (dict(cursors) if cursors else None), (accounts or None)


class StateError(ValueError):
    """A part of a saved partition state that cannot be decoded."""


class ForeignResume(StateError):
    """A walk position this connector did not write: the walk reads again from the cursor, which holds."""


def _timestamp(raw: Mapping[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    moment = normalize_timestamp(value) if isinstance(value, str) else None
    if moment is None:
        raise StateError(f"`{name}` is not a timestamp")
    return moment


def parse_versions(raw: Any, name: str) -> dict[str, tuple[str, ...]]:
    """Stored versions by time ({} when absent); StateError when malformed."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise StateError(f"`{name}` is not an object")
    versions: dict[str, tuple[str, ...]] = {}
    for at, keys in raw.items():
        moment = normalize_timestamp(at)
        if moment is None or not isinstance(keys, list) or not all(isinstance(k, str | int) for k in keys):
            raise StateError(f"`{name}` is not a map of times to versions")
        versions[moment] = tuple(str(k) for k in keys)
    return versions


def parse_resume(raw: Any) -> dict[str, Any] | None:
    """Where an interrupted walk continues: `order` (and, newest first, `high` / `high_ids`) with the
    client's position, Cloud's `next` page link or a Data Center walk's `bound` and `start`.
    StateError when malformed. A Data Center link written before positions were kept (`next`, a CQL
    search) is read here, once, into its bound and start."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or raw.get("order") not in ("asc", "desc") \
            or (raw.get("high") is not None and normalize_timestamp(raw.get("high")) is None) \
            or not isinstance(raw.get("high_ids") or [], list):
        raise StateError("`resume` is not a walk position")
    resume = dict(raw)
    link = resume.get("next")
    if isinstance(link, str) and urlsplit(link).path.endswith(LEGACY_SEARCH_PATH):
        del resume["next"]
        resume.update(legacy_search_position(link))
    if "next" in resume:
        link = resume["next"]
        # A path on the API host: never a full URL or a protocol-relative one (another host).
        if not isinstance(link, str) or not link.startswith("/") or link.startswith("//") or "bound" in resume:
            raise StateError("`resume` is not a page link on the site")
    elif not _valid_position(resume.get("bound"), resume.get("start")):
        raise StateError("`resume` is not a walk position")
    return resume


def legacy_search_position(link: str) -> dict[str, Any]:
    """The bound and start of a Data Center walk link that release 2.0.0 kept in `resume.next`."""
    query = dict(parse_qsl(urlsplit(link).query))
    match = LEGACY_WALK_CQL.match(query.get("cql", ""))
    start = query.get("start") or "0"
    if match is None or not start.isdigit() or not _valid_position(match.group("bound"), int(start)):
        raise ForeignResume("`resume` is a search link this connector did not write, so the walk reads again "
                            "from the cursor")
    return {"bound": match.group("bound"), "start": int(start)}


def _valid_position(bound: Any, start: Any) -> bool:
    if type(start) is not int or start < 0 or not isinstance(bound, str | None):
        return False
    try:  # a CQL minute, written as this connector writes it
        return bound is None or datetime.strptime(bound, CQL_MINUTE).strftime(CQL_MINUTE) == bound
    except ValueError:
        return False


def partition_key(partition: Mapping[str, Any]) -> str:
    return json.dumps(dict(partition), sort_keys=True)


@dataclass
class PartitionedCursor(Cursor):
    """Holds and emits the per-partition state of one stream."""

    stream_name: str
    stream_state: Mapping[str, Any]
    message_repository: MessageRepository
    state_manager: ConnectorStateManager
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _partitions: dict[str, tuple[dict[str, Any], PartitionState]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for entry in self._parse(self.stream_state):
            self._partitions[partition_key(entry[0])] = entry

    def _parse(self, raw: Mapping[str, Any]) -> list[tuple[dict[str, Any], PartitionState]]:
        """Every partition state that can be decoded; each part that cannot is dropped with a
        warning, and its partition reads from the start."""
        if not raw:
            return []
        entries = raw.get("states") if isinstance(raw, Mapping) else None
        if not isinstance(entries, list):
            self._ignore("every partition", "it is not in this connector's format (it may come from another "
                         "connector or an older version); the stream reads from the start this time (records may "
                         "repeat, none are lost)")
            return []
        parsed: list[tuple[dict[str, Any], PartitionState]] = []
        for number, entry in enumerate(entries):
            partition = entry.get("partition") if isinstance(entry, Mapping) else None
            if not isinstance(partition, Mapping):
                self._ignore(f"entry {number + 1}", "it names no partition, so it is not used")
                continue
            where = f"partition {json.dumps(dict(partition), sort_keys=True)}"
            try:
                state, dropped = PartitionState.from_json(entry.get("cursor"))
            except StateError as error:
                self._ignore(where, f"{error}; it reads from the start this time (records may repeat, none are lost)")
                continue
            for problem in dropped:
                self._ignore(where, problem)
            parsed.append((dict(partition), state))
        return parsed

    def _ignore(self, what: str, why: str) -> None:
        LOGGER.warning(f"Ignoring part of the saved state of stream '{self.stream_name}' ({what}): {why}.")

    def discard(self, partition: Mapping[str, Any], why: str) -> None:
        """Drops a partition state that its stream cannot use (e.g. undecodable stream-specific parts)."""
        with self._lock:
            self._partitions.pop(partition_key(partition), None)
        self._ignore(f"partition {json.dumps(dict(partition), sort_keys=True)}", f"{why}; it reads from the start")

    def get(self, partition: Mapping[str, Any]) -> PartitionState | None:
        with self._lock:
            entry = self._partitions.get(partition_key(partition))
        return entry[1] if entry else None

    def checkpoint(self, partition: Mapping[str, Any], state: PartitionState) -> None:
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
