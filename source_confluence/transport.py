"""HTTP plumbing shared by both API flavours, on the CDK's `HttpClient`.

The CDK client does the retrying; this module tells it what to retry (error handler), how long to
wait (backoff strategy: `Retry-After`, capped, else exponential with jitter), and adds what
Confluence needs on top: one rate gate shared by all workers so a 429 slows everyone, JSON bodies
parsed once, HTML login pages recognised, and requests pinned to the configured host.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy, ErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from requests.auth import AuthBase

from source_confluence import __version__

USER_AGENT = f"source-confluence/{__version__} (Airbyte connector)"
REQUEST_TIMEOUT = (10.0, 120.0)  # connect, read (seconds)
MAX_RETRY_AFTER_SECONDS = 300.0
MAX_RETRIES = 8
MAX_RETRY_TIME_SECONDS = 1800
_PARSED_BODY = "_confluence_json"


class ConfluenceHttpError(Exception):
    """A response the caller decides about (403/404/400/401), carrying the status and the URL path."""

    def __init__(self, status: int, path: str, detail: str) -> None:
        super().__init__(f"HTTP {status} for {path}: {detail}")
        self.status = status
        self.path = path
        self.detail = detail


class RateGate:
    """Blocks every worker until a rate-limit pause is over (shared across threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open_at = 0.0

    def close_for(self, seconds: float) -> None:
        with self._lock:
            self._open_at = max(self._open_at, time.monotonic() + seconds)

    def wait(self) -> None:
        while True:
            with self._lock:
                remaining = self._open_at - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(remaining, 1.0))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped; None if absent."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        # Huge values (9223372036854775807) must be capped, not overflow a sleep.
        return min(float(int(text[:12])), MAX_RETRY_AFTER_SECONDS)
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS) if seconds == seconds else None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    delta = moment.timestamp() - (time.time() if now is None else now)
    return min(max(delta, 0.0), MAX_RETRY_AFTER_SECONDS)


class ConfluenceBackoffStrategy(BackoffStrategy):
    def __init__(self, gate: RateGate, base_seconds: float = 1.0, max_seconds: float = 60.0) -> None:
        self._gate = gate
        self._base = base_seconds
        self._max = max_seconds

    def backoff_time(self, response_or_exception: Any, attempt_count: int) -> float | None:
        wait = None
        if isinstance(response_or_exception, requests.Response):
            headers = response_or_exception.headers
            wait = parse_retry_after(headers.get("Retry-After"))
            if wait is None and response_or_exception.status_code == 429:
                wait = parse_retry_after(headers.get("X-RateLimit-Interval-Seconds"))
        if wait is None:
            # Full jitter keeps workers that failed together from retrying together.
            ceiling = min(self._max, self._base * (2 ** max(attempt_count - 1, 0)))
            wait = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security
        if isinstance(response_or_exception, requests.Response) and response_or_exception.status_code == 429:
            self._gate.close_for(wait)
        return wait


