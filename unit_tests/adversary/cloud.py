"""Confluence Cloud REST v2, as its contract allows it to behave (openapi-v2.json).

Lists page with opaque cursors. A cursor is a position in the list's order (the server's keyset):
an object that does not change during a walk is listed exactly once; one that changes moves to its
new place, which the walk may already have passed. Objects of the same modification millisecond
come in the order of their `rank`, which the test draws: not by id, not stable across versions.
Site-wide comment lists show current comments only. A cursor may expire (HTTP 400) at any time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from unit_tests.adversary.site import CONTAINERS, Obj, Site
from unit_tests.adversary.wire import Tokens, int_param, iso_utc, link, reject, storage

V2 = "/wiki/api/v2"
SEARCH = "/wiki/rest/api/content/search"
SEARCH_PAGE = 2
"""The v1 search's page: smaller than asked ("may be restricted by fixed system limits")."""
ID_LIST = re.compile(r"id in \((\d+(?:,\d+)*)\)")
LISTS = {"/pages": ("page",), "/blogposts": ("blogpost",), "/footer-comments": ("footer",),
         "/inline-comments": ("inline",), "/attachments": ("attachment",)}
STATUSES = {"page": ("current", "archived", "trashed", "deleted"), "blogpost": ("current", "trashed", "deleted"),
            "attachment": ("current", "archived", "trashed")}


