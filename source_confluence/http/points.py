"""What a sync costs in Atlassian's points, counted where responses are parsed.

Atlassian meters Confluence Cloud apps (OAuth 2.0, Forge, Connect) in points against an hourly quota
("Rate limiting", developer.atlassian.com/cloud/confluence/rate-limiting, in force since March 2026):
every request costs a base of 1 point, and a read adds 1 point per object it returns; a write costs
the base only. The connector only reads (its one POST, `users-bulk`, returns objects like a list), so
a response costs `1 + objects`, objects being the items of a list page's `results` (or of a bare
JSON array), or 1 for a single object. An error answer (a 429 included) costs the base only.
These two numbers are the one place the formula lives; the Confluence double charges the same.

API-token traffic is not metered in points (burst limits only) and Data Center has no points; the
connector reports points for every deployment anyway, as a measure of how much a sync asks for.

Attribution: a partition's worker thread says which stream it reads for (`attributed`), and every
request made on that thread is charged to that stream; requests made outside any stream (listing the
selected spaces before the streams start) are charged to `SET_UP`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

POINTS_PER_REQUEST = 1
"""Atlassian's base cost of any request."""
POINTS_PER_OBJECT = 1
"""Atlassian's cost of each object a read returns."""
SET_UP = "(set-up)"
"""Requests made before or outside any stream's partitions (the selected spaces, the cloud id)."""

_current = threading.local()


def points_of(requests: int, objects: int) -> int:
    return requests * POINTS_PER_REQUEST + objects * POINTS_PER_OBJECT


def objects_in(status: int, body: Any) -> int:
    """How many objects a response returned, as Atlassian counts them for its points."""
    if not 200 <= status < 300 or body is None:
        return 0
    if isinstance(body, list):
        return len(body)
    if isinstance(body, Mapping):
        results = body.get("results")
        return len(results) if isinstance(results, list) else 1
    return 0


@contextmanager
def attributed(stream: str) -> Iterator[None]:
    """Charges the requests this thread makes meanwhile to `stream` (nesting restores the outer one)."""
    outer = getattr(_current, "stream", None)
    _current.stream = stream
    try:
        yield
    finally:
        _current.stream = outer


def current_stream() -> str:
    return getattr(_current, "stream", None) or SET_UP


@dataclass
class Usage:
    requests: int = 0
    objects: int = 0

    @property
    def points(self) -> int:
        return points_of(self.requests, self.objects)


class PointsLedger:
    """Requests, objects returned and points per stream for one command (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._usage: dict[str, Usage] = {}

    def request(self, stream: str | None = None) -> None:
        """One request answered (every attempt counts: a retried request is charged again)."""
        with self._lock:
            self._usage.setdefault(stream or current_stream(), Usage()).requests += 1

    def returned(self, objects: int, stream: str | None = None) -> None:
        if objects <= 0:
            return
        with self._lock:
            self._usage.setdefault(stream or current_stream(), Usage()).objects += objects

    def usage(self) -> dict[str, Usage]:
        with self._lock:
            return {name: Usage(u.requests, u.objects) for name, u in sorted(self._usage.items())}

    def total(self) -> Usage:
        usage = self.usage().values()
        return Usage(sum(u.requests for u in usage), sum(u.objects for u in usage))

    def log(self, logger: logging.Logger) -> None:
        """One INFO line per stream, then the total (the lines `make bench` and users read)."""
        for name, usage in self.usage().items():
            logger.info(f"Cost of stream '{name}': {usage.requests} request(s), {usage.objects} object(s) "
                        f"returned, {usage.points} point(s).")
        total = self.total()
        logger.info(f"Cost of this sync: {total.requests} request(s), {total.objects} object(s) returned, "
                    f"{total.points} point(s) (Atlassian's points: 1 per request + 1 per object returned).")
