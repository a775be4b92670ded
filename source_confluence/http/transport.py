"""HTTP plumbing shared by both API flavours, on the CDK's `HttpClient`.

The CDK client does the retrying; `retry_policy` tells it what to retry and how long to wait. This
module adds what Confluence needs on top: one rate gate shared by all workers so a 429 (or Data
Center's `X-RateLimit-Remaining: 0`) slows everyone, JSON bodies parsed once (and list pages checked
for their shape, `get_list`), HTML login pages recognised, requests pinned to the configured origin
(scheme, host, port), and every credential put on the wire registered with the CDK's secret filter.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.sources.streams.http.requests_native_auth.abstract_oauth import AbstractOauth2Authenticator
from airbyte_cdk.sources.streams.http.requests_native_auth.abstract_token import AbstractHeaderAuthenticator
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from requests.auth import AuthBase, HTTPBasicAuth

from source_confluence import __version__
from source_confluence.config import is_loopback_host
from source_confluence.http.download import Downloader, DownloadErrorHandler, Fetched
from source_confluence.http.rate_gate import RateGate, describe_wait, parse_retry_after, rate_limit_pause
from source_confluence.http.retry_policy import ConfluenceBackoffStrategy, ConfluenceErrorHandler, ResponseNotes, RetryLimits
from source_confluence.http.secrets import register_header_secret, register_secret

__all__ = ["ConfluenceHttpError", "RateGate", "Transport", "parse_retry_after", "rate_limit_pause"]

USER_AGENT = f"source-confluence/{__version__} (Airbyte connector)"
# Module-level so tests can shorten them without a config field; Transport reads them when built.
REQUEST_TIMEOUT: tuple[float, float] = (10.0, 120.0)  # connect, read (seconds)
BACKOFF_BASE_SECONDS = 1.0
"""First retry of a 5xx, timeout or broken body waits base/2..base seconds, doubling per attempt."""
MAX_BACKOFF_SECONDS = 60.0
MAX_RETRIES = 8
"""Retries of one request after 5xx answers, timeouts, dropped connections or broken bodies."""
RATE_LIMIT_WAIT_SECONDS = 600.0
"""Default of `max_rate_limit_wait_minutes`: total rate-limit waiting of one request, and the longest
single Retry-After honoured (a longer one ends the sync at once)."""
MAX_REDIRECTS = 3
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


def error_detail(response: requests.Response) -> str:
    """What an error answer (4xx/5xx) says went wrong; the handler reads no error bodies."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    if isinstance(body, Mapping):
        for key in ("message", "title", "detail"):
            if isinstance(body.get(key), str):
                return str(body[key])
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            return str(errors[0].get("title") or errors[0].get("detail") or "")
    return response.reason or ""


