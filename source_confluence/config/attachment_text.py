"""The `attachment_text` options: whether to read the text inside attachments, the size cap and the
media types to read. Validated here so each error names its field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from source_confluence.config.model import ConfigError

DEFAULT_MAX_MB = 20
MAX_MAX_MB = 200
SUPPORTED_MEDIA_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "text/html",
    "text/csv",
    "text/markdown",
    "text/plain",
)
"""What the extractors read (source_confluence/extraction), in the spec's order."""


@dataclass(frozen=True)
class AttachmentTextOptions:
    max_bytes: int
    media_types: frozenset[str]


def attachment_text(raw: Mapping[str, Any]) -> AttachmentTextOptions | None:
    """The options, or None when `attachment_text` is off (its companions are still checked)."""
    enabled = raw.get("attachment_text", False)
    if enabled is not None and not isinstance(enabled, bool):
        raise ConfigError("attachment_text", f"must be true or false, got {enabled!r}.", "Set it to true or false.")
    max_mb = raw.get("attachment_text_max_mb", DEFAULT_MAX_MB)
    if max_mb is None:
        max_mb = DEFAULT_MAX_MB
    if isinstance(max_mb, bool) or not isinstance(max_mb, int) or not 1 <= max_mb <= MAX_MAX_MB:
        raise ConfigError("attachment_text_max_mb", f"must be a whole number of megabytes from 1 to {MAX_MAX_MB}, "
                          f"got {max_mb!r}.", f"Set it between 1 and {MAX_MAX_MB} (default {DEFAULT_MAX_MB}).")
    media_types = _media_types(raw.get("attachment_text_media_types"))
    if not enabled:
        return None
    return AttachmentTextOptions(max_bytes=max_mb * 1024 * 1024, media_types=media_types)


def _media_types(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset(SUPPORTED_MEDIA_TYPES)
    fix = f"Choose among {', '.join(SUPPORTED_MEDIA_TYPES)}."
    if not isinstance(value, list | tuple):
        raise ConfigError("attachment_text_media_types", "must be a list.", fix)
    unknown = [item for item in value if item not in SUPPORTED_MEDIA_TYPES]
    if unknown:
        raise ConfigError("attachment_text_media_types", f"has unsupported value(s) {unknown}.", fix)
    if not value:
        raise ConfigError("attachment_text_media_types", "is empty, so no attachment would be read.",
                          f"{fix} Or turn attachment_text off.")
    return frozenset(value)
