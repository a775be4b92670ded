"""What `content_restrictions` has emitted, kept in its state so a lifted restriction can be tombstoned.

Only restricted content has an entry: content id -> (content type, space id, the emitted rows'
keys `operation:principal_type:principal_id`). Principal ids repeat across pages (the same groups
and people), so the map is stored as zlib-compressed JSON in base64: a few bytes per row.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Emitted:
    content_type: str
    space_id: str | None
    keys: frozenset[str]


def encode_emitted(emitted: Mapping[str, Emitted]) -> str:
    doc = {content_id: [item.content_type, item.space_id, sorted(item.keys)]
           for content_id, item in sorted(emitted.items()) if item.keys}
    return base64.b64encode(zlib.compress(json.dumps(doc, separators=(",", ":")).encode(), 9)).decode("ascii")


def decode_emitted(blob: Any) -> dict[str, Emitted]:
    """Inverse of encode_emitted; ValueError on anything it did not produce."""
    if not isinstance(blob, str):
        raise ValueError("not an encoded restriction map")
    try:
        doc = json.loads(zlib.decompress(base64.b64decode(blob, validate=True)))
    except (ValueError, zlib.error) as error:
        raise ValueError(f"not an encoded restriction map: {error}") from None
    if not isinstance(doc, dict):
        raise ValueError("not an encoded restriction map")
    emitted: dict[str, Emitted] = {}
    for content_id, entry in doc.items():
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)
                and isinstance(entry[1], str | None) and isinstance(entry[2], list)
                and all(isinstance(key, str) for key in entry[2])):
            raise ValueError("not an encoded restriction map")
        emitted[str(content_id)] = Emitted(entry[0], entry[1], frozenset(entry[2]))
    return emitted
