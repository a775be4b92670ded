"""Confluence Data Center REST v1 reads (see `api.ConfluenceApi`), for Confluence 7.x and 8.x.

Objects leave in the Cloud v2 shape (`v1_shapes`), so streams and records do not know the flavour.

Lists:
- Content lists are CQL searches (`/rest/api/content/search`) ordered by `lastmodified asc`, read
  by moving a bound that each page must prove (`cql_walk`). State keeps the last proven bound alone
  as a position (`{"bound": "2024-03-01 11:00", "start": 0}`), which the search is built from, never
  a link. Search lags the database (`visibility_lag`, the `search_index_lag_minutes` option):
  cursors never claim the last stretch of it.
- Search caps results at 50 when a body is expanded; bodiless lists take `page_size`.
- Page listings without bodies use the cursor-paginated scan endpoint (Confluence 7.18+); older
  servers answer 404 and the client falls back to a CQL walk for good.
- Tasks have no REST API in v1: they are read from the `ac:task-list`s of container bodies.
- Users come with the content (`history.createdBy`, `version.by`); only users never seen there are
  asked for, one request each (`/rest/api/user?key=`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from source_confluence.api.datacenter import v1_shapes
from source_confluence.api.datacenter.access import DataCenterAccess
from source_confluence.api.datacenter.bodies_of import ContainerBodies
from source_confluence.api.datacenter.cql import CONTENT_TYPES, ServerClock, cql_string, offset_of
from source_confluence.api.datacenter.cql_walk import CqlWalk
from source_confluence.api.datacenter.downloads import DataCenterDownloads
from source_confluence.api.datacenter.labels import DataCenterLabelReads
from source_confluence.api.datacenter.labels_of import LabelsOfContent
from source_confluence.api.datacenter.versions import DataCenterVersionReads
from source_confluence.api.protocol import ALL_COMMENTS, ATTACHMENT, PAGE, ListPage, Position, items
from source_confluence.http.transport import ConfluenceHttpError, Transport
from source_confluence.timestamps import parse_timestamp

LOGGER = logging.getLogger("airbyte")

API = "/rest/api"
SEARCH_BODY_LIMIT = 50
MAX_SEARCH_LIMIT = 250
DEFAULT_INDEX_LAG = timedelta(minutes=10)
CONTENT_EXPAND = ("space", "history", "version", "ancestors")
COMMENT_EXPAND = ("container", "history", "version", "ancestors", "extensions.inlineProperties",
                  "extensions.resolution")
ATTACHMENT_EXPAND = ("container", "history", "version")
SPACE_EXPAND = ("description.plain", "homepage", "metadata.labels")
TASK_EXPAND = ("space", "version", "body.storage")
Transform = Callable[[Sequence[Mapping[str, Any]]], Sequence[Mapping[str, Any]]]


class DataCenterClient(DataCenterVersionReads, DataCenterLabelReads, DataCenterDownloads, LabelsOfContent,
                       ContainerBodies):
    filters_by_modified_time = True
    tasks_from_bodies = True
    comment_kinds: tuple[str, ...] = (ALL_COMMENTS,)

    def __init__(self, transport: Transport, page_size: int, site_url: str, time_zone: str | None = None,
                 visibility_lag: timedelta = DEFAULT_INDEX_LAG) -> None:
        self.transport = transport
        self.visibility_lag: timedelta | None = visibility_lag
        self.page_size = page_size
        self.default_base = site_url.rstrip("/")
        self._context = urlsplit(self.default_base).path.rstrip("/")
        self._api = self._context + API
        self.access = DataCenterAccess(transport, self._api, page_size, self._follow)
        self._zone = ZoneInfo(time_zone) if time_zone else None
        self._lock = threading.Lock()
        self._clock: ServerClock | None = None
        self._clock_lock = threading.Lock()
        self._spaces: dict[str, Mapping[str, Any]] = {}
        self._users: dict[str, Mapping[str, Any]] = {}
        self._missing_users: set[str] = set()
        self._scan_available: bool | None = None
        self._probe_lock = threading.Lock()

    # -- links -------------------------------------------------------------------------------------
    def _link(self, path: str, params: Sequence[tuple[str, Any]]) -> str:
        query = [(key, str(value)) for key, value in params if value not in (None, "")]
        return f"{self._api}{path}?{urlencode(query, quote_via=quote, safe=',')}"

    def _search(self, cql: str, expand: Sequence[str], limit: int, start: int = 0) -> str:
        return self._link("/content/search", [("cql", cql), ("expand", ",".join(expand)), ("limit", limit),
                                              ("start", start)])

    def _limit(self, bodies: bool) -> int:
        return min(self.page_size, SEARCH_BODY_LIMIT) if bodies else self.page_size

    def _on_site(self, link: str) -> str:
        """`_links.next` of Data Center is relative to the base URL: it lacks the context path."""
        if link.startswith(API + "/") and not link.startswith(self._api + "/"):
            return self._context + link
        return link

    def _space_key(self, space_id: str) -> str:
        with self._lock:
            known = self._spaces.get(space_id)
        if known is None:
            for _ in self.spaces():
                pass
            with self._lock:
                known = self._spaces.get(space_id)
        if known is None:
            raise ConfluenceHttpError(404, f"{self._api}/space", f"no space with id {space_id}")
        return str(known["key"])

    def _walk_cql(self, kind: str, space_id: str | None) -> tuple[str, tuple[str, ...]]:
        if kind in CONTENT_TYPES:
            space = f" and space = {cql_string(self._space_key(space_id))}" if space_id else ""
            return f"type = {CONTENT_TYPES[kind]}{space}", CONTENT_EXPAND
        if kind == ALL_COMMENTS:
            return "type = comment", COMMENT_EXPAND
        if kind == ATTACHMENT:
            return "type = attachment", ATTACHMENT_EXPAND
        raise ValueError(f"Data Center lists no {kind!r} by modification time")

    # -- reading -----------------------------------------------------------------------------------
    def _convert(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        users = [user for user in map(v1_shapes.user, v1_shapes.users_in(raw)) if user]
        if users:
            with self._lock:
                for user in users:
                    self._users[user["accountId"]] = user
        return v1_shapes.converted(raw)

    def _get(self, link: str) -> tuple[Mapping[str, Any], str]:
        body, response = self.transport.get_list(link)
        if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
            raise ValueError(f"unexpected list response shape from {response.request.path_url}")
        links = body.get("_links") or {}
        return body, links.get("base") or self.default_base

    def _follow(self, link: str, convert: Callable[[Mapping[str, Any]], Any]) -> Iterator[ListPage]:
        """Lists paged by `_links.next` (offsets, or the scan endpoint's cursor)."""
        next_link: str | None = link
        while next_link:
            body, base = self._get(next_link)
            following = (body.get("_links") or {}).get("next")
            next_link = self._on_site(following) if following else None
            yield ListPage([convert(raw) for raw in body["results"]], {"next": next_link} if next_link else None, base)

    def _walk(self, base_cql: str, expand: Sequence[str], limit: int, bound: str | None = None, start: int = 0,
              must_complete: bool = True, transform: Transform | None = None) -> Iterator[ListPage]:
        """A CQL search ordered by lastmodified asc from `bound` (a CQL minute; None: the whole list),
        paged by moving a proven bound (see cql_walk). `must_complete`: a walk that cannot finish fails
        (listings) instead of stopping early (walks that checkpoint, whose next sync continues from
        the proven bound)."""
        # The next bound comes from the last result's modification time.
        expand = tuple(expand) + (() if "version" in expand else ("version",))
        # An anchor needs a page to stand on: a walk pages by two at least.
        limit = max(limit, 2)
        walk = CqlWalk(self._get, lambda cql, at, size: self._search(cql, expand, size, at), self._convert,
                       self.clock(), base_cql, bound, start, must_complete, limit,
                       SEARCH_BODY_LIMIT if "body.storage" in expand else MAX_SEARCH_LIMIT)
        for listed in walk.list_pages():
            if transform is None:
                yield listed
                continue
            read = tuple(str(raw["id"]) for raw in listed.results)
            yield ListPage(transform(listed.results), listed.resume, listed.base_url, listed.proven_before, read)

    def _walk_from(self, base_cql: str, expand: Sequence[str], limit: int, lower: str | None,
                   resume: Position | None, transform: Transform | None = None) -> Iterator[ListPage]:
        """A walk that checkpoints: from the bound of `lower` (a cursor), or from a stored position."""
        if resume is None:
            bound = self.clock().cursor_bound(parse_timestamp(lower))[0] if lower is not None else None
            yield from self._walk(base_cql, expand, limit, bound, 0, False, transform)
            return
        bound, start = resume.get("bound"), resume.get("start")
        if not isinstance(bound, str | None) or type(start) is not int or start < 0:
            # Not a position of a Data Center walk (a Cloud state): answered like an expired link,
            # so the caller reads again from its cursor.
            raise ConfluenceHttpError(400, f"{self._api}/content/search", "not a walk position of a Data Center list")
        yield from self._walk(base_cql, expand, limit, bound, start, False, transform)

    def clock(self) -> ServerClock:
        """How bounds become the server's wall-clock minutes (zone configured, or offset detected once)."""
        with self._clock_lock:
            if self._clock is None:
                self._clock = ServerClock(zone=self._zone) if self._zone is not None else self._detect_clock()
            return self._clock

    def _detect_clock(self) -> ServerClock:
        """The server writes times with its current offset: read it off the newest change."""
        newest = self._search("type in (page, blogpost) order by lastmodified desc", ("version",), 1)
        body, _ = self._get(newest)
        when = (body["results"][0].get("version") or {}).get("when") if body["results"] else None
        return ServerClock(offset=offset_of(when))

    # -- ConfluenceApi -----------------------------------------------------------------------------
    def current_user(self) -> Mapping[str, Any]:
        body, _ = self.transport.get(f"{self._api}/user/current")
        return body if isinstance(body, Mapping) else {}

    def spaces(self, keys: Sequence[str] = ()) -> Iterator[Mapping[str, Any]]:
        params = [("spaceKey", key) for key in keys] + [("expand", ",".join(SPACE_EXPAND)), ("limit", self.page_size)]
        for listed in self._follow(self._link("/space", params), v1_shapes.space):
            for space in listed.results:
                with self._lock:
                    self._spaces[space["id"]] = space
                yield {**space, "_base_url": listed.base_url}

    def walk(self, kind: str, space_id: str | None, order: str, lower: str | None, bodies: bool,
             resume: Position | None = None, limit: int | None = None) -> Iterator[ListPage]:
        # `limit` is for newest-first probes; Data Center walks read oldest first and never probe.
        if order != "asc":
            raise ValueError("Data Center walks read oldest first (the server filters by modification time)")
        base_cql, expand = self._walk_cql(kind, space_id)
        expand = expand + (("body.storage",) if bodies and kind != ATTACHMENT else ())
        return self._walk_from(base_cql, expand, self._limit(bodies), lower, resume)

    def listing(self, kind: str, space_id: str | None) -> Iterator[Mapping[str, Any]]:
        if kind == PAGE and space_id is not None:
            return items(self._page_scan(space_id, ()))
        expand = ("container", "extensions.resolution") if kind == ALL_COMMENTS else (
            ("container",) if kind == ATTACHMENT else ())
        base_cql, _ = self._walk_cql(kind, space_id)
        return items(self._walk(base_cql, expand, self.page_size))

    def _page_scan(self, space_id: str, expand: Sequence[str]) -> Iterator[ListPage]:
        """Every current page of a space by the 7.18+ scan endpoint, else by a CQL walk."""
        key = self._space_key(space_id)
        if self._scan_available is not False:
            link = self._link("/content/scan", [("type", "page"), ("spaceKey", key), ("expand", ",".join(expand)),
                                                ("limit", self.page_size)])
            lists = self._follow(link, self._convert)
            first: ListPage | None = None
            asked = False
            if self._scan_available is None:
                with self._probe_lock:  # one partition finds out; the others wait for its answer
                    if self._scan_available is None:
                        first, asked = self._probe_scan(lists), True
            if self._scan_available:
                if not asked:
                    first = next(lists, None)
                if first is not None:
                    yield first
                    yield from lists
                return
        cql = f"type = page and space = {cql_string(key)}"
        yield from self._walk(cql, expand, self.page_size)

    def _probe_scan(self, lists: Iterator[ListPage]) -> ListPage | None:
        try:
            first = next(lists, None)
        except ConfluenceHttpError as error:
            if error.status not in (404, 405):
                raise
            LOGGER.info("This Confluence has no /rest/api/content/scan (before 7.18); listing pages by search.")
            self._scan_available = False
            return None
        self._scan_available = True
        return first

    def containers(self, container_type: str, ids: Sequence[str]) -> Iterator[Mapping[str, Any]]:
        unique = [i for i in dict.fromkeys(ids) if i.isdigit()]
        for start in range(0, len(unique), self.page_size):
            chunk = unique[start:start + self.page_size]
            cql = f"type = {CONTENT_TYPES[container_type]} and id in ({', '.join(chunk)})"
            yield from items(self._walk(cql, CONTENT_EXPAND, self.page_size))

    def surviving(self, kind: str, ids: Sequence[str]) -> Iterator[str]:
        """Read by id from the database, one request each (few: purges and trashings since the last
        check), because search lags it: an object restored or moved shortly before the check is
        missing from the index's lists yet alive. Trashed or archived content counts as gone, since
        search never lists it (nor the comments and attachments of such a page)."""
        for content_id in dict.fromkeys(i for i in ids if i.isdigit()):
            try:
                body, _ = self.transport.get(self._link(f"/content/{content_id}",
                                                        [("status", "any"), ("expand", "container")]))
            except ConfluenceHttpError as error:
                if error.status != 404:
                    raise
                continue
            container = body.get("container") if isinstance(body, Mapping) else None
            if (isinstance(body, Mapping) and body.get("status") == "current"
                    and (not isinstance(container, Mapping) or container.get("status", "current") == "current")):
                yield content_id

    def containers_in_space(self, container_type: str, space_id: str) -> Iterator[Mapping[str, Any]]:
        if container_type == PAGE:
            return items(self._page_scan(space_id, CONTENT_EXPAND))
        base_cql, expand = self._walk_cql(container_type, space_id)
        return items(self._walk(base_cql, expand, self.page_size))

    def newest_container(self, container_type: str, space_id: str) -> Mapping[str, Any] | None:
        base_cql, _ = self._walk_cql(container_type, space_id)
        body, _ = self._get(self._search(f"{base_cql} order by lastmodified desc", ("version",), 1))
        return self._convert(body["results"][0]) if body["results"] else None

    # Tasks live in the bodies: the bodies are read whatever `bodies` says (records drop the text).
    def space_tasks(self, space_id: str, bodies: bool, resume: Position | None = None) -> Iterator[ListPage]:
        cql = f"type in (page, blogpost) and space = {cql_string(self._space_key(space_id))}"
        return self._walk_from(cql, TASK_EXPAND, self._limit(True), None, resume, _tasks)

    def container_tasks(self, container_type: str, container_ids: Sequence[str], bodies: bool) -> Iterator[ListPage]:
        ids = ", ".join(i for i in container_ids if i.isdigit()) or "0"
        cql = f"type = {CONTENT_TYPES[container_type]} and id in ({ids})"
        return self._walk(cql, TASK_EXPAND, self._limit(True), must_complete=False, transform=_tasks)

    def inline_comments_of(self, container_type: str, container_id: str, bodies: bool) -> Iterator[Mapping[str, Any]]:
        expand = COMMENT_EXPAND + (("body.storage",) if bodies else ())
        link = self._link(f"/content/{container_id}/child/comment",
                          [("location", "inline"), ("depth", "all"), ("expand", ",".join(expand)),
                           ("limit", self._limit(bodies))])
        return items(self._follow(link, self._convert))

    def users(self, account_ids: Sequence[str]) -> list[Mapping[str, Any]]:
        """Users by user key: those seen in content expansions, then one request per user never seen."""
        wanted = list(dict.fromkeys(account_ids))
        with self._lock:
            unknown = [key for key in wanted if key not in self._users and key not in self._missing_users]
        for key in unknown:
            try:
                body, _ = self.transport.get(self._link("/user", [("key", key)]))
            except ConfluenceHttpError as error:
                if error.status not in (400, 404):
                    raise
                body = None
            user = v1_shapes.user(body) if isinstance(body, Mapping) else None
            with self._lock:
                if user is not None:
                    self._users[key] = user
                else:
                    self._missing_users.add(key)
        with self._lock:
            return [self._users[key] for key in wanted if key in self._users]



def _tasks(found: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    """The tasks in these pages' and blog posts' bodies."""
    return [task for container in found
            for task in v1_shapes.tasks_of(container, "page" if container.get("type") == "page" else "blogpost")]
