"""`attachment_text`: the text inside each attachment the `attachments` stream emits.

The walk emits an attachment when a new version was uploaded since the cursor (or on the first
sync), so each version is downloaded once, when its record is emitted; a record emitted again (the
cursor's boundary, a restarted walk) is read again, since the destination keeps the last record.
The declared media type decides what is downloaded (saving downloads of images and videos); the
bytes decide how it is read (extraction/detect.py). Reading happens in a limited child process
(extraction/runner.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from source_confluence.api.protocol import ConfluenceApi
from source_confluence.config.attachment_text import AttachmentTextOptions
from source_confluence.extraction.runner import Extracted, ExtractionRunner
from source_confluence.timestamps import format_timestamp

TEXT_FIELDS = ("text_content", "text_extracted_at", "text_status")
TOO_LARGE = "too_large"
UNSUPPORTED = "unsupported_type"
NOT_READ: dict[str, Any] = dict.fromkeys(TEXT_FIELDS)


class AttachmentTexts:
    """Downloads and reads the attachments of one partition, one at a time."""

    def __init__(self, options: AttachmentTextOptions, client: ConfluenceApi) -> None:
        self._options = options
        self._client = client
        self._runner = ExtractionRunner(options.max_bytes)
        self.downloads = 0

    def fields(self, record: Mapping[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
        if record.get("status") != "current":
            return dict(NOT_READ)  # trashed or deleted: nothing to read
        extracted = self._extract(record, raw)
        text = extracted.text
        status = extracted.status
        if text is not None and len(text) > self._options.max_bytes:
            text, status = None, TOO_LARGE  # the text alone would pass the cap
        return {"text_content": text, "text_extracted_at": format_timestamp(datetime.now(UTC)), "text_status": status}

    def _extract(self, record: Mapping[str, Any], raw: Mapping[str, Any]) -> Extracted:
        declared = (record.get("media_type") or "").split(";")[0].strip().lower()
        if declared not in self._options.media_types:
            return Extracted(UNSUPPORTED)
        size = record.get("file_size")
        if isinstance(size, int) and size > self._options.max_bytes:
            return Extracted(TOO_LARGE)
        link = raw.get("downloadLink")
        if not isinstance(link, str) or not link:
            return Extracted("failed: Confluence gave no download link")
        self.downloads += 1
        fetched = self._client.download(link, self._options.max_bytes)
        if fetched.too_large:
            return Extracted(TOO_LARGE)
        if fetched.content is None:
            return Extracted(f"failed: {fetched.failure}")
        return self._runner.extract(declared, self._options.media_types, fetched.content)

    def close(self) -> None:
        self._runner.close()
