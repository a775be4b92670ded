"""What the connector retries, how long it waits and when it gives up, for the CDK's `HttpClient`.

The CDK client sends, sleeps and retries; this module decides, through the CDK's two hooks:
- `ConfluenceErrorHandler` says what an answer means. 5xx, 408, timeouts, dropped connections and
  2xx answers whose body is empty, not JSON, or not the shape asked for are transient: retry.
- `ConfluenceBackoffStrategy` says how long to wait, and ends the retries:
  - transient failures: jittered exponential backoff, at most `RetryLimits.max_retries` retries of
    one request;
  - rate limits (429): `Retry-After` (else `X-RateLimit-Interval-Seconds`, else exponential), every
    worker pausing together (`RateGate`), for at most `RetryLimits.rate_limit_wait` seconds of waiting
    per request, however many 429s that takes;
  - a wait asked for (`Retry-After`) longer than `rate_limit_wait` ends the sync at once, for every
    worker, with a transient error naming the wait: sleeping through it would hold the sync for
    hours, while the platform's retry resumes from the last checkpoint.
  A strategy that raises is how the CDK itself refuses a wait (`WaitTimeFromHeaderBackoffStrategy`);
  the CDK's own attempt and time bounds are set above ours (`RetryLimits.cdk_max_tries`), so ours
  decide, with a message that says why.
"""

from __future__ import annotations

import json
import math
import random
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy, ErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.http.json_body import parse_json
from source_confluence.http.rate_gate import RateGate, describe_wait, parse_retry_after

CDK_EXTRA_SLEEP_SECONDS = 1.0
"""The CDK sleeps one second longer than a strategy asks (`rate_limiting.user_defined_backoff_handler`)."""
MIN_BACKOFF_SECONDS = 0.01
"""A zero wait would make the CDK fall back to its own uncapped exponential schedule."""


@dataclass(frozen=True)
class RetryLimits:
    max_retries: int
    """Retries of one request after transient failures (5xx, timeouts, broken bodies)."""
    rate_limit_wait: float
    """Seconds one request may wait for rate limits in total; also the longest Retry-After honoured."""
    backoff_base: float
    """First transient retry waits base/2..base seconds, doubling per attempt."""
    max_backoff: float
    read_timeout: float

    @property
    def cdk_max_tries(self) -> int:
        """Above what our limits allow (each rate-limit retry sleeps at least one second)."""
        return self.max_retries + math.ceil(self.rate_limit_wait / CDK_EXTRA_SLEEP_SECONDS) + 2

    @property
    def cdk_max_time(self) -> int:
        """Above the longest a request can take within our limits, requests included."""
        per_try = self.read_timeout + self.max_backoff + CDK_EXTRA_SLEEP_SECONDS
        return math.ceil(self.rate_limit_wait + (self.max_retries + 1) * per_try) + 60


def path_of(request: Any) -> str:
    """The path of a request, never its query (which may carry filters the user considers private)."""
    return urlsplit(getattr(request, "url", None) or "").path or "the API"


def transient(message: str) -> AirbyteTracedException:
    return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.transient_error)


@dataclass
class _Attempts:
    failures: int = 0
    rate_limited: int = 0
    waited: float = 0.0


