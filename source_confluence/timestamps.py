"""One timestamp format for every record and every cursor.

Cursors are compared as strings, so every timestamp we emit or store must have exactly this shape:
`YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, millisecond precision, like Confluence Cloud's own values).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_FAST_LENGTH = len("2024-01-01T00:00:00.000Z")
_CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", re.ASCII)  # no non-ASCII digits
_is_canonical = _CANONICAL.fullmatch


def format_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    # %Y does not pad years before 1000 on every platform; the shape must not depend on the year.
    return f"{moment.year:04d}" + moment.strftime("-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def normalize_timestamp(value: object) -> str | None:
    """Any ISO-8601 string (or epoch millis) -> canonical UTC string; None when absent or unparseable."""
    # Hot path (several calls per record): Confluence Cloud already sends the canonical shape.
    if type(value) is str and len(value) == _FAST_LENGTH and _is_canonical(value):
        return value
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            return format_timestamp(datetime.fromtimestamp(value / 1000, tz=UTC))
        if not isinstance(value, str):
            return None
        # Confluence Cloud already sends the canonical shape; skip parsing on the hot path.
        if len(value) == _FAST_LENGTH and _CANONICAL.fullmatch(value):
            return value
        return format_timestamp(datetime.fromisoformat(value))
    except (ValueError, OverflowError, OSError):
        # Unparseable, or outside the years a datetime can hold (epoch millis from a broken clock).
        return None


def parse_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value)
