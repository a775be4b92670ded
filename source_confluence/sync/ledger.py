"""What a stream emitted per container, kept in state to find the items that left it.

Tasks and decisions live in their page's body: one removed from the body vanishes from every list,
so a removal shows only as an absence. The ledger keeps, per container, the ids of the items last
emitted for it (and, for decisions, when each was first seen); reading a container again tells
which of them are gone. Stored as zlib-compressed JSON in base64 (`z<base64>`): item ids share
their container's prefix and compress well.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping

_PREFIX = "z"


class ItemLedger:
    """container id -> {item id: when first seen (None where not kept)}."""

    def __init__(self, items: Mapping[str, Mapping[str, str | None]] | None = None) -> None:
        self._items: dict[str, dict[str, str | None]] = {c: dict(i) for c, i in (items or {}).items() if i}

    @classmethod
    def decode(cls, text: object) -> ItemLedger:
        """ValueError when `text` is not an encoded ledger."""
        if text is None:
            return cls()
        if not isinstance(text, str) or not text.startswith(_PREFIX):
            raise ValueError("not an encoded item ledger")
        try:
            raw = json.loads(zlib.decompress(base64.b64decode(text[1:], validate=True)))
        except (binascii.Error, zlib.error, ValueError) as error:
            raise ValueError("not an encoded item ledger") from error
        if not isinstance(raw, dict):
            raise ValueError("not an encoded item ledger")
        items: dict[str, dict[str, str | None]] = {}
        for container_id, by_time in raw.items():
            if not isinstance(by_time, dict):
                raise ValueError("not an encoded item ledger")
            for seen, ids in by_time.items():
                if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                    raise ValueError("not an encoded item ledger")
                for item_id in ids:
                    items.setdefault(container_id, {})[item_id] = seen or None
        return cls(items)

    def encode(self) -> str | None:
        if not self._items:
            return None
        # Grouped by first-seen time: the items of one container mostly arrive together.
        grouped: dict[str, dict[str, list[str]]] = {}
        for container_id in sorted(self._items):
            for item_id, seen in sorted(self._items[container_id].items()):
                grouped.setdefault(container_id, {}).setdefault(seen or "", []).append(item_id)
        packed = zlib.compress(json.dumps(grouped, separators=(",", ":")).encode(), 9)
        return _PREFIX + base64.b64encode(packed).decode("ascii")

    def containers(self) -> list[str]:
        return sorted(self._items)

    def items_of(self, container_id: str) -> Mapping[str, str | None]:
        return dict(self._items.get(container_id, {}))

    def first_seen(self, container_id: str, item_id: str) -> str | None:
        return self._items.get(container_id, {}).get(item_id)

    def add(self, container_id: str, item_id: str, seen: str | None = None) -> None:
        known = self._items.setdefault(container_id, {})
        known.setdefault(item_id, seen)

    def replace(self, container_id: str, current: Mapping[str, str | None]) -> list[str]:
        """The container now holds `current` (item id -> first seen): the ids it no longer holds."""
        before = self._items.pop(container_id, {})
        if current:
            self._items[container_id] = dict(current)
        return sorted(set(before) - set(current))

    def drop(self, container_id: str) -> list[str]:
        """The container is gone: the ids it held."""
        return sorted(self._items.pop(container_id, {}))