def _looks_like_html(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").lower()
    if "html" in content_type:
        return True
    head = response.content[:200].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


class ConfluenceErrorHandler(ErrorHandler):
    """Maps Confluence responses to CDK actions with messages that tell the user what to do.

    400/401/403/404 are handed back to the caller (IGNORE): only it knows whether a 403 means "skip
    this space" or "fix your credentials".
    """

    def __init__(self, site_url: str, fail_fast: bool = False) -> None:
        self._site_url = site_url
        self._fail_fast = fail_fast

    @property
    def max_retries(self) -> int | None:
        return 0 if self._fail_fast else MAX_RETRIES

    @property
    def max_time(self) -> int | None:
        return MAX_RETRY_TIME_SECONDS

    def _retry(self, failure_type: FailureType, message: str) -> ErrorResolution:
        action = ResponseAction.FAIL if self._fail_fast else ResponseAction.RETRY
        return ErrorResolution(response_action=action, failure_type=failure_type, error_message=message)

    def interpret_response(self, response_or_exception: Any = None) -> ErrorResolution:
        host = urlsplit(self._site_url).hostname
        if isinstance(response_or_exception, requests.exceptions.Timeout):
            return self._retry(
                FailureType.transient_error,
                f"Confluence at {host} did not answer in time. If this persists, lower page_size.",
            )
        if isinstance(response_or_exception, requests.exceptions.SSLError):
            return ErrorResolution(
                ResponseAction.FAIL,
                FailureType.config_error,
                f"TLS verification failed for {host}: {type(response_or_exception).__name__}. "
                "Check the site URL (site_url) and the server's certificate.",
            )
        if isinstance(response_or_exception, requests.exceptions.ConnectionError):
            text = str(response_or_exception)
            if "Name or service not known" in text or "NameResolution" in text or "nodename" in text:
                return ErrorResolution(
                    ResponseAction.FAIL,
                    FailureType.config_error,
                    f"The host {host} could not be found. Check site_url "
                    "(e.g. https://your-domain.atlassian.net).",
                )
            return self._retry(FailureType.transient_error, f"Could not connect to {host}; the connection failed.")
        if isinstance(response_or_exception, Exception):
            return self._retry(
                FailureType.transient_error,
                f"Request to {host} failed: {type(response_or_exception).__name__}.",
            )
        response: requests.Response = response_or_exception
        status = response.status_code
        if 200 <= status < 300:
            return self._interpret_body(response)
        if status == 429:
            return ErrorResolution(
                ResponseAction.FAIL if self._fail_fast else ResponseAction.RATE_LIMITED,
                FailureType.transient_error,
                "Confluence is rate limiting the connector (HTTP 429). Lower num_workers if this persists.",
            )
        if status in (400, 401, 403, 404, 410):
            return ErrorResolution(ResponseAction.IGNORE, None, None)
        if status >= 500 or status == 408:
            return self._retry(FailureType.transient_error, f"Confluence answered HTTP {status}; retrying.")
        return ErrorResolution(
            ResponseAction.FAIL,
            FailureType.system_error,
            f"Confluence answered HTTP {status} for {urlsplit(response.url).path}.",
        )

    def _interpret_body(self, response: requests.Response) -> ErrorResolution:
        if not response.content:
            setattr(response, _PARSED_BODY, None)
            return ErrorResolution(ResponseAction.SUCCESS, None, None)
        if _looks_like_html(response):
            return ErrorResolution(
                ResponseAction.FAIL,
                FailureType.config_error,
                "Confluence answered with an HTML page instead of JSON: a single sign-on proxy or a login "
                "page is in front of the API. Check site_url, and that the credentials are an API token "
                "for this site.",
            )
        try:
            setattr(response, _PARSED_BODY, json.loads(response.content))
        except ValueError:
            # Truncated or corrupted bodies are transient on a busy site: retry them.
            return self._retry(FailureType.transient_error, "Confluence sent an incomplete or invalid JSON body.")
        return ErrorResolution(ResponseAction.SUCCESS, None, None)


def response_json(response: requests.Response) -> Any:
    if hasattr(response, _PARSED_BODY):
        return getattr(response, _PARSED_BODY)
    return response.json()


def error_detail(response: requests.Response) -> str:
    try:
        body = response_json(response)
    except ValueError:
        return response.reason or ""
    if isinstance(body, Mapping):
        for key in ("message", "title", "detail"):
            if isinstance(body.get(key), str):
                return body[key]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            return str(errors[0].get("title") or errors[0].get("detail") or "")
    return response.reason or ""


@dataclass
class Transport:
    """Sends GET/POST requests to one Confluence site through the CDK's HttpClient."""

    site_url: str
    authenticator: AuthBase
    logger: logging.Logger
    name: str = "confluence"
    fail_fast: bool = False
    pool_size: int = 10
    verify: bool | str = True
    gate: RateGate = field(default_factory=RateGate)

    def __post_init__(self) -> None:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        session.headers["Accept"] = "application/json"
        adapter = requests.adapters.HTTPAdapter(pool_connections=self.pool_size, pool_maxsize=self.pool_size)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        # Credentials must never follow a redirect to another host.
        session.max_redirects = 3
        self._host = urlsplit(self.site_url).netloc.lower()
        self._client = HttpClient(
            name=self.name,
            logger=self.logger,
            error_handler=ConfluenceErrorHandler(self.site_url, fail_fast=self.fail_fast),
            backoff_strategy=ConfluenceBackoffStrategy(self.gate),
            session=session,
            authenticator=self.authenticator,
            request_timeout=REQUEST_TIMEOUT,
        )

    def absolute_url(self, path_or_url: str) -> str:
        """Joins a path onto the site and refuses any URL on another host."""
        url = urljoin(self.site_url + "/", path_or_url)
        parts = urlsplit(url)
        if parts.netloc.lower() != self._host or parts.scheme not in ("http", "https"):
            raise AirbyteTracedException(
                message="Confluence returned a link to another host; the connector refuses to follow it "
                "so that credentials are never sent elsewhere.",
                internal_message=f"refused off-site link to host {parts.netloc!r}",
                failure_type=FailureType.system_error,
            )
        return url

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> tuple[Any, requests.Response]:
        return self._send("GET", path_or_url, params=params)

    def post(self, path: str, body: Mapping[str, Any]) -> tuple[Any, requests.Response]:
        return self._send("POST", path, json_body=body)

    def _send(
        self, method: str, path_or_url: str, params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
    ) -> tuple[Any, requests.Response]:
        url = self.absolute_url(path_or_url)
        self.gate.wait()
        _, response = self._client.send_request(
            method,
            url,
            request_kwargs={"allow_redirects": False, "verify": self.verify},
            params=dict(params) if params else None,
            json=json_body,
        )
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            self.absolute_url(location)  # raises when the redirect leaves the site
            raise ConfluenceHttpError(status, urlsplit(url).path, f"unexpected redirect to {location}")
        if status >= 400:
            raise ConfluenceHttpError(status, urlsplit(url).path, error_detail(response))
        return response_json(response), response
