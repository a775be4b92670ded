"""Per-sync lookups shared by all streams (thread-safe): containers, users, and the selection.

Comments, attachments and labels name their container (a page or blog post) but not its space;
`ContainerDirectory` resolves unknown containers in bulk (250 ids per request) and remembers every
container the sync's records show (see `references`). `UserDirectory` resolves account ids in bulk
through `users-bulk`, for mentions shown by name and for the `users` stream.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from source_confluence.api.protocol import CONTAINER_TYPES, MAX_BULK_IDS, ConfluenceApi
from source_confluence.records.references import Container
from source_confluence.records.values import optional_str

_MENTION = re.compile(r'ri:(?:account-id|userkey)="([^"]+)"')


def _key(container_id: str) -> int | str:
    return int(container_id) if container_id.isdigit() else container_id


class ContainerDirectory:
    """Remembers every page and blog post of the sync, so it must stay small per entry (memory is
    meant to stay flat in site size): an id is stored as an int mapped to a small int naming its
    (type, space) pair, about 80 bytes per container instead of ~700 for a dataclass per entry."""

    def __init__(self, client: ConfluenceApi) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._known: dict[int | str, int] = {}
        self._kinds: dict[tuple[str, str | None], int] = {}
        self._kind_list: list[tuple[str, str | None]] = []
        self._missing: set[str] = set()

    def remember(self, container: Container) -> None:
        kind = (container.type, container.space_id)
        with self._lock:
            code = self._kinds.get(kind)
            if code is None:
                code = self._kinds[kind] = len(self._kind_list)
                self._kind_list.append(kind)
            self._known[_key(container.id)] = code

    def get(self, container_id: str) -> Container | None:
        with self._lock:
            code = self._known.get(_key(container_id))
            if code is None:
                return None
            container_type, space_id = self._kind_list[code]
        return Container(container_id, container_type, space_id)

    def resolve(self, wanted: Iterable[tuple[str | None, str | None]]) -> None:
        """Looks up (id, type) pairs not seen yet, 250 per request and type."""
        with self._lock:
            todo: dict[str, list[str]] = {}
            for container_id, container_type in wanted:
                if container_id is None or container_type is None or container_type not in CONTAINER_TYPES:
                    continue
                if _key(container_id) in self._known or container_id in self._missing:
                    continue
                todo.setdefault(container_type, []).append(container_id)
        for container_type, ids in todo.items():
            unique = list(dict.fromkeys(ids))
            for chunk in chunked(unique):
                found = set()
                for item in self._client.containers(container_type, chunk):
                    found.add(str(item.get("id")))
                    self.remember(Container(str(item.get("id")), container_type,
                                            optional_str(item.get("spaceId")), optional_str(item.get("parentId"))))
                with self._lock:
                    # Purged containers stay unknown; asking again would cost a request each time.
                    self._missing.update(set(chunk) - found)


class UserDirectory:
    def __init__(self, client: ConfluenceApi) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._users: dict[str, Mapping[str, Any]] = {}
        self._unresolvable: set[str] = set()

    def mentioned_in(self, storage_bodies: Iterable[str | None]) -> set[str]:
        found: set[str] = set()
        for body in storage_bodies:
            if body and "ri:" in body:
                found.update(_MENTION.findall(body))
        return found

    def resolve(self, account_ids: Iterable[str]) -> None:
        with self._lock:
            todo = [a for a in set(account_ids) if a not in self._users and a not in self._unresolvable]
        if not todo:
            return
        users = self._client.users(sorted(todo))
        with self._lock:
            for user in users:
                if user.get("accountId"):
                    self._users[str(user["accountId"])] = user
            self._unresolvable.update(set(todo) - set(self._users))

    def user(self, account_id: str) -> Mapping[str, Any] | None:
        with self._lock:
            return self._users.get(account_id)

    def display_names(self) -> Mapping[str, str]:
        with self._lock:
            return {a: str(u.get("displayName")) for a, u in self._users.items() if u.get("displayName")}


def chunked(items: list[str], size: int = MAX_BULK_IDS) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
