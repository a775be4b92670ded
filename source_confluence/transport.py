"""HTTP plumbing shared by both API flavours, on the CDK's `HttpClient`.

The CDK client does the retrying; this module tells it what to retry (error handler), how long to
wait (backoff strategy: `Retry-After`, capped, else exponential with jitter), and adds what
Confluence needs on top: one rate gate shared by all workers so a 429 (or Data Center's
`X-RateLimit-Remaining: 0`) slows everyone, JSON bodies parsed once, HTML login pages recognised,
requests pinned to the configured origin (scheme, host, port), and the credential in the
`Authorization` header registered with the CDK's secret filter so no log line can carry it.
"""

from __future__ import annotations

import email.utils
import ipaddress
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
from airbyte_cdk.sources.streams.http.requests_native_auth.abstract_token import AbstractHeaderAuthenticator
from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets, filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from requests.auth import AuthBase, HTTPBasicAuth

from source_confluence import __version__

USER_AGENT = f"source-confluence/{__version__} (Airbyte connector)"
# Module-level so tests can shorten them without a config field; Transport reads them when built.
REQUEST_TIMEOUT: tuple[float, float] = (10.0, 120.0)  # connect, read (seconds)
BACKOFF_BASE_SECONDS = 1.0
"""First retry of a 5xx, timeout or broken body waits base/2..base seconds, doubling per attempt."""
MAX_BACKOFF_SECONDS = 60.0
MIN_BACKOFF_SECONDS = 0.01
"""A zero wait would make the CDK fall back to its own uncapped exponential schedule."""
MAX_RETRY_AFTER_SECONDS = 300.0
MAX_RETRIES = 8
MAX_RETRY_TIME_SECONDS = 1800
MAX_REDIRECTS = 3
_PARSED_BODY = "_confluence_json"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ConfluenceHttpError(AirbyteTracedException):
    """A response the caller decides about (403/404/400/401, same-site redirects it cannot follow).

    It is a traced exception with the failure type the status implies, so one that no caller
    handles still reaches the platform as a clear error: 401/403 are for the user to fix.
    """

    def __init__(self, status: int, path: str, detail: str) -> None:
        internal = f"HTTP {status} for {path}: {detail}"
        if status == 401:
            message = ("Confluence stopped accepting the credentials (HTTP 401): the token was revoked or expired. "
                       "Reconnect the source with valid credentials.")
        elif status == 403:
            message = (f"The account may not read {path} (HTTP 403). Grant it view permission, or leave that "
                       "content out of the selection.")
        else:
            message = f"Confluence answered HTTP {status} for {path}: {detail}"
        super().__init__(
            internal_message=internal,
            message=message,
            failure_type=FailureType.config_error if status in (401, 403) else FailureType.system_error,
        )
        self.status = status
        self.path = path
        self.detail = detail

    def __str__(self) -> str:
        return self.internal_message or ""


