"""Confluence's rate limits as the connector reads them: `Retry-After` (seconds or an HTTP date,
however absurd), Data Center's `X-RateLimit-*` headers, waits said the way a person reads them,
and the gate that makes every worker pause together (`retry_policy` decides when to use them) and
paces them all below a quota (`pace`, from the headers in `quota_headers`, and `max_points_per_hour`)."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Mapping

from source_confluence.http.quota_headers import QuotaReading


class RateGate:
    """Blocks every worker until a rate-limit pause is over (shared across threads), or for good
    once the connector has given up on the rate limit. `clock` and `sleep` are seams for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self._lock = threading.Lock()
        self._open_at = 0.0
        self._clock = clock
        self._sleep = sleep
        self._stopped: Callable[[], Exception] | None = None
        # Pacing (a leaky bucket shared by all workers): the earliest start of the next request,
        # pushed on by every request (`_per_request`) and by the points each answer cost.
        self._next_at = 0.0
        self._cap_per_point = 0.0
        self._per_point = 0.0
        self._per_request = 0.0
        self._largest_charge = 1
        self._in_flight = 4
        self._longest_pace = float("inf")

    def cap_points_per_hour(self, points: int | None, in_flight: int, longest_wait: float = float("inf")) -> None:
        """The connector's own pace (`max_points_per_hour`), how many requests may be in flight at once,
        and the longest a request waits for the pace (beyond it, the server's 429 decides, as for any
        rate limit)."""
        with self._lock:
            self._cap_per_point = 3600.0 / points if points else 0.0
            self._in_flight = max(in_flight, 1)
            self._longest_pace = longest_wait

    @property
    def pacing(self) -> bool:
        """True while the quota headers slow the workers down."""
        with self._lock:
            return bool(self._per_point or self._per_request)

    def charge(self, points: int) -> None:
        """An answer cost `points`: later requests start no earlier than those points allow."""
        with self._lock:
            self._largest_charge = max(self._largest_charge, points)
            per_point = max(self._per_point, self._cap_per_point)
            if per_point:
                self._next_at = max(self._next_at, self._clock()) + points * per_point

    def pace(self, reading: QuotaReading) -> float | None:
        """Sets the pace the latest answer's rate-limit headers call for (none when plenty is left) and
        returns a pause to take now when a quota is used up (the caller decides whether to take it).

        A low quota (less than a fifth left, or Atlassian's near-limit flag) is spread over the time to
        its reset, keeping back what the requests in flight may cost, so the last point is spent as the
        window resets instead of a 429 arriving early."""
        per_point = per_request = 0.0
        pause: float | None = None
        with self._lock:
            reserve = self._largest_charge * self._in_flight
        for quota in reading.quotas:
            # Low: under a fifth left, Atlassian's near-limit flag, or too little for two rounds of
            # the requests that may be in flight (a small quota, e.g. a test double's).
            low = quota.low or reading.near_limit or (quota.in_points and quota.remaining < 2 * reserve)
            if quota.reset_seconds is None or not low:
                continue
            if not quota.in_points and quota.remaining <= 0:
                continue  # a request counter used up: `rate_limit_pause` decides, as before
            usable = quota.remaining - reserve if quota.in_points else quota.remaining
            if usable <= 0:
                pause = max(pause or 0.0, quota.reset_seconds)
            elif quota.in_points:
                per_point = max(per_point, quota.reset_seconds / usable)
            else:
                per_request = max(per_request, quota.reset_seconds / usable)
        if reading.refill_seconds_per_request and any(q.low and not q.in_points for q in reading.quotas):
            per_request = max(per_request, reading.refill_seconds_per_request)
        with self._lock:
            self._per_point, self._per_request = per_point, per_request
        return pause

    def close_for(self, seconds: float) -> bool:
        """Pauses requests for `seconds`; True when this extends the pause (for logging once)."""
        with self._lock:
            until = self._clock() + seconds
            extended = until > self._open_at + 0.5
            self._open_at = max(self._open_at, until)
            return extended

    def stop(self, error: Callable[[], Exception]) -> None:
        """Every later request fails at once with a fresh `error()`: the sync is ending."""
        with self._lock:
            self._stopped = self._stopped or error

    def remaining(self) -> float:
        with self._lock:
            return max(self._open_at - self._clock(), 0.0)

    def wait(self) -> None:
        while True:
            stopped = self._stopped
            if stopped is not None:
                raise stopped()
            remaining = self.remaining()
            if remaining <= 0:
                break
            self._sleep(min(remaining, 1.0))
        with self._lock:  # this request's slot in the pace: later ones queue behind it
            now = self._clock()
            start = min(max(now, self._next_at), now + self._longest_pace)
            self._next_at = start + self._per_request
        while start > now:
            stopped = self._stopped
            if stopped is not None:
                raise stopped()
            self._sleep(min(start - now, 1.0))
            now = self._clock()


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or HTTP-date), not capped: the caller
    decides what is too long. Absurd values come back huge or infinite, never as an error."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)  # "9223372036854775807" and "1e400" parse too (huge, infinite)
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(seconds, 0.0) if seconds == seconds else None  # NaN asks for nothing usable
    try:
        moment = email.utils.parsedate_to_datetime(text)
        delta = moment.timestamp() - (time.time() if now is None else now)
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):  # AttributeError: no date
        return None
    return max(delta, 0.0)


def rate_limit_pause(headers: Mapping[str, str]) -> float | None:
    """Seconds to pause when Confluence Data Center says the token bucket is empty, else None.

    Data Center sends `X-RateLimit-Remaining` on every response; at 0 the next request would be
    refused, so everyone waits for `Retry-After` or one refill interval (`X-RateLimit-Interval-Seconds`).
    """
    remaining = (headers.get("X-RateLimit-Remaining") or "").strip()
    try:
        if not remaining or float(remaining) > 0:
            return None
    except ValueError:
        return None
    for name in ("Retry-After", "X-RateLimit-Interval-Seconds"):
        wait = parse_retry_after(headers.get(name))
        if wait is not None:
            return wait
    return 1.0


def describe_wait(seconds: float) -> str:
    """A wait as a person reads it: "45 s", "12 min 5 s", "3 h 20 min", "2 d 4 h"."""
    if not seconds < 365 * 86400:
        return "more than a year"
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:.3g} s" if seconds < 10 else f"{whole} s"
    units = [("d", 86400), ("h", 3600), ("min", 60), ("s", 1)]
    parts: list[str] = []
    for name, size in units:
        amount, whole = divmod(whole, size)
        if amount or parts:
            parts.append(f"{amount} {name}")
        if len(parts) == 2:
            break
    return " ".join(part for part in parts if not part.startswith("0 "))