class CloudFake:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.tokens = Tokens()

    # -- dispatch -----------------------------------------------------------------------------
    def answer(self, method: str, path: str, query: list[tuple[str, str]], body: Any) -> Any:
        if method == "POST" and path == V2 + "/users-bulk":
            ids = list(body.get("accountIds") or [])
            return {"results": [{"accountId": a, "displayName": f"User {a}", "accountType": "atlassian"} for a in ids]}
        if method == "GET" and path == SEARCH:
            return self._search(path, query)
        if not path.startswith(V2) or method != "GET":
            raise reject(404, path, "no such endpoint")
        route = path.removeprefix(V2)
        if route == "/spaces":
            spaces = [{"id": sid, "key": key, "name": key, "type": "global", "status": "current"}
                      for sid, key in sorted(self.site.spaces.items())]
            return {"results": spaces, "_links": {"base": "https://adversary.atlassian.net/wiki"}}
        if route in LISTS:
            return self._list(path, query, [o for o in self.site.live(*LISTS[route])])
        if route == "/tasks":
            return self._tasks(path, query)
        parts = route.strip("/").split("/")
        if len(parts) == 4 and parts[0] in ("footer-comments", "inline-comments") and parts[2] == "versions":
            return self._comment_version(path, parts[1], parts[3])
        if len(parts) == 3 and parts[0] in ("pages", "blogposts") and parts[2] == "inline-comments":
            container = self.site.objects.get(parts[1])
            if container is None:
                raise reject(404, path, "no such content")
            return self._list(path, query, [o for o in self.site.live("inline") if o.container_id == container.id])
        raise reject(404, path, "no such endpoint")

    # -- lists --------------------------------------------------------------------------------
    def _list(self, path: str, query: list[tuple[str, str]], objects: list[Obj]) -> dict[str, Any]:
        params: dict[str, list[str]] = {}
        for key, value in query:
            params.setdefault(key, []).append(value)
        kind = objects[0].kind if objects else None
        statuses = params.get("status") or ["current"]
        if kind in STATUSES and any(s not in STATUSES[kind] for s in statuses):
            raise reject(400, path, "invalid status")
        wanted = [o for o in objects if o.status in statuses]
        if kind in ("footer", "inline"):
            wanted = [o for o in objects if o.status == "current"]
        if "space-id" in params:
            wanted = [o for o in wanted if o.space_id in params["space-id"]]
        if "id" in params:
            wanted = [o for o in wanted if o.id in params["id"]]
        sort = (params.get("sort") or [""])[-1]
        return self._page(path, query, wanted, _order(sort), "body-format" in params)

    def _page(self, path: str, query: list[tuple[str, str]], wanted: list[Any], order: Callable[[Any], Any],
              bodies: bool, render: Callable[[Any, bool], dict[str, Any]] | None = None) -> dict[str, Any]:
        limit = int_param(query, "limit", path, 25, 1, 250)
        cursor = [v for k, v in query if k == "cursor"]
        after = self.tokens.resolve(cursor[-1], path) if cursor else None
        ordered = sorted(wanted, key=order)
        if after is not None:
            ordered = [o for o in ordered if order(o) > after]
        page = ordered[:limit]
        links: dict[str, str] = {"base": "https://adversary.atlassian.net/wiki"}
        if len(ordered) > limit:
            links["next"] = link(path, query, cursor=self.tokens.issue(order(page[-1])))
        render = render or self._render
        return {"results": [render(o, bodies) for o in page], "_links": links}

    def _tasks(self, path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
        params: dict[str, list[str]] = {}
        for key, value in query:
            params.setdefault(key, []).append(value)
        tasks = []
        for container in self.site.containers():
            if "space-id" in params and container.space_id not in params["space-id"]:
                continue
            filter_name = "page-id" if container.kind == "page" else "blogpost-id"
            if ("page-id" in params or "blogpost-id" in params) and container.id not in params.get(filter_name, []):
                continue
            tasks += [(container, local) for local in container.tasks]
        return self._page(path, query, tasks, lambda t: (t[0].rank, int(t[0].task_ids[t[1]])),
                          "body-format" in params, render=self._task)

    def _comment_version(self, path: str, comment_id: str, number: str) -> dict[str, Any]:
        """The model keeps a comment's first and current versions only; others answer 404."""
        comment = self.site.objects.get(comment_id)
        if comment is None or not number.isdigit() or int(number) not in (1, comment.version):
            raise reject(404, path, "no such version")
        at = comment.created_at if int(number) == 1 else comment.at
        return {"number": int(number), "createdAt": iso_utc(at), "authorId": "u1", "message": "", "minorEdit": False}

    def _search(self, path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
        """v1 CQL `id in (...)` with `expand=history`. The index lags: an object changed in the last
        millisecond is missing; hits come in no particular order (by rank, not id nor the order asked)."""
        match = ID_LIST.fullmatch(dict(query).get("cql", ""))
        if match is None:
            raise reject(400, path, "unsupported CQL")
        ids = set(match.group(1).split(","))
        lagging = self.site.clock - 1
        hits = [o for o in self.site.live("footer", "inline") if o.id in ids and o.status == "current"
                and self.site.changed_at.get(o.id, 0) < lagging]
        cursor = [v for k, v in query if k == "cursor"]
        start = int(self.tokens.resolve(cursor[-1], path)) if cursor else 0
        ordered = sorted(hits, key=lambda o: (-o.rank, o.id[::-1]))
        page = ordered[start:start + SEARCH_PAGE]
        links: dict[str, str] = {"base": "https://adversary.atlassian.net/wiki", "context": "/wiki"}
        if start + SEARCH_PAGE < len(ordered):
            links["next"] = link(path.removeprefix("/wiki"), query, cursor=self.tokens.issue(start + SEARCH_PAGE))
        results = [{"id": o.id, "type": "comment", "status": o.status, "title": f"{o.kind} {o.id}",
                    "history": {"latest": True, "createdDate": iso_utc(o.created_at),
                                "createdBy": {"type": "known", "accountId": "u1"}}} for o in page]
        return {"results": results, "start": start, "limit": SEARCH_PAGE, "size": len(results), "_links": links}

    # -- renderings ---------------------------------------------------------------------------
    def _render(self, obj: Obj, bodies: bool) -> dict[str, Any]:
        version = {"createdAt": iso_utc(obj.at), "number": obj.version, "message": "", "minorEdit": False,
                   "authorId": "u1"}
        out: dict[str, Any] = {"id": obj.id, "status": obj.status, "title": f"{obj.kind} {obj.id}", "version": version,
                               "_links": {"webui": f"/x/{obj.id}"}}
        if obj.kind in CONTAINERS:
            out.update(spaceId=obj.space_id, authorId="u1", ownerId="u1", createdAt=iso_utc(obj.created_at))
            if obj.kind == "page":
                out.update(parentId=None, parentType=None, position=0)
        else:
            out["pageId" if obj.container_kind == "page" else "blogPostId"] = obj.container_id
        if obj.kind == "inline":
            out.update(resolutionStatus=obj.resolution,
                       resolutionLastModifiedAt=iso_utc(obj.resolution_at) if obj.resolution_at is not None else None,
                       properties={"inlineMarkerRef": f"m{obj.id}", "inlineOriginalSelection": "text"})
        if obj.kind == "attachment":
            out.update(createdAt=iso_utc(obj.created_at), mediaType="text/plain", fileSize=10, comment="",
                       webuiLink=f"/x/{obj.id}", downloadLink=f"/download/{obj.id}")
        elif bodies:
            out["body"] = {"storage": {"value": storage(self.site, obj), "representation": "storage"}}
        return out

    def _task(self, item: tuple[Obj, str], bodies: bool) -> dict[str, Any]:
        container, local = item
        out: dict[str, Any] = {
            "id": container.task_ids[local], "localId": local, "spaceId": container.space_id,
            "pageId" if container.kind == "page" else "blogPostId": container.id,
            "status": container.tasks[local], "createdBy": "u1", "assignedTo": None, "completedBy": None,
            "createdAt": iso_utc(container.created_at), "updatedAt": iso_utc(container.at)}
        if bodies:
            out["body"] = {"storage": {"value": f"task {local}", "representation": "storage"}}
        return out


def _order(sort: str) -> Callable[[Obj], Any]:
    if sort == "id":
        return lambda o: int(o.id)
    if sort == "modified-date":
        return lambda o: (o.at, o.rank, int(o.id))
    if sort == "-modified-date":
        return lambda o: (-o.at, -o.rank, -int(o.id))
    if sort == "created-date":
        return lambda o: (o.created_at, o.created_rank, int(o.id))
    return lambda o: (o.rank, int(o.id))  # unspecified: the adversary's order
