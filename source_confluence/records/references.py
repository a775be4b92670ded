"""What a record references, returned by its builder next to it: the accounts it names (for the
`users` stream) and the containers it shows (for the per-sync container look-up).

Builders stay pure: they return a `Built` and never write into anything shared. The partition that
emits the records hands their references to the sync's collector (`sync.references`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Container:
    """A page or blog post and where it lives."""

    id: str
    type: str
    space_id: str | None
    parent_id: str | None = None
    """Not kept by the container look-up (nothing reads it back): its `get` answers None."""


@dataclass(frozen=True, slots=True)
class References:
    accounts: tuple[str, ...] = ()
    """Account ids the record names (authors, owners, assignees); empty ones are left out."""
    containers: tuple[Container, ...] = ()

    @classmethod
    def of_accounts(cls, *account_ids: str | None) -> References:
        return cls(accounts=tuple(a for a in account_ids if a))


NOTHING = References()


@dataclass(frozen=True, slots=True)
class Built:
    """A builder's answer: the record (None when the selection leaves it out) and its references
    (a record left out references no account, but the container it shows is still worth knowing)."""

    record: dict[str, Any] | None
    references: References = NOTHING
