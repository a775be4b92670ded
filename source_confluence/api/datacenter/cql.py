"""CQL text and the server-side minute it compares to.

CQL's `lastmodified >= "yyyy-MM-dd HH:mm"` compares to the minute, in the Data Center server's time
zone. A bound must never be read by the server as later than the instant we mean, or changes in
between are skipped for good; reading it earlier only costs repeats, which the walk drops. So:
- with the server's zone configured, a bound is the instant's minute in that zone, stepped back when
  the autumn DST change makes that wall time ambiguous (the server may read the later one);
- without it, the offset is taken from the server's own timestamps, a cursor bound keeps a margin of
  two hours (an offset seen today may differ by an hour at the cursor's date, and its wall time may be
  ambiguous), and a walk's next bound, taken from a result's own offset, steps back an hour when it
  falls between midnight and 4 am local time, when DST changes happen.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from source_confluence.api.protocol import BLOGPOST, PAGE

CONTENT_TYPES = {PAGE: "page", BLOGPOST: "blogpost"}
"""The CQL `type` of each container kind."""
CQL_MINUTE = "%Y-%m-%d %H:%M"
AUTO_MARGIN = timedelta(hours=2)
UNKNOWN_OFFSET_MARGIN = timedelta(hours=16)  # UTC-12 .. UTC+14, plus the DST hour
DST_HOURS_END = 4


def cql_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def floor_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


class ServerClock:
    def __init__(self, zone: ZoneInfo | None = None, offset: timedelta | None = None) -> None:
        self.zone = zone
        self.offset = offset

    @property
    def exact(self) -> bool:
        return self.zone is not None

    def cursor_bound(self, cursor: datetime) -> tuple[str, datetime]:
        """The minute text for "changed at or after `cursor`", and the instant it stands for."""
        if self.zone is not None:
            return self._zone_bound(floor_minute(cursor))
        margin = AUTO_MARGIN if self.offset is not None else UNKNOWN_OFFSET_MARGIN
        return self._offset_bound(floor_minute(cursor) - margin, self.offset or timedelta(0))

    def continuation_bound(self, moment: datetime, offset: timedelta | None) -> tuple[str, datetime]:
        """The bound of a walk's next page, from the last result's time and the offset the server gave it."""
        if self.zone is not None:
            return self._zone_bound(floor_minute(moment))
        known = offset if offset is not None else self.offset
        at = floor_minute(moment)
        if known is None:
            return self._offset_bound(at - UNKNOWN_OFFSET_MARGIN, timedelta(0))
        if (at + known).hour < DST_HOURS_END:
            at -= timedelta(hours=1)
        return self._offset_bound(at, known)

    def _zone_bound(self, at: datetime) -> tuple[str, datetime]:
        assert self.zone is not None
        for _ in range(4):
            local = at.astimezone(self.zone)
            text = local.strftime(CQL_MINUTE)
            naive = local.replace(tzinfo=None)
            readings = [naive.replace(tzinfo=self.zone, fold=fold).astimezone(UTC) for fold in (0, 1)]
            if max(readings) <= at:
                return text, min(readings)
            at -= max(readings) - min(readings)
        return text, at

    @staticmethod
    def _offset_bound(at: datetime, offset: timedelta) -> tuple[str, datetime]:
        return (at + offset).strftime(CQL_MINUTE), at


def offset_of(timestamp: object) -> timedelta | None:
    """The UTC offset a Data Center timestamp was written with."""
    if not isinstance(timestamp, str):
        return None
    try:
        return datetime.fromisoformat(timestamp).utcoffset()
    except ValueError:
        return None
