"""Fault rules of the double: what a matching request gets instead of its answer (an HTML login page, broken
JSON, a delay, a reset connection, extra headers, a next link pointing at another server), and how often."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .api import Response

FAULT_KINDS = (None, "html_login_page", "truncated_json", "invalid_json", "delay", "reset", "reset_mid_body",
               "with_headers", "foreign_next")

LOGIN_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Log in with Atlassian account</title></head>
<body><div id="root"><form id="form-login" method="post" action="/login">
<h1>Log in to continue</h1>
<input type="email" name="username" placeholder="Enter your email">
<button id="login-submit" type="submit">Continue</button>
<p>Your organization uses single sign-on (SSO). You will be redirected to your identity provider.</p>
</form></div></body></html>
"""


@dataclass
class FaultRule:
    """Makes the next ``count`` matching requests misbehave (``count=None``: every one).

    A request matches when its path starts with ``path_prefix``, its method is ``method`` (any when
    None) and its query has every parameter of ``query`` (with that value, or any value for None).

    kind None answers with ``status`` (default 500), ``headers`` and ``body`` (default a JSON
    error). "html_login_page" answers 200 text/html with an SSO login page (what a proxy or
    expired session shows). "truncated_json" serves the real response cut in half, with a
    Content-Length that matches the cut body. "invalid_json" answers 200 application/json with a
    body that is not JSON. "delay" sleeps ``seconds`` and then answers normally (or with ``status``
    if one is given). "reset" closes the connection without answering. "reset_mid_body" sends the
    real status, headers and full Content-Length, then half the body, then resets the connection.
    "with_headers" answers normally with ``headers`` added (rate-limit headers on a 200).
    "foreign_next" answers normally but points ``_links.next`` (and the Link header) at
    ``location`` followed by the original next path: a server that sends the client elsewhere.
    ``headers`` are added to every kind's answer; ``action`` (if any) runs when the rule fires,
    before the answer is computed, so a test can change the site at an exact moment.
    """

    status: int | None = None
    count: int | None = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str | None = None
    kind: str | None = None
    path_prefix: str = ""
    method: str | None = None
    seconds: float = 0.0
    query: dict[str, str | None] = field(default_factory=dict)
    location: str = ""
    action: Callable[[], None] | None = None
    hits: int = 0

    def matches(self, method: str, path: str, query: Mapping[str, list[str]] | None = None) -> bool:
        if self.count is not None and self.hits >= self.count:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if not path.startswith(self.path_prefix):
            return False
        for name, wanted in self.query.items():
            values = (query or {}).get(name)
            if not values or (wanted is not None and wanted not in values):
                return False
        return True


class Faults:
    """Thread-safe ordered list of fault rules; the first matching rule with hits left fires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(
        self,
        status: int | None = None,
        count: int | None = 1,
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
        kind: str | None = None,
        path_prefix: str = "",
        method: str | None = None,
        seconds: float = 0.0,
        query: Mapping[str, str | None] | None = None,
        location: str = "",
        action: Callable[[], None] | None = None,
    ) -> FaultRule:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {FAULT_KINDS[1:]}")
        if count is not None and count < 1:
            raise ValueError("count must be >= 1 (or None for every request)")
        if kind == "foreign_next" and not location:
            raise ValueError("kind 'foreign_next' needs a location (scheme://host:port of the other server)")
        rule = FaultRule(status, count, dict(headers or {}), body, kind, path_prefix, method, seconds,
                         dict(query or {}), location, action)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def take(self, method: str, path: str, query: Mapping[str, list[str]] | None = None) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path, query):
                    rule.hits += 1
                    return rule
        return None


def point_next_at(response: Response, location: str) -> Response:
    """The same page, with its next link on another server (same path and query)."""
    try:
        doc = json.loads(response.body)
    except ValueError:
        return response
    links = doc.get("_links") if isinstance(doc, dict) else None
    if not isinstance(links, dict) or not links.get("next"):
        return response
    links["next"] = location.rstrip("/") + links["next"]
    headers = [(name, value) for name, value in response.headers if name.lower() != "link"]
    headers.append(("Link", f'<{links["next"]}>; rel="next"'))
    return Response(response.status, headers, json.dumps(doc).encode("ascii"))

