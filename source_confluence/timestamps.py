"""One timestamp format for every record and every cursor.

Cursors are compared as strings, so every timestamp we emit or store must have exactly this shape:
`YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, millisecond precision, like Confluence Cloud's own values).
"""

from __future__ import annotations

from datetime import UTC, datetime

_FAST_LENGTH = len("2024-01-01T00:00:00.000Z")


def format_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def normalize_timestamp(value: object) -> str | None:
    """Any ISO-8601 string (or epoch millis) -> canonical UTC string; None when absent or unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return format_timestamp(datetime.fromtimestamp(value / 1000, tz=UTC))
    if not isinstance(value, str):
        return None
    # Confluence Cloud already sends the canonical shape; skip parsing on the hot path.
    if len(value) == _FAST_LENGTH and value[-1] == "Z" and value[10] == "T" and value[19] == ".":
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return format_timestamp(parsed)


def parse_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value)