class ResponseNotes:
    """What the error handler learnt reading a 2xx answer: its parsed JSON body (so the transport does
    not parse it again) or what is wrong with it (for the backoff strategy's last message). Kept per
    response, weakly: a note goes with its response. Shared by one transport's handlers and strategy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bodies: weakref.WeakKeyDictionary[requests.Response, Any] = weakref.WeakKeyDictionary()
        self._problems: weakref.WeakKeyDictionary[requests.Response, str] = weakref.WeakKeyDictionary()

    def keep_body(self, response: requests.Response, body: Any) -> None:
        with self._lock:
            self._bodies[response] = body

    def keep_problem(self, response: requests.Response, problem: str) -> None:
        with self._lock:
            self._problems[response] = problem

    def body(self, response: requests.Response) -> Any:
        """The parsed body of an answer the handler accepted (else parsed now)."""
        with self._lock:
            if response in self._bodies:
                return self._bodies[response]
        return response.json()

    def problem(self, response: requests.Response) -> str | None:
        with self._lock:
            return self._problems.get(response)


class ConfluenceBackoffStrategy(BackoffStrategy):
    def __init__(self, gate: RateGate, limits: RetryLimits, notes: ResponseNotes | None = None) -> None:
        self._gate = gate
        self._limits = limits
        self._notes = notes or ResponseNotes()
        self._lock = threading.Lock()
        # Per request, across its retries; entries go when the CDK drops the request.
        self._attempts: weakref.WeakKeyDictionary[Any, _Attempts] = weakref.WeakKeyDictionary()

    def backoff_time(self, response_or_exception: Any, attempt_count: int) -> float | None:
        response = response_or_exception if isinstance(response_or_exception, requests.Response) else None
        request = getattr(response_or_exception, "request", None)
        rate_limited = response is not None and response.status_code == 429
        asked, header = self._asked_wait(response, rate_limited)
        if asked is not None and asked > self._limits.rate_limit_wait:
            status = response.status_code if response is not None else "?"
            self._give_up(
                f"Confluence asked the connector to wait {describe_wait(asked)} ({header} on HTTP {status} for "
                f"{path_of(request)}), longer than the {describe_wait(self._limits.rate_limit_wait)} it waits at "
                "most (max_rate_limit_wait_minutes). The sync stopped; everything read so far is checkpointed, "
                "so the next attempt resumes from there.")
        attempts = self._attempts_of(request)
        if rate_limited:
            return self._rate_limit_wait(attempts, asked, request)
        attempts.failures += 1
        if attempts.failures > self._limits.max_retries:
            raise transient(
                f"Confluence {problem_of(response_or_exception, self._notes)} for {path_of(request)} {attempts.failures} times "
                f"in a row; the connector gave up after {self._limits.max_retries} retries. Everything read so "
                "far is checkpointed: the next sync resumes from there.")
        wait = asked if asked is not None else self._exponential(attempts.failures)
        # A retry must not jump a pause another worker's 429 started.
        return max(wait, self._gate.remaining(), MIN_BACKOFF_SECONDS)

    def _rate_limit_wait(self, attempts: _Attempts, asked: float | None, request: Any) -> float:
        attempts.rate_limited += 1
        wait = asked if asked is not None else self._exponential(attempts.rate_limited)
        wait = max(wait, self._gate.remaining(), MIN_BACKOFF_SECONDS)
        if attempts.waited + wait > self._limits.rate_limit_wait:
            self._give_up(
                f"Confluence kept rate limiting the connector (HTTP 429 for {path_of(request)}) through "
                f"{describe_wait(attempts.waited)} of waiting ({attempts.rate_limited} refusals); it waits at most "
                f"{describe_wait(self._limits.rate_limit_wait)} (max_rate_limit_wait_minutes). The sync stopped; "
                "everything read so far is checkpointed. Lower num_workers if this persists.")
        attempts.waited += wait + CDK_EXTRA_SLEEP_SECONDS
        self._gate.close_for(wait)
        return wait

    def _asked_wait(self, response: requests.Response | None, rate_limited: bool) -> tuple[float | None, str]:
        if response is None:
            return None, ""
        for name in ("Retry-After",) + (("X-RateLimit-Interval-Seconds",) if rate_limited else ()):
            value = response.headers.get(name)
            seconds = parse_retry_after(value)
            if seconds is not None:
                return seconds, f"{name}: {str(value).strip()[:40]}"
        return None, ""

    def _exponential(self, attempt: int) -> float:
        ceiling = min(self._limits.max_backoff, self._limits.backoff_base * (2 ** max(attempt - 1, 0)))
        # Full jitter keeps workers that failed together from retrying together; not security.
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311  # nosec B311

    def _attempts_of(self, request: Any) -> _Attempts:
        if request is None:
            return _Attempts()
        with self._lock:
            return self._attempts.setdefault(request, _Attempts())

    def _give_up(self, message: str) -> None:
        """Ends this request and, through the gate, every other worker's next one."""
        self._gate.stop(lambda: transient(message))
        raise transient(message)


def problem_of(response_or_exception: Any, notes: ResponseNotes) -> str:
    """What went wrong, as the rest of a sentence starting with "Confluence"."""
    if isinstance(response_or_exception, requests.Response):
        return notes.problem(response_or_exception) or f"answered HTTP {response_or_exception.status_code}"
    if isinstance(response_or_exception, requests.exceptions.Timeout):
        return "did not answer in time"
    if isinstance(response_or_exception, requests.exceptions.ConnectionError):
        return "could not be reached (the connection failed)"
    return f"failed ({type(response_or_exception).__name__})"


