"""Confluence Cloud reads of who can do what (see `api.AccessApi`).

- Groups and their members come from REST v1 (`/wiki/rest/api/group`, `.../membersByGroupId`), paged
  by `start`/`limit` through `_links.next`; members take at most 200 per request (the API answers
  400 above).
- The audit log is v1 `/wiki/rest/api/audit` with `startDate`/`endDate` in epoch milliseconds.
- Space permissions are v2 `/spaces/{id}/permissions` (principals user, group, role). Where the site
  has space roles (`/space-roles` lists any), `/spaces/{id}/role-assignments` says who holds each
  role; a holder gets the operations the permissions list grants the role itself. Access classes
  `anonymous-users` and `all-licensed-users` become the principals `anonymous` and
  `all_licensed_users`; the other access classes have no principal type in the records and are
  left out (logged once).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

from source_confluence.api.protocol import ListPage, items
from source_confluence.http.transport import ConfluenceHttpError
from source_confluence.records.values import mapping_of, optional_str

LOGGER = logging.getLogger("airbyte")
V1 = "/wiki/rest/api"
MAX_MEMBERS_LIMIT = 200
ACCESS_CLASSES = {"anonymous-users": "anonymous", "all-licensed-users": "all_licensed_users"}


def v1_link(path: str, params: Mapping[str, Any]) -> str:
    query = [(key, str(value)) for key, value in params.items() if value is not None]
    return f"{V1}{path}?{urlencode(query)}"


def on_wiki(link: str) -> str:
    """v1 `_links.next` is relative to the `/wiki` base."""
    return link if link.startswith("/wiki/") else "/wiki" + link


class CloudAccess:
    def __init__(self, transport: Any, page_size: int, list_from: Callable[[str], Iterator[ListPage]],
                 first: Callable[..., str]) -> None:
        self._transport = transport
        self._page_size = page_size
        self._list_from = list_from
        self._first = first
        self._lock = threading.Lock()
        self._roles: dict[str, str] | None = None
        self._warned_classes: set[str] = set()

    def _v1_items(self, link: str) -> Iterator[Mapping[str, Any]]:
        next_link: str | None = link
        while next_link:
            body, response = self._transport.get_list(next_link)
            if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
                raise ValueError(f"unexpected list response shape from {response.request.path_url}")
            yield from body["results"]
            next_link = following(next_link, body)

    def groups(self) -> Iterator[Mapping[str, Any]]:
        for group in self._v1_items(v1_link("/group", {"limit": self._page_size, "start": 0})):
            yield {"id": optional_str(group.get("id")), "name": optional_str(group.get("name")),
                   "type": optional_str(group.get("type")), "managedBy": optional_str(group.get("managedBy"))}

    def group_members(self, group: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        path = f"/group/{quote(str(group['id']), safe='')}/membersByGroupId"
        limit = min(self._page_size, MAX_MEMBERS_LIMIT)
        for user in self._v1_items(v1_link(path, {"limit": limit, "start": 0})):
            yield {"accountId": optional_str(user.get("accountId")), "username": None,
                   "displayName": optional_str(user.get("displayName")) or optional_str(user.get("publicName")),
                   "accountType": optional_str(user.get("accountType"))}

    def audit_records(self, start_ms: int | None, end_ms: int) -> Iterator[Mapping[str, Any]]:
        return self._v1_items(v1_link("/audit", {"startDate": start_ms, "endDate": end_ms,
                                                 "limit": self._page_size, "start": 0}))

    # -- space permissions ---------------------------------------------------------------------
    def roles(self) -> dict[str, str]:
        """Role id -> name, once per sync; empty where the site has no roles the account can see."""
        with self._lock:
            if self._roles is None:
                try:
                    self._roles = {str(role["id"]): str(role.get("displayName") or "")
                                   for role in items(self._list_from(self._first("/space-roles")))}
                except ConfluenceHttpError as error:
                    if error.status not in (401, 403, 404):
                        raise
                    LOGGER.warning(f"Stream 'space_permissions': the site lists no space roles to this account "
                                   f"(HTTP {error.status} on /space-roles; OAuth and scoped tokens need the scope "
                                   "read:space.permission:confluence); role assignments are not read.")
                    self._roles = {}
            return self._roles

    def space_grants(self, space: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        space_id = str(space["id"])
        roles = self.roles()
        by_role: dict[str, list[tuple[str | None, str | None]]] = {}
        for assignment in items(self._list_from(self._first(f"/spaces/{space_id}/permissions"))):
            principal, operation = mapping_of(assignment.get("principal")), mapping_of(assignment.get("operation"))
            kind, principal_id = optional_str(principal.get("type")), optional_str(principal.get("id"))
            key, target = optional_str(operation.get("key")), optional_str(operation.get("targetType"))
            is_role = kind == "role"
            if is_role and principal_id is not None:
                by_role.setdefault(principal_id, []).append((key, target))
            yield grant(kind, principal_id, key, target, "permission",
                        principal_id if is_role else None, roles.get(principal_id or "") if is_role else None)
        if not roles:
            return
        for assignment in items(self._list_from(self._first(f"/spaces/{space_id}/role-assignments"))):
            holder = mapping_of(assignment.get("principal"))
            role_id = optional_str(assignment.get("roleId"))
            kind, principal_id = self._holder(holder)
            if kind is None or role_id is None:
                continue
            for key, target in by_role.get(role_id, ()):
                yield grant(kind, principal_id, key, target, "role_assignment", role_id, roles.get(role_id))

    def _holder(self, principal: Mapping[str, Any]) -> tuple[str | None, str | None]:
        kind = (optional_str(principal.get("principalType")) or "").upper()
        principal_id = optional_str(principal.get("principalId"))
        if kind in ("USER", "GROUP"):
            return kind.lower(), principal_id
        if kind == "ACCESS_CLASS" and principal_id in ACCESS_CLASSES:
            return ACCESS_CLASSES[principal_id], None
        with self._lock:
            first = f"{kind}:{principal_id}" not in self._warned_classes
            self._warned_classes.add(f"{kind}:{principal_id}")
        if first:
            LOGGER.warning(f"Stream 'space_permissions': role assignments to {kind.lower()} '{principal_id}' "
                           "are left out (the records have no principal type for it).")
        return None, None


def grant(kind: str | None, principal_id: str | None, key: str | None, target: str | None, through: str,
          role_id: str | None, role_name: str | None) -> dict[str, Any]:
    return {"principalType": kind, "principalId": principal_id, "operation": key, "targetType": target,
            "grantedThrough": through, "roleId": role_id, "roleName": role_name}


def following(link: str, body: Mapping[str, Any]) -> str | None:
    """The next page of a v1 list: its `_links.next`, or, since the contract does not promise that
    link, the next offset while pages come full (as many results as the limit the server applied)."""
    results = body["results"]
    given = (body.get("_links") or {}).get("next")
    if not results:
        return None
    if isinstance(given, str) and given:
        return on_wiki(given)
    limit = body.get("limit")
    if type(limit) is not int or limit < 1 or len(results) < limit:
        return None
    parts = urlsplit(link)
    query = parse_qs(parts.query)
    start = int((query.get("start") or ["0"])[0]) + len(results)
    return urlunsplit(parts._replace(query=urlencode({**query, "start": [str(start)]}, doseq=True)))
