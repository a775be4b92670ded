"""Attachment downloads through the same session, credentials, rate gate and retries as the API
calls, streamed and cut at a size cap so a file is never held whole beyond it.

The API client's error handler parses every 2xx body as JSON; a download is not JSON, so it has its
own handler that accepts any 2xx without reading it (the body is then read here, chunk by chunk).
What goes wrong with one file (404 after a delete, 403, an off-site redirect, a body that stalls)
becomes a `Fetched.failure` for that attachment, never the end of the sync; a 401 still ends it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction
from airbyte_cdk.sources.streams.http.http_client import HttpClient

from source_confluence.http.retry_policy import ConfluenceErrorHandler

CHUNK_BYTES = 64 * 1024
DOWNLOAD_WALL_SECONDS = 600.0
"""The longest one download may take, however slowly the server trickles it."""
MAX_DOWNLOAD_REDIRECTS = 3


@dataclass(frozen=True)
class Fetched:
    content: bytes | None
    """The whole file; None when it was too large or could not be downloaded."""
    too_large: bool = False
    failure: str | None = None
    """Why the file could not be downloaded (a short reason, no URL)."""
    http_status: int | None = None
    """The refusal's status (the transport ends the sync on a 401: the credentials stopped working)."""


class DownloadErrorHandler(ConfluenceErrorHandler):
    """The API's error handling (429, 5xx, timeouts, OAuth refresh) for bodies that are files."""

    def _interpret_body(self, response: requests.Response) -> ErrorResolution:
        return ErrorResolution(ResponseAction.SUCCESS, None, None)


class Downloader:
    """Streams one file at a time from the site (same origin only) with the transport's client."""

    def __init__(self, client: HttpClient, verify: bool | str, same_origin: Callable[[str], bool],
                 wait_for_gate: Callable[[], None]) -> None:
        self._client = client
        self._verify = verify
        self._same_origin = same_origin
        self._wait = wait_for_gate

    def fetch(self, url: str, max_bytes: int) -> Fetched:
        for _ in range(MAX_DOWNLOAD_REDIRECTS + 1):
            if not self._same_origin(url):
                # Credentials stay on the configured site; a file served elsewhere is not read.
                return Fetched(None, failure=f"download redirected to another host ({urlsplit(url).hostname})")
            self._wait()
            _, response = self._client.send_request(
                "GET", url, request_kwargs={"allow_redirects": False, "verify": self._verify, "stream": True})
            status = response.status_code
            if 300 <= status < 400 and response.headers.get("Location"):
                response.close()
                url = urljoin(url, response.headers["Location"])
                continue
            if status >= 300:
                response.close()
                return Fetched(None, failure=f"download answered HTTP {status}", http_status=status)
            return _read_capped(response, max_bytes)
        return Fetched(None, failure=f"more than {MAX_DOWNLOAD_REDIRECTS} redirects")


def _read_capped(response: requests.Response, max_bytes: int) -> Fetched:
    """The body, or too_large as soon as it passes `max_bytes` (declared or actual)."""
    with response:
        declared = _int(response.headers.get("Content-Length"))
        if declared is not None and declared > max_bytes:
            return Fetched(None, too_large=True)
        started, parts, size = time.monotonic(), [], 0
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    return Fetched(None, too_large=True)
                if time.monotonic() - started > DOWNLOAD_WALL_SECONDS:
                    return Fetched(None, failure=f"download took longer than {DOWNLOAD_WALL_SECONDS:.0f} s")
                parts.append(chunk)
        except (requests.exceptions.RequestException, OSError) as error:
            return Fetched(None, failure=f"download broke off ({type(error).__name__})")
        return Fetched(b"".join(parts))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
