"""Confluence Cloud REST API v2 reads (see `api.ConfluenceApi`).

v2 list endpoints page with an opaque cursor: the next page is the body's `_links.next`, a path that
already starts with `/wiki`. v2 lists have no "modified since" filter, so walks read sorted by
modification time and the caller stops at its bound.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any, Protocol
from urllib.parse import quote, urlencode

import requests

from source_confluence.api.cloud.access import CloudAccess
from source_confluence.api.cloud.download_path import cloud_download_path
from source_confluence.api.cloud.label_search import LabelSearch
from source_confluence.api.cloud.versions import CloudVersionReads
from source_confluence.api.protocol import (
    ALL_STATUSES,
    ATTACHMENT,
    BLOGPOST,
    FOOTER_COMMENT,
    INLINE_COMMENT,
    MAX_BULK_IDS,
    PAGE,
    ListPage,
    Position,
    items,
)
from source_confluence.http.download import Fetched
from source_confluence.http.transport import ConfluenceHttpError

API_V2 = "/wiki/api/v2"
CURRENT_USER = "/wiki/rest/api/user/current"
ANALYTICS = "/wiki/rest/api/analytics/content"
CONTAINER_PATHS = {PAGE: "/pages", BLOGPOST: "/blogposts"}
WALK_PATHS = {**CONTAINER_PATHS, FOOTER_COMMENT: "/footer-comments", INLINE_COMMENT: "/inline-comments",
              ATTACHMENT: "/attachments"}
ATTACHMENT_STATUSES = ("current", "archived", "trashed")
# The statuses each v2 list accepts (blog posts cannot be archived).
CONTAINER_STATUSES = {PAGE: ALL_STATUSES, BLOGPOST: ("current", "trashed", "deleted")}
LABELLED_PATHS = {PAGE: "pages", BLOGPOST: "blogposts", ATTACHMENT: "attachments"}
TASK_FILTERS = {PAGE: "page-id", BLOGPOST: "blogpost-id"}


def list_url(path: str, params: Mapping[str, Any]) -> str:
    """First-page URL of a v2 list. Array filters repeat the parameter (form style, as the OpenAPI
    document declares them), e.g. `status=current&status=archived`."""
    query = [(key, str(item)) for key, value in params.items() if value not in (None, "", [], ())
             for item in (value if isinstance(value, list | tuple) else [value])]
    return f"{API_V2}{path}?{urlencode(query)}" if query else f"{API_V2}{path}"


def _body_format(bodies: bool) -> dict[str, str]:
    return {"body-format": "storage"} if bodies else {}


class ApiTransport(Protocol):
    """A `transport.Transport`, or the gateway in front of one (`cloud_gateway.GatewayTransport`)."""

    site_url: str

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> tuple[Any, requests.Response]: ...

    def get_list(self, path_or_url: str) -> tuple[Any, requests.Response]: ...

    def post(self, path: str, body: Mapping[str, Any]) -> tuple[Any, requests.Response]: ...

    def download(self, path: str, max_bytes: int) -> Fetched: ...


class CloudClient(CloudVersionReads):
    filters_by_modified_time = False
    tasks_from_bodies = False
    comment_kinds: tuple[str, ...] = (FOOTER_COMMENT, INLINE_COMMENT)
    visibility_lag: timedelta | None = None  # v2 lists read the database

    def __init__(self, transport: ApiTransport, page_size: int, web_base: str | None = None) -> None:
        self.transport = transport
        self.page_size = page_size
        # Through the api.atlassian.com gateway the API host is not the site: web links use the site.
        self.default_base = (web_base or transport.site_url) + "/wiki"
        self.access = CloudAccess(transport, page_size, self.list_from, self._first)
        self._label_search = LabelSearch(transport, self.labels_of)

    # -- plumbing --------------------------------------------------------------------------------
    def list_from(self, link: str) -> Iterator[ListPage]:
        """Follows `_links.next` from `link` (a first-page URL or a stored next link) to the end."""
        next_link: str | None = link
        while next_link:
            body, response = self.transport.get_list(next_link)
            if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
                raise ValueError(f"unexpected list response shape from {response.request.path_url}")
            links = body.get("_links") or {}
            next_link = links.get("next") or None
            yield ListPage(body["results"], {"next": next_link} if next_link else None,
                           links.get("base") or self.default_base)

    def _from(self, first: str, resume: Position | None) -> Iterator[ListPage]:
        """From a first-page URL, or from a stored position (the server's own next link)."""
        if resume is None:
            yield from self.list_from(first)
            return
        link = resume.get("next")
        if not isinstance(link, str):
            # Not a position of a Cloud list (a Data Center state): answered like an expired link,
            # so the caller reads again from its cursor.
            raise ConfluenceHttpError(400, first.partition("?")[0], "not a page position of a Cloud list")
        yield from self.list_from(link)

    def _first(self, path: str, **params: Any) -> str:
        return list_url(path, {**params, "limit": self.page_size})

    def _all(self, path: str, **params: Any) -> Iterator[Mapping[str, Any]]:
        return items(self.list_from(self._first(path, **params)))

    # -- ConfluenceApi -----------------------------------------------------------------------------
    def current_user(self) -> Mapping[str, Any]:
        body, _ = self.transport.get(CURRENT_USER)
        return body if isinstance(body, Mapping) else {}

    def spaces(self, keys: Sequence[str] = ()) -> Iterator[Mapping[str, Any]]:
        url = self._first("/spaces", keys=list(keys), **{"description-format": "plain"})
        for listed in self.list_from(url):
            for space in listed.results:
                yield {**space, "_base_url": listed.base_url}

    def _walk_filters(self, kind: str, space_id: str | None) -> dict[str, Any]:
        if kind in CONTAINER_PATHS:
            return {"space-id": space_id, "status": list(CONTAINER_STATUSES[kind])}
        if kind == ATTACHMENT:
            return {"status": list(ATTACHMENT_STATUSES)}
        return {}  # site-wide comment lists take no filter (they list current comments)

    def walk(self, kind: str, space_id: str | None, order: str, lower: str | None, bodies: bool,
             resume: Position | None = None, limit: int | None = None) -> Iterator[ListPage]:
        # No "modified since" filter: `lower` is the caller's to stop at.
        body = {"body-format": "storage"} if bodies and kind != ATTACHMENT else {}
        sort = "modified-date" if order == "asc" else "-modified-date"
        first = self._first(WALK_PATHS[kind], **self._walk_filters(kind, space_id), **body, sort=sort)
        if limit is not None and limit < self.page_size:
            first = list_url(WALK_PATHS[kind], {**self._walk_filters(kind, space_id), **body, "sort": sort,
                                                "limit": limit})
        return self._from(first, resume)

    def listing(self, kind: str, space_id: str | None) -> Iterator[Mapping[str, Any]]:
        # An order no change moves an object in: one that changes during the listing is still
        # listed once (by modification date it could jump past the listing and read as purged).
        extra = {"sort": "id" if kind in CONTAINER_PATHS else "created-date"}
        return self._all(WALK_PATHS[kind], **self._walk_filters(kind, space_id), **extra)

    def containers(self, container_type: str, ids: Sequence[str]) -> Iterator[Mapping[str, Any]]:
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), MAX_BULK_IDS):
            yield from self._all(CONTAINER_PATHS[container_type], id=unique[start:start + MAX_BULK_IDS],
                                 status=list(CONTAINER_STATUSES[container_type]))

    def containers_with_bodies(self, container_type: str, ids: Sequence[str]) -> Iterator[Mapping[str, Any]]:
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), MAX_BULK_IDS):
            yield from self._all(CONTAINER_PATHS[container_type], id=unique[start:start + MAX_BULK_IDS],
                                 status=list(CONTAINER_STATUSES[container_type]), **_body_format(True))

    def surviving(self, kind: str, ids: Sequence[str]) -> Iterator[str]:
        # Lists read the database: only pages and blog posts can leave a list (moved to another
        # space) and live on; comments and attachments are listed site-wide.
        if kind in CONTAINER_PATHS:
            yield from (str(item.get("id")) for item in self.containers(kind, ids))

    def containers_in_space(self, container_type: str, space_id: str) -> Iterator[Mapping[str, Any]]:
        return self._all(CONTAINER_PATHS[container_type],
                         **{"space-id": space_id, "status": list(CONTAINER_STATUSES[container_type])})

    def newest_container(self, container_type: str, space_id: str) -> Mapping[str, Any] | None:
        path = list_url(CONTAINER_PATHS[container_type], {
            "space-id": space_id, "status": list(CONTAINER_STATUSES[container_type]), "sort": "-modified-date", "limit": 1})
        listed = next(iter(self.list_from(path)))
        return listed.results[0] if listed.results else None

    def space_tasks(self, space_id: str, bodies: bool, resume: Position | None = None) -> Iterator[ListPage]:
        return self._from(self._first("/tasks", **{"space-id": space_id}, **_body_format(bodies)), resume)

    def container_tasks(self, container_type: str, container_ids: Sequence[str], bodies: bool) -> Iterator[ListPage]:
        return self.list_from(self._first("/tasks", **{TASK_FILTERS[container_type]: list(container_ids)},
                                          **_body_format(bodies)))

    def inline_comments_of(self, container_type: str, container_id: str, bodies: bool) -> Iterator[Mapping[str, Any]]:
        path = f"{CONTAINER_PATHS[container_type]}/{container_id}/inline-comments"
        return self._all(path, **({"body-format": "storage"} if bodies else {}))

    def labels(self) -> Iterator[Mapping[str, Any]]:
        return self._all("/labels")

    def labelled(self, label_id: str, content_type: str) -> Iterator[ListPage]:
        return self.list_from(self._first(f"/labels/{label_id}/{LABELLED_PATHS[content_type]}"))

    def content_with_labels(self, names: Sequence[str],
                            container_types: Sequence[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
        wanted = {name.lower() for name in names}
        label_ids = [str(label["id"]) for label in self.labels() if str(label.get("name", "")).lower() in wanted]
        for label_id in label_ids:
            for container_type in container_types:
                for item in items(self.labelled(label_id, container_type)):
                    yield container_type, item

    def space_labels(self, space_id: str) -> Iterator[Mapping[str, Any]]:
        return self._all(f"/spaces/{space_id}/labels")

    def content_count(self, content_id: str, metric: str, from_date: str | None) -> int | None:
        """`/wiki/rest/api/analytics/content/{id}/views` or `/viewers` (REST v1: v2 has no analytics)."""
        if metric not in ("views", "viewers"):
            raise ValueError(f"no analytics metric {metric!r}")
        path = f"{ANALYTICS}/{quote(content_id, safe='')}/{metric}"
        try:
            body, _ = self.transport.get(path + (f"?{urlencode({'fromDate': from_date})}" if from_date else ""))
        except ConfluenceHttpError as error:
            if error.status == 404:  # gone since it was listed
                return None
            raise
        count = body.get("count") if isinstance(body, Mapping) else None
        return count if isinstance(count, int) and not isinstance(count, bool) else None

    def labels_of(self, content_type: str, ids: Sequence[str]) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
        # v2 lists no content with its labels: one list per item (few: what changed since the last sync).
        for content_id in dict.fromkeys(ids):
            try:
                labels = list(self._all(f"/{LABELLED_PATHS[content_type]}/{content_id}/labels"))
            except ConfluenceHttpError as error:
                if error.status != 404:  # gone since it was read: its deletion is the content's stream's
                    raise
                continue
            yield content_id, labels

    def labels_at(self, content_type: str,
                  versions: Mapping[str, int | None]) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
        # In bulk through the v1 search; what it misses or may have cut is read by `labels_of`.
        return self._label_search.labels_at(content_type, versions)

    def comment_version(self, kind: str, comment_id: str, number: int) -> Mapping[str, Any] | None:
        known = self.known_first_version(kind, comment_id) if number == 1 else None
        if known is not None:  # read by content_versions in this sync
            return known
        try:
            body, _ = self.transport.get(f"{API_V2}{WALK_PATHS[kind]}/{comment_id}/versions/{number}")
        except ConfluenceHttpError as error:
            if error.status == 404:  # deleted since it was listed: the next deletion check reports it
                return None
            raise
        return body if isinstance(body, Mapping) else None

    def download(self, attachment: Mapping[str, Any], max_bytes: int) -> Fetched:
        return self.transport.download(cloud_download_path(attachment), max_bytes)

    def users(self, account_ids: Sequence[str]) -> list[Mapping[str, Any]]:
        """Users by account id through `users-bulk`, 250 per request."""
        found: list[Mapping[str, Any]] = []
        ids = list(dict.fromkeys(account_ids))
        for start in range(0, len(ids), MAX_BULK_IDS):
            body, _ = self.transport.post(f"{API_V2}/users-bulk", {"accountIds": ids[start:start + MAX_BULK_IDS]})
            found.extend(body.get("results") or [] if isinstance(body, Mapping) else [])
        return found
