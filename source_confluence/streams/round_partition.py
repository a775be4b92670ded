"""One key's turn in a stream read in rounds (sync/rounds.py): its rows, then its tombstones."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.streams.base import StreamPartition
from source_confluence.sync.rounds import Rounds, Tombstone

LOGGER = logging.getLogger("airbyte")


class RoundPartition(StreamPartition):
    """One key's turn: every row it holds now, then tombstones for the rows it held and lost. `inner`
    None: the key is gone from the site (every row it held is tombstoned). An `inner` whose `complete`
    is false after its read (it skipped a forbidden or vanished key) removes nothing and is not saved."""

    def __init__(self, key: Mapping[str, str], inner: Partition | None, rounds: Rounds, tombstone: Tombstone,
                 rows_name: str) -> None:
        super().__init__(rounds.stream, key)
        self._key = dict(key)
        self._inner = inner
        self._rounds = rounds
        self._tombstone = tombstone
        self._rows_name = rows_name

    def read(self) -> Iterable[Record]:
        rounds = self._rounds
        now = rounds.context.now
        seen: set[str] = set()
        for record in self._inner.read() if self._inner is not None else ():
            seen.add(record.data["id"])
            yield record
        if not getattr(self._inner, "complete", True):
            LOGGER.info(f"Stream '{rounds.stream}', {describe(self._key)}: not read whole; nothing is taken as removed, "
                        "and it is read again in the next sync.")
            return
        removed = rounds.removed(self._key, seen)
        if removed:
            LOGGER.info(f"Stream '{rounds.stream}', {describe(self._key)}: {len(removed)} {self._rows_name} removed "
                        "since its last round; emitting them with deleted_at set.")
        for row_id in removed:
            yield Record(data=self._tombstone(self._key, row_id, now), stream_name=rounds.stream)
        # Saved after its last record: an interrupted round is read whole again in the next sync.
        rounds.finish_round(self._key, seen)


def describe(key: Mapping[str, str]) -> str:
    return ", ".join(f"{name} {value}" for name, value in sorted(key.items()))