class RateGate:
    """Blocks every worker until a rate-limit pause is over (shared across threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open_at = 0.0

    def close_for(self, seconds: float) -> bool:
        """Pauses requests for `seconds`; True when this extends the pause (for logging once)."""
        with self._lock:
            until = time.monotonic() + seconds
            extended = until > self._open_at + 0.5
            self._open_at = max(self._open_at, until)
            return extended

    def remaining(self) -> float:
        with self._lock:
            return max(self._open_at - time.monotonic(), 0.0)

    def wait(self) -> None:
        while True:
            remaining = self.remaining()
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


class ConfluenceBackoffStrategy(BackoffStrategy):
    def __init__(self, gate: RateGate, base_seconds: float = 1.0, max_seconds: float = MAX_BACKOFF_SECONDS) -> None:
        self._gate = gate
        self._base = base_seconds
        self._max = max_seconds

    def backoff_time(self, response_or_exception: Any, attempt_count: int) -> float | None:
        wait = None
        rate_limited = isinstance(response_or_exception, requests.Response) and response_or_exception.status_code == 429
        if isinstance(response_or_exception, requests.Response):
            headers = response_or_exception.headers
            wait = parse_retry_after(headers.get("Retry-After"))
            if wait is None and rate_limited:
                wait = parse_retry_after(headers.get("X-RateLimit-Interval-Seconds"))
        if wait is None:
            # Full jitter keeps workers that failed together from retrying together.
            ceiling = min(self._max, self._base * (2 ** max(attempt_count - 1, 0)))
            # Jitter, not security: any pseudo-random spread will do.
            wait = random.uniform(ceiling / 2, ceiling)  # noqa: S311  # nosec B311
        if rate_limited:
            self._gate.close_for(wait)
        # A retry must not jump a pause another worker's 429 started.
        return max(wait, self._gate.remaining(), MIN_BACKOFF_SECONDS)


def _looks_like_html(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").lower()
    if "html" in content_type:
        return True
    head = response.content[:200].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


class ConfluenceErrorHandler(ErrorHandler):
    """Maps Confluence responses to CDK actions with messages that tell the user what to do.

    400/401/403/404 and redirects are handed back to the caller (IGNORE): only it knows whether a
    403 means "skip this space" or "fix your credentials".
    """

    def __init__(self, site_url: str, fail_fast: bool = False, refreshable: bool = False) -> None:
        self._site_url = site_url
        self._fail_fast = fail_fast
        # OAuth access tokens can be revoked before their stored expiry: refresh once, then retry.
        self._refreshable = refreshable

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
        if status == 401 and self._refreshable:
            return ErrorResolution(ResponseAction.REFRESH_TOKEN_THEN_RETRY, FailureType.config_error,
                                   "Confluence rejected the OAuth access token (HTTP 401); refreshing it.")
        if status in (400, 401, 403, 404, 410) or 300 <= status < 400:
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


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin_of(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1  # an unparsable port never equals the site's
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def register_secret(value: str | None) -> None:
    """Adds a credential to the CDK's log filter unless the filter already hides it."""
    if value and len(value) >= 4 and filter_secrets(value) == value:
        add_to_secrets(value)


def register_header_secret(header_value: str | None) -> None:
    """An Authorization value: both the whole value and its credential part after the scheme."""
    if not header_value:
        return
    register_secret(header_value)
    _, _, credential = header_value.partition(" ")
    register_secret(credential.strip())


def register_authenticator_secrets(authenticator: AuthBase) -> None:
    """Registers what a static authenticator will put on the wire, before the first request: the
    CDK logs outbound headers (at debug level) before the request is sent. OAuth authenticators
    register their access tokens themselves when they refresh them."""
    if isinstance(authenticator, AbstractHeaderAuthenticator):
        register_header_secret(authenticator.token)
    elif isinstance(authenticator, HTTPBasicAuth):
        basic = requests.auth._basic_auth_str(authenticator.username, authenticator.password)
        register_header_secret(basic)


