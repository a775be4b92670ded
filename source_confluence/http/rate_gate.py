"""Confluence's rate limits as the connector reads them: `Retry-After` (seconds or an HTTP date,
however absurd), Data Center's `X-RateLimit-*` headers, waits said the way a person reads them,
and the gate that makes every worker pause together (`retry_policy` decides when to use them)."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Mapping


class RateGate:
    """Blocks every worker until a rate-limit pause is over (shared across threads), or for good
    once the connector has given up on the rate limit. `clock` and `sleep` are seams for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self._lock = threading.Lock()
        self._open_at = 0.0
        self._clock = clock
        self._sleep = sleep
        self._stopped: Callable[[], Exception] | None = None

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
                return
            self._sleep(min(remaining, 1.0))


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
