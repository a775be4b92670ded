"""`content_versions` records: one per (content, version number), from a v2 Version object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from source_confluence.records.references import Built, References
from source_confluence.records.values import optional_str
from source_confluence.timestamps import normalize_timestamp


def version_record(version: Mapping[str, Any], content_id: str, content_type: str, space_id: str | None,
                   container: tuple[str | None, str | None] = (None, None)) -> Built | None:
    """The record, naming the version's author; None for a version without a whole number."""
    number = version.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    author = optional_str(version.get("authorId"))
    minor = version.get("minorEdit")
    record = {
        "id": f"{content_id}:{number}",
        "content_id": content_id,
        "content_type": content_type,
        "container_id": container[0],
        "container_type": container[1],
        "space_id": space_id,
        "version_number": number,
        "author_id": author,
        "created_at": normalize_timestamp(version.get("createdAt")),
        "message": optional_str(version.get("message")),
        "minor_edit": minor if isinstance(minor, bool) else None,
    }
    return Built(record, References.of_accounts(author))
