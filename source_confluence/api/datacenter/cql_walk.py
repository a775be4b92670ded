"""Data Center's CQL search read oldest first, page by page, without trusting a single hit's time.

Search pages by offset over `lastmodified asc`, and offsets shift when content changes mid-read, so
the walk moves its bound instead: the next page asks `lastmodified >= <minute of the last hit>`,
starting where the last hit (the anchor) should be. But search places a hit where it was *indexed*
and loads it from the database *as it is now*: a hit edited after it was indexed carries a newer
time than its place (and the index lags the database by seconds, more under bulk edits). A bound
taken from such a hit would skip everything between its place and its time. So:
- a bound is *proven* only when the anchor comes back under it (the anchor was indexed at or after
  it, and so is everything not yet read); until then it is a candidate. The server drops hits it
  cannot load (purged content the index still lists) from a page, so the anchor's offset is known
  only from below: the next page starts there and the anchor may come a few places later;
- a candidate that loses the anchor is dropped: the walk goes back to the proven bound, at the
  anchor's offset under it;
- a proven bound that loses the anchor (content moved under the walk) is read again from its start,
  skipping what was served; if it keeps moving, the walk stops at the proven bound (a partition
  continues from there next time; a listing fails, as it must not pass for complete).
Every page carries the position of the proven bound (`{"bound": <minute>, "start": 0}`), for a
checkpoint to resume from, and the instant it stands for (`proven_before`), the only time a cursor
may take from the walk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.api.datacenter.cql import ServerClock, cql_string, offset_of
from source_confluence.api.protocol import ListPage, Position
from source_confluence.timestamps import format_timestamp, parse_timestamp

LOGGER = logging.getLogger("airbyte")
MAX_RESTARTS_PER_BOUND = 3
WALK_ORDER = " order by lastmodified asc"
SEEN_MARGIN = timedelta(hours=3)
"""Served hits are remembered down to this far before the proven bound (DST, offsets)."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Fetch = Callable[[str], tuple[Mapping[str, Any], str]]
"""GET a search link: the body and the base URL of web links."""
Link = Callable[[str, int, int], str]
"""The search link of a CQL text at an offset, for a page size."""


@dataclass(frozen=True)
class Bound:
    text: str | None
    """The CQL minute (`yyyy-MM-dd HH:mm`), or None: no bound, the whole list."""
    at: datetime | None
    """The earliest instant the server may read `text` as; None when not known (a starting bound)."""


def _key(item: Mapping[str, Any]) -> tuple[str, Any]:
    """One version of one object (its modification time where the number is missing)."""
    version = item.get("version") or {}
    return str(item.get("id")), version.get("number") or version.get("createdAt")


def _moment(item: Mapping[str, Any]) -> datetime:
    at = (item.get("version") or {}).get("createdAt")
    return parse_timestamp(at) if at else EPOCH


