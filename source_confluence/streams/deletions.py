"""The deletion check: purged content vanishes from every list, so it is found by comparing ids.

When the check is due (once per `deletion_check_interval_hours`, at the partition's own turn in the
interval, so that the partitions' scans spread over the syncs: sync/rolling.py), a partition lists its ids without bodies
(250 per request) and compares them with every id it has synced (kept compressed in its state, and
saved with every checkpoint, so an interrupted sync forgets none). An
id that is gone is confirmed by a look-up by id before it becomes a `deleted` tombstone: a page
moved to another space is gone from this space's list but not purged: it stays in this partition's
set (and is looked up again at each check) until it is purged, so its tombstone cannot fall between
the two spaces' partitions.

Changes that create no version (inline comment resolutions) are found in the same id scan and re-read
(the converter's `refresh`); the versions so delivered join the walk's `cursor_versions`, so that a
walk that lists them later (Data Center's index lags) does not deliver them again.

A tombstone's `updated_at` is no earlier than every version the partition emitted and no later than
the look-up that confirmed the id gone (streams.base's TombstoneClock): a destination that keeps
the greatest cursor (Airbyte's dedup) and one that keeps the last record (PyAirbyte's merge) both
end with the tombstone, and both with a restore that follows it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from airbyte_cdk.sources.types import Record

from source_confluence.streams.errors import read_fully
from source_confluence.streams.frontier import Frontier, Seen, version_key
from source_confluence.sync.idset import decode_ids, encode_ids
from source_confluence.sync.rolling import is_due
from source_confluence.sync.state import PartitionState
from source_confluence.timestamps import parse_timestamp

LOGGER = logging.getLogger("airbyte")


class DeletionCheck:
    def __init__(self, source: Any, converter: Any, context: Any) -> None:
        self._source = source
        self._converter = converter
        self._context = context

    def run(self, state: PartitionState, emitted: set[str], newest: str | None) -> Iterator[Record | PartitionState]:
        """Tombstones (as records) and then the partition's state after the check (last item).

        `state.synced_ids` already holds every id the partition emitted (each checkpoint saves them); it
        is None only when the set was lost (a state written before it existed, or undecodable), and
        then this check lists the partition to start a new one."""
        now = self._context.now
        if state.synced_ids is not None and not self._due(state.reconciled_at):
            yield state
            return
        listed = self._listing()
        current = set(listed)
        # Changes that create no version (inline comment resolutions) show up in the id scan: those
        # since the last check (every one, when that time is not known).
        refresh = getattr(self._converter, "refresh", None)
        refreshed: set[str] = set()
        versions = Seen()
        if refresh is not None:
            for built in refresh(listed, state.reconciled_at, emitted):
                self._context.references.add([built.references])  # before the record, as the walk does
                refreshed.add(built.record["id"])
                versions.add(built.record.get("updated_at"), _record_version_key(built.record))
                yield Record(data=built.record, stream_name=self._source.stream)
        if versions.by_time:
            state = self._with_versions(state, versions)
        synced = (decode_ids(state.synced_ids) if state.synced_ids is not None else set()) | emitted | refreshed
        missing = synced - current
        gone = self._confirmed_gone(missing)
        if gone:
            LOGGER.info(f"Stream '{self._source.stream}', {self._source.describe}: {len(gone)} purged "
                        "item(s) found by the deletion check; emitting them with status deleted.")
        for content_id in sorted(gone, key=_id_sort_key):
            at = self._context.tombstone_clock.stamp(content_id, now, newest)
            yield Record(data=self._converter.tombstone(content_id, at), stream_name=self._source.stream)
        if state.synced_ids is not None:
            current &= synced
        # Found elsewhere (moved to another space): still this partition's to report once purged, in
        # case it is purged before the other space's partition has synced it.
        yield replace(state, synced_ids=encode_ids(current | (missing - gone)), reconciled_at=now)

    def _with_versions(self, state: PartitionState, refreshed: Seen) -> PartitionState:
        """The state with the versions the refresh delivered among those the walk has emitted: one not
        yet listed (Data Center's index lags) would otherwise come again from the next walk."""
        frontier = Frontier.of(state.updated_at, state.cursor_versions, self._context.client.filters_by_modified_time)
        moved = frontier.advanced(refreshed.by_time, None, None)  # no cursor move: versions at or after the floor
        return replace(state, cursor_versions={at: tuple(keys) for at, keys in moved.versions_json().items()} or None)

    def _listing(self) -> dict[str, Mapping[str, Any]]:
        items = read_fully(lambda: self._context.client.listing(self._source.kind, self._source.space_id),
                           self._source.stream, f"the deletion check's id scan of {self._source.describe}")
        return {str(item.get("id")): item for item in items}

    def _confirmed_gone(self, missing: set[str]) -> set[str]:
        """Ids missing from the list that the site does not hold elsewhere either (see the client's
        `surviving`: moved pages, and on Data Center changes its search index shows late)."""
        if not missing:
            return missing
        alive = read_fully(lambda: self._context.client.surviving(self._source.kind, sorted(missing)),
                           self._source.stream, f"the deletion check's look-up by id in {self._source.describe}")
        return missing - set(alive)

    def _due(self, reconciled_at: str | None) -> bool:
        """At the partition's own turn in the interval (sync/rolling.py), so that the partitions' id
        scans spread over the syncs of the interval instead of all falling in one."""
        interval = timedelta(hours=self._context.config.deletion_check_interval_hours)
        last = parse_timestamp(reconciled_at) if reconciled_at is not None else None
        return is_due({"stream": self._source.stream, **self._source.key}, last, interval,
                      parse_timestamp(self._context.now))


def _id_sort_key(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


def _record_version_key(record: Mapping[str, Any]) -> str:
    return version_key({"id": record["id"], "version": {"number": record.get("version_number")}})


def versions_newest(versions: Mapping[str, Any] | None, *times: str | None) -> str | None:
    candidates = [t for t in (*(versions or {}), *times) if t]
    return max(candidates) if candidates else None
