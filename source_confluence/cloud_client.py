"""Confluence Cloud REST API v2 reads.

v2 list endpoints page with an opaque cursor: the next page is the body's `_links.next`, a path that
already starts with `/wiki`. A page of results is handed out together with that link, so callers can
store it in state and resume an interrupted read from exactly there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from source_confluence.transport import Transport

API_V2 = "/wiki/api/v2"
CURRENT_USER = "/wiki/rest/api/user/current"
MAX_BULK_IDS = 250


@dataclass(frozen=True)
class ResultPage:
    results: list[Mapping[str, Any]]
    next_link: str | None
    """Path of the next page (starts with /wiki), or None on the last page."""
    base_url: str
    """The body's `_links.base` (e.g. https://site.atlassian.net/wiki), for building web URLs."""


def list_url(path: str, params: Mapping[str, Any]) -> str:
    """First-page URL of a v2 list. Array filters repeat the parameter (form style, as the OpenAPI
    document declares them), e.g. `status=current&status=archived`."""
    query = [(key, str(item)) for key, value in params.items() if value not in (None, "", [], ())
             for item in (value if isinstance(value, list | tuple) else [value])]
    return f"{API_V2}{path}?{urlencode(query)}" if query else f"{API_V2}{path}"


class CloudClient:
    def __init__(self, transport: Transport, page_size: int) -> None:
        self.transport = transport
        self.page_size = page_size
        self.default_base = transport.site_url + "/wiki"

    def current_user(self) -> Mapping[str, Any]:
        body, _ = self.transport.get(CURRENT_USER)
        return body if isinstance(body, Mapping) else {}

    def pages_from(self, link: str) -> Iterator[ResultPage]:
        """Follows `_links.next` from `link` (a first-page URL or a stored next link) to the end."""
        next_link: str | None = link
        while next_link:
            body, response = self.transport.get(next_link)
            if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
                raise ValueError(f"unexpected list response shape from {response.request.path_url}")
            links = body.get("_links") or {}
            next_link = links.get("next") or None
            yield ResultPage(body["results"], next_link, links.get("base") or self.default_base)

    def first_page_url(self, path: str, **params: Any) -> str:
        return list_url(path, {**params, "limit": self.page_size})

    def list_all(self, path: str, **params: Any) -> Iterator[tuple[Mapping[str, Any], str]]:
        """Every object of a v2 list, each with the page's base URL."""
        for page in self.pages_from(self.first_page_url(path, **params)):
            for item in page.results:
                yield item, page.base_url

    def users(self, account_ids: Sequence[str]) -> list[Mapping[str, Any]]:
        """Users by account id through `users-bulk`, 250 per request."""
        found: list[Mapping[str, Any]] = []
        ids = list(dict.fromkeys(account_ids))
        for start in range(0, len(ids), MAX_BULK_IDS):
            body, _ = self.transport.post(f"{API_V2}/users-bulk", {"accountIds": ids[start:start + MAX_BULK_IDS]})
            found.extend(body.get("results") or [] if isinstance(body, Mapping) else [])
        return found

    def spaces(self, keys: Sequence[str] = ()) -> Iterator[Mapping[str, Any]]:
        url = self.first_page_url("/spaces", keys=list(keys), **{"description-format": "plain"})
        for page in self.pages_from(url):
            for space in page.results:
                yield {**space, "_base_url": page.base_url}
