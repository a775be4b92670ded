"""The sync's reference collector: what the delivered records reference, gathered from what their
builders return (`records.references`).

A partition hands the collector the references of a page of records before it emits them. The
containers go to the container look-up (comments and attachments on them then need no request);
the accounts are kept for the `users` stream, which resolves them when the other streams are done.

The collector owns the pending accounts and knows no stream. A sync killed before `users` runs must
lose no account, so whoever keeps them across syncs (the `users` stream's checkpointing) watches the
collector: a watcher is told, in the partition's thread and before the records that named them are
emitted, whenever accounts were added. A content stream never sees the watcher, nor the users state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from source_confluence.records.references import References
from source_confluence.sync.directories import ContainerDirectory

AccountsWatcher = Callable[[], None]
"""Called after accounts were added; it reads `accounts()` itself."""


class ReferenceCollector:
    """Thread-safe: every partition of the sync feeds it."""

    def __init__(self, containers: ContainerDirectory) -> None:
        self._containers = containers
        self._lock = threading.Lock()
        self._accounts: set[str] = set()
        self._watchers: list[AccountsWatcher] = []

    def add(self, references: Iterable[References]) -> None:
        """The references of records about to be emitted (a page of them: watchers hear once)."""
        added = False
        for part in references:
            for container in part.containers:
                self._containers.remember(container)
            if part.accounts:
                with self._lock:
                    before = len(self._accounts)
                    self._accounts.update(part.accounts)
                    added = added or len(self._accounts) > before
        if added:
            with self._lock:
                watchers = list(self._watchers)
            for watcher in watchers:
                watcher()

    def accounts(self) -> list[str]:
        """Every account referenced so far in this sync, sorted."""
        with self._lock:
            return sorted(self._accounts)

    @contextmanager
    def watched_by(self, watcher: AccountsWatcher) -> Iterator[None]:
        """`watcher` hears of added accounts while the block runs (e.g. one phase of a read)."""
        with self._lock:
            self._watchers.append(watcher)
        try:
            yield
        finally:
            with self._lock:
                self._watchers.remove(watcher)
