"""Atlassian's points quota, as the double enforces it when asked (off by default).

Every answer costs 1 point plus 1 per object it returns (the items of `results`, or 1 for a single
object; an error costs the base only), against a quota of `points` per fixed window of
`window_seconds` (Atlassian's is an hour; tests use seconds). Every answer carries the headers
Atlassian sends for it: `Beta-RateLimit-Policy: "global-app-quota";q=<points>;w=<window>`,
`Beta-RateLimit: "global-app-quota";r=<left>;t=<seconds to reset>`, and `X-RateLimit-NearLimit:
true` under a fifth left. Once the window's points are spent, requests are refused with 429,
`Retry-After` (whole seconds to the reset, at least 1) and `X-RateLimit-Reset` (the reset instant,
ISO 8601), until the window resets. `send_headers=False` serves a server that sends none of the
quota headers before the 429 (the connector can then only react to the refusal).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from .api.wire import Response, error_body

POLICY = "global-app-quota"
NEAR_FRACTION = 0.2


def objects_returned(response: Response) -> int:
    if not 200 <= response.status < 300 or not response.body:
        return 0
    try:
        doc = json.loads(response.body)
    except ValueError:
        return 0
    if isinstance(doc, list):
        return len(doc)
    if isinstance(doc, dict):
        results = doc.get("results")
        return len(results) if isinstance(results, list) else 1
    return 0


class PointsQuota:
    def __init__(self, points: int, window_seconds: float = 3600.0, send_headers: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.points = points
        self.window_seconds = window_seconds
        self.send_headers = send_headers
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start: float | None = None
        self._used = 0
        self.charged = 0
        """Every point charged since the double started (all windows)."""
        self.refused = 0

    def _roll(self) -> float:
        """Moves to the current window; returns the seconds left in it (lock held)."""
        now = self._clock()
        if self._window_start is None:
            self._window_start = now
        elapsed = now - self._window_start
        if elapsed >= self.window_seconds:
            self._window_start += math.floor(elapsed / self.window_seconds) * self.window_seconds
            self._used = 0
        return self._window_start + self.window_seconds - now

    def refusal(self, path: str) -> Response | None:
        """A 429 when the window's points are spent (it costs the base point), else None."""
        with self._lock:
            left = self._roll()
            if self._used < self.points:
                return None
            self._used += 1
            self.charged += 1
            self.refused += 1
            headers = [("Content-Type", "application/json"), ("Retry-After", str(max(1, math.ceil(left)))),
                       ("X-RateLimit-Reset", self._reset_instant(left))]
            return Response(429, headers + self._headers(left), error_body(429, "Points quota exceeded", path))

    def charge(self, response: Response) -> list[tuple[str, str]]:
        """Charges an answer its points; the quota headers to send with it."""
        cost = 1 + objects_returned(response)
        with self._lock:
            left = self._roll()
            self._used += cost
            self.charged += cost
            return self._headers(left)

    def _headers(self, left: float) -> list[tuple[str, str]]:
        if not self.send_headers:
            return []
        remaining = max(self.points - self._used, 0)
        headers = [("Beta-RateLimit-Policy", f'"{POLICY}";q={self.points};w={self.window_seconds:g}'),
                   ("Beta-RateLimit", f'"{POLICY}";r={remaining};t={max(left, 0.0):.3f}')]
        if remaining < NEAR_FRACTION * self.points:
            headers.append(("X-RateLimit-NearLimit", "true"))
        return headers

    @staticmethod
    def _reset_instant(left: float) -> str:
        return datetime.fromtimestamp(time.time() + left, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
