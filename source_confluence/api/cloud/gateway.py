"""Confluence Cloud through the api.atlassian.com gateway (OAuth 2.0 and scoped API tokens).

Requests go to `https://api.atlassian.com/ex/confluence/{cloudId}/wiki/...` instead of the site. The
cloud id is found once per sync, on the first request (so `discover` makes none): from the OAuth
grant's accessible resources, or from the site's public `/_edge/tenant_info` for scoped tokens.
Paths from `CloudClient` and the gateway's own `_links.next` start with `/wiki/`; they get the
gateway prefix here, so state keeps the site-relative links and survives a change of method.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from source_confluence.config import ConfigError
from source_confluence.http.download import Fetched
from source_confluence.http.transport import Transport


class GatewayTransport:
    """Looks like a `Transport` to `CloudClient`; resolves the gateway base on first use."""

    def __init__(self, site_url: str, resolve_cloud_id: Callable[[], str], gateway: Callable[[str], str],
                 make_transport: Callable[[str], Transport]) -> None:
        self.site_url = site_url
        self._resolve_cloud_id = resolve_cloud_id
        self._gateway = gateway
        self._make_transport = make_transport
        self._lock = threading.Lock()
        self._transport: Transport | None = None
        self._prefix = ""

    def _target(self) -> Transport:
        with self._lock:
            if self._transport is None:
                base = self._gateway(self._resolve_cloud_id())
                self._prefix = urlsplit(base).path.rstrip("/")
                self._transport = self._make_transport(base)
            return self._transport

    def _path(self, path_or_url: str) -> str:
        if path_or_url.startswith("/") and not path_or_url.startswith(self._prefix + "/"):
            return self._prefix + path_or_url
        return path_or_url

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> tuple[Any, requests.Response]:
        transport = self._target()
        return transport.get(self._path(path_or_url), params)

    def get_list(self, path_or_url: str) -> tuple[Any, requests.Response]:
        transport = self._target()
        return transport.get_list(self._path(path_or_url))

    def post(self, path: str, body: Mapping[str, Any]) -> tuple[Any, requests.Response]:
        transport = self._target()
        return transport.post(self._path(path), body)

    def download(self, path: str, max_bytes: int) -> Fetched:
        transport = self._target()
        return transport.download(self._path(path), max_bytes)


def same_site(left: str, right: str) -> bool:
    a, b = urlsplit(left), urlsplit(right)

    def port(parts: Any) -> int:
        return parts.port or (80 if parts.scheme == "http" else 443)

    return (a.hostname or "").lower() == (b.hostname or "").lower() and port(a) == port(b)


def cloud_id_from_resources(resources: Any, site_url: str) -> str:
    """The cloud id of `site_url` among an OAuth grant's accessible resources."""
    entries = [r for r in resources if isinstance(r, Mapping)] if isinstance(resources, list) else []
    for resource in entries:
        if isinstance(resource.get("url"), str) and same_site(resource["url"], site_url) and resource.get("id"):
            return str(resource["id"])
    sites = ", ".join(sorted(str(r.get("url")) for r in entries if r.get("url"))) or "none"
    raise ConfigError(
        "site_url",
        f"the OAuth authorization does not cover {site_url} (it covers: {sites}).",
        "Set site_url to one of those sites, or authenticate again and grant access to this site.",
    )


def cloud_id_from_tenant_info(body: Any, site_url: str) -> str:
    if isinstance(body, Mapping) and body.get("cloudId"):
        return str(body["cloudId"])
    raise ConfigError(
        "site_url",
        f"{site_url} did not say which Atlassian cloud site it is (no cloudId in /_edge/tenant_info).",
        "Scoped API tokens only work for Atlassian Cloud sites, e.g. https://your-domain.atlassian.net.",
    )
