"""Confluence Data Center reads of who can do what (see `api.AccessApi`), translated to the Cloud shapes.

- Groups have no id on Data Center: the name is the id. Members come from `/group/{name}/member`
  (200 per request at most), with the user key as the account id.
- The audit log is `/audit` with `startDate`/`endDate` in epoch milliseconds, as on Cloud.
- Space permissions come with the space (`/space/{key}?expand=permissions`, one request per space):
  users (by user key), groups (by name) and anonymous access. Data Center has no roles and no "all
  licensed users" principal (that is a group there, e.g. confluence-users).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from source_confluence.api.datacenter.v1_shapes import user_key
from source_confluence.api.protocol import ListPage, items
from source_confluence.records.values import mapping_of, optional_str

MAX_MEMBERS_LIMIT = 200


def _results(subjects: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    found = mapping_of(subjects.get(kind)).get("results")
    return [mapping_of(item) for item in found] if isinstance(found, list) else []


class DataCenterAccess:
    def __init__(self, transport: Any, api: str, page_size: int,
                 follow: Callable[[str, Callable[[Mapping[str, Any]], Any]], Iterator[ListPage]]) -> None:
        self._transport = transport
        self._api = api
        self._page_size = page_size
        self._follow = follow

    def _link(self, path: str, params: Mapping[str, Any]) -> str:
        query = [(key, str(value)) for key, value in params.items() if value is not None]
        return f"{self._api}{path}?{urlencode(query)}"

    def _items(self, path: str, **params: Any) -> Iterator[Mapping[str, Any]]:
        return items(self._follow(self._link(path, params), dict))

    def groups(self) -> Iterator[Mapping[str, Any]]:
        for group in self._items("/group", limit=self._page_size, start=0):
            name = optional_str(group.get("name"))
            yield {"id": name, "name": name, "type": "group", "managedBy": None}

    def group_members(self, group: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        path = f"/group/{quote(str(group['name']), safe='')}/member"
        for user in self._items(path, limit=min(self._page_size, MAX_MEMBERS_LIMIT), start=0):
            yield {"accountId": user_key(user), "username": optional_str(user.get("username")),
                   "displayName": optional_str(user.get("displayName")), "accountType": None}

    def audit_records(self, start_ms: int | None, end_ms: int) -> Iterator[Mapping[str, Any]]:
        return self._items("/audit", startDate=start_ms, endDate=end_ms, limit=self._page_size, start=0)

    def space_grants(self, space: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        body, _ = self._transport.get(f"{self._api}/space/{quote(str(space['key']), safe='')}?expand=permissions")
        permissions = mapping_of(body).get("permissions")
        for permission in permissions if isinstance(permissions, list) else []:
            permission = mapping_of(permission)
            operation = mapping_of(permission.get("operation"))
            key, target = optional_str(operation.get("operation")), optional_str(operation.get("targetType"))
            subjects = mapping_of(permission.get("subjects"))
            for user in _results(subjects, "user"):
                yield _grant("user", user_key(user), key, target)
            for group in _results(subjects, "group"):
                yield _grant("group", optional_str(group.get("name")), key, target)
            if permission.get("anonymousAccess") is True:
                yield _grant("anonymous", None, key, target)


def _grant(kind: str, principal_id: str | None, key: str | None, target: str | None) -> dict[str, Any]:
    return {"principalType": kind, "principalId": principal_id, "operation": key, "targetType": target,
            "grantedThrough": "permission", "roleId": None, "roleName": None}
