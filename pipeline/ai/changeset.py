"""Which chunks appeared, changed and disappeared between two runs, and how a store applies that.

A chunk's id holds its text's hash, so an edited passage is a new id (`added`) and its old id goes
(`removed`). `changed` is an id whose text is the same but whose metadata is not (the document's
title, place, link, update time or viewers: a newly restricted page changes every chunk's viewers),
told apart by a hash of the metadata. Applying a change set to the store of the previous run (delete
the removed ids, upsert the added and changed ones from this run's chunks) gives this run's chunks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

ADDED, CHANGED, REMOVED = "added", "changed", "removed"
Record = TypeVar("Record")


@dataclass(frozen=True)
class ChangeSet:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def rows(self) -> list[tuple[str, str]]:
        """(chunk id, change) of every change, sorted by id."""
        rows = [(i, ADDED) for i in self.added] + [(i, CHANGED) for i in self.changed] + [(i, REMOVED) for i in self.removed]
        return sorted(rows)

    def counts(self) -> dict[str, int]:
        return {ADDED: len(self.added), CHANGED: len(self.changed), REMOVED: len(self.removed)}


def diff(previous: Mapping[str, str], current: Mapping[str, str]) -> ChangeSet:
    """`previous` and `current` map chunk id -> metadata hash."""
    return ChangeSet(
        added=tuple(sorted(current.keys() - previous.keys())),
        changed=tuple(sorted(i for i in current.keys() & previous.keys() if current[i] != previous[i])),
        removed=tuple(sorted(previous.keys() - current.keys())),
    )


def apply(store: Mapping[str, Any], changes: ChangeSet, current: Mapping[str, Any]) -> dict[str, Any]:
    """The store after the change set: removed ids deleted, added and changed ids upserted from
    `current` (this run's chunks by id). What a vector store does with the change rows."""
    removed = set(changes.removed)
    updated = {chunk_id: record for chunk_id, record in store.items() if chunk_id not in removed}
    for chunk_id in (*changes.added, *changes.changed):
        updated[chunk_id] = current[chunk_id]
    return updated