class _PinnedAdapter(requests.adapters.HTTPAdapter):
    """The last line of defence: nothing leaves for another origin, whatever built the request,
    and every credential actually sent is known to the secret filter."""

    def __init__(self, origin: tuple[str, str, int | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._origin = origin

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        if origin_of(request.url or "") != self._origin:
            raise AirbyteTracedException(
                message="The connector refused to send a request to another host than the configured site, "
                "so that credentials are never sent elsewhere.",
                internal_message=f"refused request to host {urlsplit(request.url or '').hostname!r}",
                failure_type=FailureType.system_error,
            )
        register_header_secret(request.headers.get("Authorization"))
        return super().send(request, *args, **kwargs)


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
    """TLS verification: True (default) or a CA bundle path for a Data Center site with a private CA."""
    gate: RateGate = field(default_factory=RateGate)
    allow_plain_http: bool = False
    """Plain http is refused except to loopback hosts, unless the user opted in (Data Center on a
    trusted network)."""
    backoff_base_seconds: float | None = None
    """None: BACKOFF_BASE_SECONDS. Tests pass a small value to keep retries fast."""

    def __post_init__(self) -> None:
        self._origin = origin_of(self.site_url)
        scheme, host, _ = self._origin
        if scheme not in ("http", "https") or not host:
            raise ValueError("site_url must be an http(s) URL with a host")
        if scheme == "http" and not (self.allow_plain_http or is_loopback_host(host)):
            raise AirbyteTracedException(
                message="Config field 'site_url': plain http would send the credentials unencrypted. "
                "Use https:// (or, for Data Center on a trusted network only, opt in to plain http).",
                internal_message="plain http refused for a non-loopback host",
                failure_type=FailureType.config_error,
            )
        if self.verify is False:
            self.logger.warning("TLS certificate verification is switched off for this Confluence site.")
        register_authenticator_secrets(self.authenticator)
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        session.headers["Accept"] = "application/json"
        adapter = _PinnedAdapter(self._origin, pool_connections=self.pool_size, pool_maxsize=self.pool_size)
        session.mount("https://", adapter)
        session.mount("http://", adapter)  # ignore-https-check: loopback or allow_plain_http only (config.py)
        # Every response, retries included, may carry Data Center's rate-limit headers.
        session.hooks["response"].append(self._observe_rate_limit)
        session.max_redirects = MAX_REDIRECTS
        base = BACKOFF_BASE_SECONDS if self.backoff_base_seconds is None else self.backoff_base_seconds
        self._client = HttpClient(
            name=self.name,
            logger=self.logger,
            error_handler=ConfluenceErrorHandler(
                self.site_url, fail_fast=self.fail_fast,
                refreshable=hasattr(self.authenticator, "refresh_and_set_access_token")),
            backoff_strategy=ConfluenceBackoffStrategy(self.gate, base_seconds=base),
            session=session,
            authenticator=self.authenticator,
            request_timeout=REQUEST_TIMEOUT,
        )

    def _observe_rate_limit(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        pause = rate_limit_pause(response.headers)
        if pause and self.gate.close_for(pause):
            self.logger.info(f"Confluence's rate limit is used up (X-RateLimit-Remaining: 0); pausing requests "
                             f"for {pause:.1f} s.")

    def absolute_url(self, path_or_url: str) -> str:
        """Joins a path onto the site and refuses any URL on another origin."""
        url = urljoin(self.site_url + "/", path_or_url)
        if origin_of(url) != self._origin:
            raise AirbyteTracedException(
                message="Confluence returned a link to another host; the connector refuses to follow it "
                "so that credentials are never sent elsewhere.",
                internal_message=f"refused off-site link to host {urlsplit(url).hostname!r}",
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
        for _ in range(MAX_REDIRECTS + 1):
            self.gate.wait()
            _, response = self._client.send_request(
                method,
                url,
                request_kwargs={"allow_redirects": False, "verify": self.verify},
                params=dict(params) if params else None,
                json=json_body,
            )
            status = response.status_code
            if not 300 <= status < 400:
                break
            url, params = self._redirect_target(url, response), None
        else:
            raise ConfluenceHttpError(status, urlsplit(url).path, f"more than {MAX_REDIRECTS} redirects")
        if status >= 400:
            raise ConfluenceHttpError(status, urlsplit(url).path, error_detail(response))
        return response_json(response), response

    def _redirect_target(self, url: str, response: requests.Response) -> str:
        """Follows a redirect only within the site (same scheme, host and port)."""
        location = response.headers.get("Location", "")
        target = urljoin(url, location)
        if not location or origin_of(target) != self._origin:
            raise AirbyteTracedException(
                message=f"Confluence at {self._origin[1]} redirected the connector to another address "
                f"({urlsplit(target).hostname or 'none'}). The connector does not follow it, so that credentials stay "
                "on the configured site. If Confluence has moved, set site_url to its new address.",
                internal_message=f"refused redirect (HTTP {response.status_code}) to host {urlsplit(target).hostname!r}",
                failure_type=FailureType.config_error,
            )
        return target
