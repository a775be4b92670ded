"""The content a sync's walks emitted (pages, blog posts, attachments), by type: the label stream
reads the current labels of exactly these (streams/label_rounds.py), since the labels of content
that changed may have changed with it. Thread-safe; filled in the first phase of a sync and read in
the second, when every content stream has finished."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from source_confluence.api.protocol import ATTACHMENT, BLOGPOST, PAGE

LABELLED_KINDS = (PAGE, BLOGPOST, ATTACHMENT)


class ChangedContent:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.enabled = True
        """False when `content_labels` is not selected: nothing reads what would be kept."""
        self._spaces: dict[str, dict[str, str | None]] = {kind: {} for kind in LABELLED_KINDS}
        self._versions: dict[str, dict[str, int | None]] = {kind: {} for kind in LABELLED_KINDS}

    def add(self, kind: str, record: Mapping[str, Any]) -> None:
        """A record a content walk emitted (ignored unless it is current labelled content: the label
        endpoints list current content only)."""
        if self.enabled and kind in self._spaces and record.get("status", "current") == "current":
            number = record.get("version_number")
            with self._lock:
                self._spaces[kind][str(record["id"])] = record.get("space_id")
                known = self._versions[kind].get(str(record["id"]))
                if isinstance(number, int) and (known is None or number > known):
                    self._versions[kind][str(record["id"])] = number

    def of(self, kind: str) -> dict[str, str | None]:
        """Content id -> its space id, of the content of `kind` emitted so far."""
        with self._lock:
            return dict(self._spaces[kind])

    def versions(self, kind: str) -> dict[str, int | None]:
        """Content id -> the newest version number emitted (None when the record had none), of `kind`."""
        with self._lock:
            return {content_id: self._versions[kind].get(content_id) for content_id in self._spaces[kind]}

    def __len__(self) -> int:
        with self._lock:
            return sum(len(spaces) for spaces in self._spaces.values())
