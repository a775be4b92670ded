"""Confluence Data Center REST v1 search, as its contract and documentation allow it to behave.

CQL search runs on an index that lags the database: a change is indexed up to `max_lag_ms` after it
happens, in an order the test picks. Hits come in index order (`lastmodified` as indexed, equal
times in an order the test picks) but each is loaded from the database, so a hit edited after it
was indexed carries its new version at its old place (a stale hit); a purged one is dropped from
its page. `lastmodified >= "yyyy-MM-dd HH:mm"` compares to the minute in the server's zone; a wall
time the autumn change makes ambiguous is read as either instant (the test picks). Pages are
offsets: content indexed or removed between two requests shifts them. The scan endpoint lists a
space's current pages from the database, by id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from unit_tests.adversary.site import CONTAINERS, EPOCH, Obj, Site
from unit_tests.adversary.wire import Tokens, int_param, link, reject, storage

CONTEXT = "/confluence"
API = CONTEXT + "/rest/api"
ZONE = ZoneInfo("Europe/Berlin")
SEARCH_BODY_LIMIT = 50
TYPES = {"page": ("page",), "blogpost": ("blogpost",), "comment": ("footer", "inline"), "attachment": ("attachment",)}
_CLAUSE = re.compile(r'^(?:type = (?P<type>\w+)|type in \((?P<types>[\w, ]+)\)|space = "(?P<space>[^"]+)"'
                     r'|lastmodified >= "(?P<minute>\d{4}-\d\d-\d\d \d\d:\d\d)"|id in \((?P<ids>[\d, ]+)\))$')
USER = {"type": "known", "username": "u1", "userKey": "k1", "displayName": "User One"}


@dataclass
class Entry:
    """What the index holds for one object: where it sorts and what it was when indexed."""

    position: int
    rank: int
    kind: str
    space_id: str


class DataCenterFake:
    def __init__(self, site: Site, max_lag_ms: int) -> None:
        self.site = site
        self.max_lag_ms = max_lag_ms
        self.tokens = Tokens()
        self.index: dict[str, Entry] = {}
        self.pending: dict[str, int] = {}
        """id -> clock of the change the index has not caught up with yet."""
        self.later_fold = True
        """How an ambiguous wall time is read: the later instant (worst for a walk) or the earlier."""

    # -- the index ----------------------------------------------------------------------------
    def changed(self, obj_id: str) -> None:
        self.pending.setdefault(obj_id, self.site.clock)

    def index_one(self, obj_id: str) -> None:
        self.pending.pop(obj_id, None)
        obj = self.site.objects.get(obj_id)
        if obj is None or obj.status != "current":
            self.index.pop(obj_id, None)
            return
        self.index[obj_id] = Entry(obj.at, obj.rank, obj.kind, self.site.space_of(obj))

    def catch_up(self) -> None:
        """Index every change older than the lag bound (the index never lags more)."""
        for obj_id, since in sorted(self.pending.items()):
            if self.site.clock - since >= self.max_lag_ms:
                self.index_one(obj_id)

    # -- dispatch -----------------------------------------------------------------------------
    def answer(self, method: str, path: str, query: list[tuple[str, str]], body: Any) -> Any:
        self.catch_up()
        params = dict(query)
        if method != "GET" or not path.startswith(API):
            raise reject(404, path, "no such endpoint")
        route = path.removeprefix(API)
        if route == "/space":
            spaces = [{"id": int(sid), "key": key, "name": key, "type": "global", "status": "current",
                       "_links": {"webui": f"/display/{key}"}} for sid, key in sorted(self.site.spaces.items())]
            return {"results": spaces, "start": 0, "limit": 250, "size": len(spaces),
                    "_links": {"base": "https://wiki.adversary.test" + CONTEXT, "context": CONTEXT}}
        if route == "/content/search":
            return self._search(path, query, params)
        if route == "/content/scan":
            return self._scan(path, query, params)
        if route == "/user":
            return {**USER, "userKey": params.get("key", "k1")}
        parts = route.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "content" and parts[1].isdigit():
            return self._by_id(path, params, parts[1])
        if len(parts) == 4 and parts[:1] == ["content"] and parts[2:] == ["child", "comment"]:
            return self._child_comments(path, query, params, parts[1])
        raise reject(404, path, "no such endpoint")

    def _search(self, path: str, query: list[tuple[str, str]], params: dict[str, str]) -> dict[str, Any]:
        cql = params.get("cql", "")
        where, _, order = cql.partition(" order by ")
        kinds, space_key, since, ids = _parse(where, path)
        bodies = "body.storage" in params.get("expand", "")
        limit = int_param(query, "limit", path, 25, 1, 1000)
        limit = min(limit, SEARCH_BODY_LIMIT) if bodies else limit
        start = int_param(query, "start", path, 0, 0, 10**9)
        space_ids = {sid for sid, key in self.site.spaces.items() if key == space_key}
        low = self._instant(since) if since else None
        hits = [(entry, obj_id) for obj_id, entry in self.index.items()
                if entry.kind in kinds and (space_key is None or entry.space_id in space_ids)
                and (ids is None or obj_id in ids) and (low is None or entry.position >= low)]
        descending = order.strip() == "lastmodified desc"
        if order.strip() not in ("lastmodified asc", "lastmodified desc", ""):
            raise reject(400, path, "unsupported order")
        hits.sort(key=lambda hit: (hit[0].position, hit[0].rank, int(hit[1])), reverse=descending)
        window = hits[start:start + limit]
        loaded = [self.site.objects[obj_id] for _, obj_id in window if obj_id in self.site.objects]
        links: dict[str, str] = {"base": "https://wiki.adversary.test" + CONTEXT, "context": CONTEXT}
        if start + limit < len(hits):
            links["next"] = link("/rest/api/content/search", query, start=str(start + limit))
        return {"results": [self._render(o, bodies) for o in loaded], "start": start, "limit": limit,
                "size": len(loaded), "_links": links}

    def _scan(self, path: str, query: list[tuple[str, str]], params: dict[str, str]) -> dict[str, Any]:
        space_ids = {sid for sid, key in self.site.spaces.items() if key == params.get("spaceKey")}
        limit = int_param(query, "limit", path, 25, 1, 1000)
        pages = sorted((o for o in self.site.live("page") if o.status == "current" and o.space_id in space_ids),
                       key=lambda o: int(o.id))
        if "cursor" in params:
            after = self.tokens.resolve(params["cursor"], path)
            pages = [o for o in pages if int(o.id) > after]
        window = pages[:limit]
        links: dict[str, str] = {"base": "https://wiki.adversary.test" + CONTEXT, "context": CONTEXT}
        if len(pages) > limit:
            links["next"] = link("/rest/api/content/scan", query, cursor=self.tokens.issue(int(window[-1].id)))
        return {"results": [self._render(o, "body.storage" in params.get("expand", "")) for o in window],
                "limit": limit, "size": len(window), "_links": links}

    def _child_comments(self, path: str, query: list[tuple[str, str]], params: dict[str, str],
                        container_id: str) -> dict[str, Any]:
        """A container's comments from the database (`location=inline`: inline ones), by offset."""
        if container_id not in self.site.objects:
            raise reject(404, path, "no such content")
        kinds = ("inline",) if params.get("location") == "inline" else ("footer", "inline")
        comments = sorted((o for o in self.site.live(*kinds) if o.container_id == container_id and o.status == "current"),
                          key=lambda o: int(o.id))
        limit = int_param(query, "limit", path, 25, 1, 1000)
        start = int_param(query, "start", path, 0, 0, 10**9)
        window = comments[start:start + limit]
        links: dict[str, str] = {"base": "https://wiki.adversary.test" + CONTEXT, "context": CONTEXT}
        if start + limit < len(comments):
            links["next"] = link(f"/rest/api/content/{container_id}/child/comment", query, start=str(start + limit))
        return {"results": [self._render(o, "body.storage" in params.get("expand", "")) for o in window],
                "start": start, "limit": limit, "size": len(window), "_links": links}

    def _by_id(self, path: str, params: dict[str, str], obj_id: str) -> dict[str, Any]:
        """One object from the database (not the index); `status=any` finds it in any status."""
        obj = self.site.objects.get(obj_id)
        wanted = params.get("status", "current")
        if obj is None or (wanted != "any" and obj.status != wanted):
            raise reject(404, path, "no such content")
        return self._render(obj, False)

    def _instant(self, minute: str) -> int:
        naive = datetime.strptime(minute, "%Y-%m-%d %H:%M")
        readings = [naive.replace(tzinfo=ZONE, fold=fold) for fold in (0, 1)]
        chosen = max(readings) if self.later_fold else min(readings)
        return int((chosen - EPOCH).total_seconds() * 1000)

    # -- renderings (v1 shapes) ---------------------------------------------------------------
    def _when(self, ms: int) -> str:
        return (EPOCH + timedelta(milliseconds=ms)).astimezone(ZONE).isoformat(timespec="milliseconds")

    def _render(self, obj: Obj, bodies: bool) -> dict[str, Any]:
        v1_type = "comment" if obj.kind in ("footer", "inline") else obj.kind
        key = self.site.spaces[self.site.space_of(obj)]
        out: dict[str, Any] = {
            "id": obj.id, "type": v1_type, "status": obj.status, "title": f"{obj.kind} {obj.id}",
            "space": {"id": int(self.site.space_of(obj)), "key": key},
            "history": {"createdBy": USER, "createdDate": self._when(obj.created_at)},
            "version": {"by": USER, "when": self._when(obj.at), "number": obj.version, "message": "",
                        "minorEdit": False},
            "_links": {"webui": f"/pages/viewpage.action?pageId={obj.id}"},
        }
        if obj.kind in CONTAINERS:
            out.update(ancestors=[], extensions={"position": 0})
        else:
            out["container"] = {"id": obj.container_id, "type": obj.container_kind}
        if obj.kind in ("footer", "inline"):
            out["extensions"] = {"location": obj.kind}
            if obj.kind == "inline":
                resolved_at = self._when(obj.resolution_at) if obj.resolution_at is not None else None
                out["extensions"]["resolution"] = {"status": obj.resolution, "lastModifiedDate": resolved_at}
        if obj.kind == "attachment":
            out["extensions"] = {"mediaType": "text/plain", "fileSize": 10, "comment": ""}
            out["_links"]["download"] = f"/download/attachments/{obj.id}/file.txt"
        elif bodies:
            out["body"] = {"storage": {"value": storage(self.site, obj), "representation": "storage"}}
        return out


def _parse(where: str, path: str) -> tuple[set[str], str | None, str | None, set[str] | None]:
    kinds: set[str] = set()
    space_key = since = None
    ids: set[str] | None = None
    for clause in where.split(" and "):
        match = _CLAUSE.match(clause.strip())
        if match is None:
            raise reject(400, path, f"CQL not understood: {clause!r}")
        if match["type"] or match["types"]:
            names = [match["type"]] if match["type"] else [t.strip() for t in match["types"].split(",")]
            for name in names:
                kinds.update(TYPES[name])
        elif match["space"]:
            space_key = match["space"]
        elif match["minute"]:
            since = match["minute"]
        else:
            ids = {i.strip() for i in match["ids"].split(",")}
    return kinds, space_key, since, ids
