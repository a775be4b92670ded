"""Atlassian's rate-limit headers, read into how fast the connector may go before it is refused.

What the headers say (Atlassian's rate-limiting pages for Cloud and Data Center; values as observed):
- Cloud points quota, IETF draft style, under `RateLimit-Policy`/`RateLimit` or, while Atlassian
  calls them beta, `Beta-RateLimit-Policy`/`Beta-RateLimit`: the policy `"name";q=<points>;w=<window
  seconds>` and the state `"name";r=<points remaining>;t=<seconds until the window resets>`, several
  items comma-separated. The policy may be missing once the quota is used up.
- `X-RateLimit-NearLimit: true` (or `X-Beta-RateLimit-NearLimit`): less than a fifth of the quota is left.
- `X-RateLimit-Limit`/`-Remaining`: a request counter (Cloud burst limits; Data Center's token
  bucket, refilled by `X-RateLimit-FillRate` tokens every `X-RateLimit-Interval-Seconds`);
  `X-RateLimit-Reset`: when a Cloud limit resets (an ISO 8601 instant).
Any header may be missing, repeated or malformed: a value that does not parse is ignored, never an error.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

LOW_FRACTION = 0.2
"""Below this share of a limit left, the connector spreads what is left over the time to the reset."""
_ITEM = re.compile(r'^\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[A-Za-z0-9_.*-]+))(?P<params>(?:\s*;\s*[^;,]*)*)\s*$')


@dataclass(frozen=True)
class Quota:
    """One limit as the latest answer described it."""

    remaining: float
    reset_seconds: float | None
    """Seconds until the limit is full again; None when not said."""
    limit: float | None = None
    in_points: bool = True
    """True: counts points (the Cloud quota); False: counts requests."""

    @property
    def low(self) -> bool:
        return self.limit is not None and self.remaining < LOW_FRACTION * self.limit


@dataclass(frozen=True)
class QuotaReading:
    quotas: tuple[Quota, ...] = ()
    near_limit: bool = False
    refill_seconds_per_request: float | None = None
    """Data Center's token bucket: the steady pace it refills at (interval / fill rate)."""


def _number(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if value == value and value >= 0 and value != float("inf") else None


def structured_items(value: str | None) -> dict[str, dict[str, str]]:
    """`"a";q=1;w=2, "b";r=3` -> {"a": {"q": "1", "w": "2"}, "b": {"r": "3"}}; malformed items are skipped."""
    items: dict[str, dict[str, str]] = {}
    for part in (value or "").split(","):
        match = _ITEM.match(part)
        if not match:
            continue
        name = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
        params: dict[str, str] = {}
        for param in match.group("params").split(";"):
            key, sep, val = param.partition("=")
            if sep and key.strip():
                params[key.strip().lower()] = val.strip().strip('"')
        items[name] = params
    return items


def _header(headers: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            return value
    return None


def _points_quotas(headers: Mapping[str, str]) -> list[Quota]:
    policies = structured_items(_header(headers, "RateLimit-Policy", "Beta-RateLimit-Policy"))
    quotas = []
    for name, params in structured_items(_header(headers, "RateLimit", "Beta-RateLimit")).items():
        remaining = _number(params.get("r"))
        if remaining is None:
            continue
        limit = _number(policies.get(name, {}).get("q"))
        quotas.append(Quota(remaining, _number(params.get("t")), limit, in_points=True))
    return quotas


def _reset_in(value: str | None, now: float) -> float | None:
    text = (value or "").strip()
    if not text:
        return None
    seconds = _number(text)
    if seconds is not None:
        return seconds
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            return None
        return max(moment.timestamp() - now, 0.0)
    except (ValueError, OverflowError):
        return None


def read_quota_headers(headers: Mapping[str, str], now: float | None = None) -> QuotaReading:
    """Everything the rate-limit headers of one answer say; an empty reading when they say nothing."""
    now = time.time() if now is None else now
    quotas = _points_quotas(headers)
    remaining = _number(headers.get("X-RateLimit-Remaining"))
    refill: float | None = None
    if remaining is not None:
        interval = _number(headers.get("X-RateLimit-Interval-Seconds"))
        fill = _number(headers.get("X-RateLimit-FillRate"))
        if interval and fill:
            refill = interval / fill
        reset = _reset_in(headers.get("X-RateLimit-Reset"), now)
        quotas.append(Quota(remaining, reset if reset is not None else interval,
                            _number(headers.get("X-RateLimit-Limit")), in_points=False))
    near = (_header(headers, "X-RateLimit-NearLimit", "X-Beta-RateLimit-NearLimit") or "").strip().lower() == "true"
    return QuotaReading(tuple(quotas), near, refill)
