"""Times as Confluence serves them: milliseconds since the epoch, ISO 8601 with a Z, UTC to the millisecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)


def to_ms(dt: datetime) -> int:
    return (dt - EPOCH) // ONE_MS


def from_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def iso(dt: datetime) -> str:
    """Confluence's "YYYY-MM-DDTHH:mm:ss.sssZ"."""
    return dt.isoformat(timespec="milliseconds")[:-6] + "Z"


def normalize_at(at: datetime | None) -> datetime:
    if at is None:
        at = datetime.now(UTC)
    elif at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    else:
        at = at.astimezone(UTC)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)

