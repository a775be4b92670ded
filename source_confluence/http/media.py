"""Attachment files served by Atlassian's media service, without the site's credentials.

Confluence Cloud answers an attachment download with a redirect to its media service
(`api.media.atlassian.com`), the URL carrying a short-lived token of its own. Following it with the
site's session would send the Authorization header (and any cookies) to another host, so that hop
goes through this client instead: its own session, pinned to the allowed media origins (a fixed
list in `AtlassianEndpoints`, https in production), with no authenticator, no cookies and no netrc
lookup. The token in the URL is registered with the secret filter before the request is sent.
"""

from __future__ import annotations

import http.cookiejar
import logging
from collections.abc import Collection
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from requests.auth import AuthBase

from source_confluence.http.secrets import register_secret

_DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int | None]


def media_origin(url: str) -> Origin:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1  # an unparsable port matches no allowed origin
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def register_url_secrets(url: str) -> None:
    """Every query value and path segment of a signed URL is treated as a secret (the token may be
    either); short values (`dl=true`, a version number) are below the filter's minimum length."""
    parts = urlsplit(url)
    for _, value in parse_qsl(parts.query, keep_blank_values=False):
        register_secret(value)
    register_secret(parts.query)
    for segment in parts.path.split("/"):
        if len(segment) >= 16:
            register_secret(segment)


class _WithoutCredentials(AuthBase):
    """Strips what could identify the connector's account; also stops requests' netrc lookup,
    which only happens when a session has no auth of its own."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.pop("Authorization", None)
        request.headers.pop("Cookie", None)
        return request


class _MediaAdapter(requests.adapters.HTTPAdapter):
    """Sends only to the allowed media origins, and never a credential header."""

    def __init__(self, origins: Collection[Origin], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._origins = frozenset(origins)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        if media_origin(request.url or "") not in self._origins or "Authorization" in request.headers \
                or "Cookie" in request.headers:
            raise AirbyteTracedException(
                message="The connector refused to send a request to the media service with credentials or "
                "to a host that is not Atlassian's media service.",
                internal_message=f"refused media request to host {urlsplit(request.url or '').hostname!r}",
                failure_type=FailureType.system_error,
            )
        return super().send(request, *args, **kwargs)


class MediaClient:
    """The CDK client (retries, backoff, timeouts) for files on the media service."""

    def __init__(self, origins: Collection[str], name: str, logger: logging.Logger, error_handler: Any,
                 backoff_strategy: Any, request_timeout: tuple[float, float], pool_size: int) -> None:
        self.origins = frozenset(media_origin(origin) for origin in origins)
        session = requests.Session()
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))  # keep none
        adapter = _MediaAdapter(self.origins, pool_connections=pool_size, pool_maxsize=pool_size)
        session.mount("https://", adapter)
        session.mount("http://", adapter)  # ignore-https-check: only origins in AtlassianEndpoints (https in production)
        self.client = HttpClient(name=f"{name}-media", logger=logger, session=session,
                                 authenticator=_WithoutCredentials(), error_handler=error_handler,
                                 backoff_strategy=backoff_strategy, request_timeout=request_timeout)

    def allows(self, url: str) -> bool:
        return media_origin(url) in self.origins