def origin_of(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1  # an unparsable port never equals the site's
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def register_authenticator_secrets(authenticator: AuthBase) -> None:
    """Registers what an authenticator will put on the wire, before the first request: the CDK
    logs outbound headers (at debug level) before the request is sent. An OAuth authenticator's
    access token is registered from each request's header; its refresh token (rotated on every
    refresh) and client secret here, again before each request."""
    if isinstance(authenticator, AbstractHeaderAuthenticator):
        register_header_secret(authenticator.token)
    elif isinstance(authenticator, HTTPBasicAuth):
        basic = requests.auth._basic_auth_str(authenticator.username, authenticator.password)
        register_header_secret(basic)
    elif isinstance(authenticator, AbstractOauth2Authenticator):
        register_secret(authenticator.get_refresh_token())
        register_secret(authenticator.get_client_secret())


class _PinnedAdapter(requests.adapters.HTTPAdapter):
    """The last line of defence: nothing leaves for another origin, whatever built the request,
    and every credential actually sent is known to the secret filter."""

    def __init__(self, origin: tuple[str, str, int | None], authenticator: AuthBase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._origin = origin
        self._authenticator = authenticator
        self._registered: str | None = None

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        if origin_of(request.url or "") != self._origin:
            raise AirbyteTracedException(
                message="The connector refused to send a request to another host than the configured site, "
                "so that credentials are never sent elsewhere.",
                internal_message=f"refused request to host {urlsplit(request.url or '').hostname!r}",
                failure_type=FailureType.system_error,
            )
        header = request.headers.get("Authorization")
        if header != self._registered:  # a new (refreshed) credential: register it once
            register_header_secret(header)
            register_authenticator_secrets(self._authenticator)
            self._registered = header
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
    max_rate_limit_wait_seconds: float | None = None
    """None: RATE_LIMIT_WAIT_SECONDS (the config's `max_rate_limit_wait_minutes`)."""

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
        adapter = _PinnedAdapter(self._origin, self.authenticator, pool_connections=self.pool_size,
                                 pool_maxsize=self.pool_size)
        session.mount("https://", adapter)
        session.mount("http://", adapter)  # ignore-https-check: loopback or allow_plain_http only (config/fields.py)
        # Every response, retries included, may carry Data Center's rate-limit headers.
        session.hooks["response"].append(self._observe_rate_limit)
        session.max_redirects = MAX_REDIRECTS
        self.limits = RetryLimits(
            max_retries=MAX_RETRIES,
            rate_limit_wait=(RATE_LIMIT_WAIT_SECONDS if self.max_rate_limit_wait_seconds is None
                             else self.max_rate_limit_wait_seconds),
            backoff_base=BACKOFF_BASE_SECONDS if self.backoff_base_seconds is None else self.backoff_base_seconds,
            max_backoff=MAX_BACKOFF_SECONDS,
            read_timeout=REQUEST_TIMEOUT[1],
        )
        self._notes = ResponseNotes()
        strategy = ConfluenceBackoffStrategy(self.gate, self.limits, self._notes)
        refreshable = hasattr(self.authenticator, "refresh_and_set_access_token")

        def client(expect_list: bool) -> HttpClient:
            # One client per expectation (any JSON, or a list page); both share the session and
            # the strategy, so retries of either count against the same limits and gate.
            handler = ConfluenceErrorHandler(self.site_url, self.limits, fail_fast=self.fail_fast,
                                             refreshable=refreshable, expect_list=expect_list, notes=self._notes)
            return HttpClient(name=self.name, logger=self.logger, error_handler=handler, backoff_strategy=strategy,
                              session=session, authenticator=self.authenticator, request_timeout=REQUEST_TIMEOUT)

        self._client, self._list_client = client(False), client(True)
        downloads = HttpClient(
            name=self.name, logger=self.logger, session=session, authenticator=self.authenticator,
            error_handler=DownloadErrorHandler(self.site_url, self.limits, fail_fast=self.fail_fast,
                                               refreshable=refreshable, notes=self._notes),
            backoff_strategy=strategy, request_timeout=REQUEST_TIMEOUT)
        self._downloader = Downloader(downloads, self.verify, lambda url: origin_of(url) == self._origin, self.gate.wait)

    def _observe_rate_limit(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        pause = rate_limit_pause(response.headers)
        if not pause:
            return
        if pause > self.limits.rate_limit_wait:
            # Not waited out here: the next request is refused with the same wait, which ends the sync.
            return
        if self.gate.close_for(pause):
            self.logger.info(f"Confluence's rate limit is used up (X-RateLimit-Remaining: 0); pausing requests "
                             f"for {describe_wait(pause)}.")

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

    def get_list(self, path_or_url: str) -> tuple[Any, requests.Response]:
        """One page of a list: a 2xx answer that is not an object with a `results` array (empty,
        `null`, an error object) is a broken answer, retried like a 5xx."""
        return self._send("GET", path_or_url, client=self._list_client)

    def post(self, path: str, body: Mapping[str, Any]) -> tuple[Any, requests.Response]:
        return self._send("POST", path, json_body=body)

    def download(self, path_or_url: str, max_bytes: int) -> Fetched:
        """A file (an attachment), streamed and cut at `max_bytes` (http/download.py)."""
        fetched = self._downloader.fetch(self.absolute_url(path_or_url), max_bytes)
        if fetched.http_status == 401:
            raise ConfluenceHttpError(401, urlsplit(path_or_url).path, "download refused")
        return fetched

    def _send(
        self, method: str, path_or_url: str, params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None, client: HttpClient | None = None,
    ) -> tuple[Any, requests.Response]:
        url = self.absolute_url(path_or_url)
        for _ in range(MAX_REDIRECTS + 1):
            self.gate.wait()
            _, response = (client or self._client).send_request(
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
        return self._notes.body(response), response

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