class CqlWalk:
    def __init__(self, fetch: Fetch, link: Link, convert: Callable[[Mapping[str, Any]], dict[str, Any]],
                 clock: ServerClock, base_cql: str, bound: str | None, start: int, must_complete: bool,
                 limit: int, max_limit: int) -> None:
        self._fetch = fetch
        self._link = link
        self._limit = self._base_limit = limit
        self._max_limit = max(max_limit, limit)
        self._convert = convert
        self._clock = clock
        self._base_cql = base_cql
        self._must_complete = must_complete
        self.proven = Bound(bound, None)
        self._request = self.proven
        self._offset = start
        self._anchor: tuple[str, Any] | None = None
        self._anchor_in_proven = start
        """Where the anchor sits in the proven bound's list."""
        self._seen: dict[tuple[str, Any], datetime] = {}
        """Served versions -> the latest time their place can be (own time, or a later hit's)."""
        self._restarts = 0

    def cql(self, bound: Bound) -> str:
        if bound.text is None:
            return self._base_cql + WALK_ORDER
        return f"{self._base_cql} and lastmodified >= {cql_string(bound.text)}{WALK_ORDER}"

    def _proven_position(self) -> Position:
        return {"bound": self.proven.text, "start": 0}

    def _proven_before(self) -> str | None:
        return format_timestamp(self.proven.at) if self.proven.at is not None else None

    def list_pages(self) -> Iterator[ListPage]:
        while True:
            body, base = self._fetch(self._link(self.cql(self._request), self._offset, self._limit))
            raw = list(body.get("results") or [])
            found = [(self._convert(item), offset_of((item.get("version") or {}).get("when"))) for item in raw]
            more = bool((body.get("_links") or {}).get("next")) or len(raw) >= int(body.get("limit") or 1)
            if self._anchor is not None:
                at = next((n for n, (item, _) in enumerate(found) if _key(item) == self._anchor), None)
                # Before the anchor only what was served may come (hits the server dropped are not
                # returned at all): anything else means the anchor itself moved (its index entry
                # caught up with an edit) or the list did.
                if at is None or any(_key(item) not in self._seen for item, _ in found[:at]):
                    if not self._recover():
                        yield from self._stop(base)
                        return
                    continue
                found = found[at + 1:]
                if self._request != self.proven:
                    self.proven, self._anchor_in_proven, self._restarts = self._request, self._offset, 0
                    self._forget_before(self.proven.at)
            if more and not found:
                # Nothing past the anchor, yet more to come: hits the server dropped (purged content
                # the index still lists). Ask the same again for a larger page, then start over.
                if self._limit < self._max_limit:
                    self._limit = min(self._limit * 2, self._max_limit)
                elif not self._recover():
                    yield from self._stop(base)
                    return
                continue
            # Hits the server dropped from this page (fewer than asked, yet more to come) may sit
            # before its last hit: the next page starts where that hit can be at the earliest, and
            # reaches over as many places as were dropped.
            dropped = self._limit - len(raw) if more else 0
            self._limit = min(self._base_limit + dropped, self._max_limit)
            fresh = self._serve(found)
            if not more:
                yield ListPage(fresh, None, base, self._proven_before())
                return
            self._next(found[-1], self._offset + len(raw) - 1)
            yield ListPage(fresh, self._proven_position(), base, self._proven_before())

    def _serve(self, found: list[tuple[dict[str, Any], timedelta | None]]) -> list[dict[str, Any]]:
        """The hits not served yet; every served place is bounded by the hits that follow it."""
        fresh = [item for item, _ in found if _key(item) not in self._seen]
        latest: datetime | None = None
        for item, _ in reversed(found):
            moment = _moment(item)
            latest = moment if latest is None else min(latest, moment)
            key = _key(item)
            self._seen[key] = min(self._seen.get(key, latest), latest)
        if latest is not None:
            for key, place in self._seen.items():
                if place > latest:
                    self._seen[key] = latest
        return fresh

    def _next(self, last: tuple[dict[str, Any], timedelta | None], anchor_offset: int) -> None:
        """Asks next under a candidate bound from the last hit, or on by offset under the proven one."""
        item, offset = last
        self._anchor = _key(item)
        if self._request == self.proven:
            self._anchor_in_proven = anchor_offset
        text, at = self._clock.continuation_bound(_moment(item), offset)
        if text == self.proven.text:
            self._request, self._offset = self.proven, self._anchor_in_proven
            return
        self._request = Bound(text, at)
        self._offset = max(sum(1 for place in self._seen.values() if place >= at) - 1, 0)

    def _recover(self) -> bool:
        """The anchor is not where it should be: False when the walk must stop."""
        if self._request != self.proven:
            self._request, self._offset = self.proven, self._anchor_in_proven
            return True
        if self._restarts >= MAX_RESTARTS_PER_BOUND:
            return False
        # The list moved under us: read the proven bound again from its start, skipping what was served.
        self._restarts += 1
        self._offset, self._anchor = 0, None
        return True

    def _stop(self, base: str) -> Iterator[ListPage]:
        if self._must_complete:
            raise AirbyteTracedException(
                message="Confluence's search results kept changing while the connector listed them; the sync "
                "will try again next time.",
                internal_message=f"CQL walk stopped at {self.cql(self.proven)}",
                failure_type=FailureType.transient_error,
            )
        LOGGER.warning("Data Center search kept changing order while being read; stopping at the last proven point.")
        yield ListPage([], self._proven_position(), base, self._proven_before())

    def _forget_before(self, at: datetime | None) -> None:
        if at is None:
            return
        self._seen = {key: place for key, place in self._seen.items() if place >= at - SEEN_MARGIN}