def _looks_like_html(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").lower()
    if "html" in content_type:
        return True
    head = response.content[:200].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


def _shape_problem(body: Any, expect_list: bool) -> str | None:
    if body is None or isinstance(body, str | int | float | bool):
        return f"sent JSON {json.dumps(body)[:20]} instead of an object"
    if expect_list and not (isinstance(body, Mapping) and isinstance(body.get("results"), list)):
        return "sent a body that is not a list of results"
    return None


class ConfluenceErrorHandler(ErrorHandler):
    """Maps Confluence responses to CDK actions with messages that tell the user what to do.

    400/401/403/404 and redirects are handed back to the caller (IGNORE): only it knows whether a
    403 means "skip this space" or "fix your credentials". `expect_list`: a 2xx answer must be a
    list page (an object with a `results` array), else it is a broken answer, retried.
    """

    def __init__(self, site_url: str, limits: RetryLimits, fail_fast: bool = False, refreshable: bool = False,
                 expect_list: bool = False, notes: ResponseNotes | None = None) -> None:
        self._host = urlsplit(site_url).hostname
        self._notes = notes or ResponseNotes()
        self._limits = limits
        self._fail_fast = fail_fast
        # OAuth access tokens can be revoked before their stored expiry: refresh once, then retry.
        self._refreshable = refreshable
        self._expect_list = expect_list

    @property
    def max_retries(self) -> int | None:
        return 0 if self._fail_fast else self._limits.cdk_max_tries - 1

    @property
    def max_time(self) -> int | None:
        return self._limits.cdk_max_time

    def _retry(self, failure_type: FailureType, message: str) -> ErrorResolution:
        action = ResponseAction.FAIL if self._fail_fast else ResponseAction.RETRY
        return ErrorResolution(response_action=action, failure_type=failure_type, error_message=message)

    def interpret_response(self, response_or_exception: Any = None) -> ErrorResolution:
        if isinstance(response_or_exception, Exception):
            return self._interpret_exception(response_or_exception)
        response: requests.Response = response_or_exception
        status = response.status_code
        if 200 <= status < 300:
            return self._interpret_body(response)
        if status == 429:
            return ErrorResolution(
                ResponseAction.FAIL if self._fail_fast else ResponseAction.RATE_LIMITED,
                FailureType.transient_error,
                f"Confluence is rate limiting the connector (HTTP 429 for {path_of(response.request)}). Lower "
                "num_workers if this persists.",
            )
        if status == 401 and self._refreshable:
            return ErrorResolution(ResponseAction.REFRESH_TOKEN_THEN_RETRY, FailureType.config_error,
                                   "Confluence rejected the OAuth access token (HTTP 401); refreshing it.")
        if status in (400, 401, 403, 404, 410) or 300 <= status < 400:
            return ErrorResolution(ResponseAction.IGNORE, None, None)
        if status >= 500 or status == 408:
            return self._retry(FailureType.transient_error,
                               f"Confluence answered HTTP {status} for {path_of(response.request)}.")
        return ErrorResolution(ResponseAction.FAIL, FailureType.system_error,
                               f"Confluence answered HTTP {status} for {path_of(response.request)}.")

    def _interpret_exception(self, error: Exception) -> ErrorResolution:
        host = self._host
        if isinstance(error, requests.exceptions.Timeout):
            return self._retry(FailureType.transient_error,
                               f"Confluence at {host} did not answer in time. If this persists, lower page_size.")
        if isinstance(error, requests.exceptions.SSLError):
            return ErrorResolution(
                ResponseAction.FAIL, FailureType.config_error,
                f"TLS verification failed for {host}: {type(error).__name__}. "
                "Check the site URL (site_url) and the server's certificate.")
        if isinstance(error, requests.exceptions.ConnectionError):
            text = str(error)
            if "Name or service not known" in text or "NameResolution" in text or "nodename" in text:
                return ErrorResolution(
                    ResponseAction.FAIL, FailureType.config_error,
                    f"The host {host} could not be found. Check site_url (e.g. https://your-domain.atlassian.net).")
            return self._retry(FailureType.transient_error, f"Could not connect to {host}; the connection failed.")
        return self._retry(FailureType.transient_error, f"Request to {host} failed: {type(error).__name__}.")

    def _interpret_body(self, response: requests.Response) -> ErrorResolution:
        path = path_of(response.request)
        if not response.content:
            return self._broken(response, f"sent an empty body (HTTP {response.status_code})")
        if _looks_like_html(response):
            return ErrorResolution(
                ResponseAction.FAIL, FailureType.config_error,
                f"Confluence answered {path} with an HTML page instead of JSON: a single sign-on proxy or a "
                "login page is in front of the API. Check site_url, and that the credentials are an API token "
                "for this site.")
        try:
            body = parse_json(response.content)
        except ValueError:
            # Truncated or corrupted bodies are transient on a busy site: retry them.
            return self._broken(response, "sent an incomplete or invalid JSON body")
        problem = _shape_problem(body, self._expect_list)
        if problem:
            return self._broken(response, problem)
        self._notes.keep_body(response, body)
        return ErrorResolution(ResponseAction.SUCCESS, None, None)

    def _broken(self, response: requests.Response, problem: str) -> ErrorResolution:
        self._notes.keep_problem(response, problem)
        return self._retry(FailureType.transient_error, f"Confluence {problem} for {path_of(response.request)}.")

