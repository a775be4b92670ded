"""Page and blog post restrictions, read in bulk (Cloud and Data Center speak the same v1 shapes).

Restrictions change no version, so they are read by content id: a CQL search `id in (...)` with the
restrictions expanded returns up to `limit` contents per request, each with its read and update
restrictions (users and groups). An expanded principal list that came back full may have been cut
at its `limit`: that content's restrictions are then read alone, page by page, from
`/content/{id}/restriction` (rare: more principals on one operation than a page holds).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import requests

OPERATIONS = ("read", "update")
EXPAND = tuple(f"restrictions.{op}.restrictions.{who}" for op in OPERATIONS for who in ("user", "group"))
PER_CONTENT_EXPAND = tuple(f"{op}.restrictions.{who}" for op in OPERATIONS for who in ("user", "group"))
V1 = "/rest/api"

GetList = Callable[[str], tuple[Any, requests.Response]]
"""A transport's `get_list`: a path with query on the API host -> (JSON body, response)."""


@dataclass(frozen=True, order=True)
class Restriction:
    """One principal allowed one operation on one content."""

    operation: str
    principal_type: str
    principal_id: str
    principal_name: str | None


@dataclass(frozen=True)
class Restricted:
    """A content found by the search: its type (page | blogpost) and its restrictions (empty: none)."""

    content_type: str
    restrictions: frozenset[Restriction]


class RestrictionReader:
    """`api`: the v1 API's path prefix (`/wiki/rest/api` on Cloud, `<context>/rest/api` on Data Center);
    `cloud`: principals are Cloud account and group ids (else Data Center user keys and group names)."""

    def __init__(self, get_list: GetList, api: str, limit: int, cloud: bool) -> None:
        self._get = get_list
        self._api = api
        self._context = api.removesuffix(V1)
        self._limit = max(1, limit)
        self._cloud = cloud

    @property
    def batch(self) -> int:
        """Content ids per search request."""
        return self._limit

    def read(self, content_ids: Sequence[str]) -> dict[str, Restricted]:
        """The restrictions of these contents, by id; an id the search does not return (purged, in the
        trash, or not visible to the account) is absent. One request per `batch` ids."""
        found: dict[str, Restricted] = {}
        ids = list(dict.fromkeys(content_ids))
        for start in range(0, len(ids), self._limit):
            chunk = ids[start:start + self._limit]
            cql = f"id in ({','.join(chunk)})"
            link: str | None = self._link("/content/search", [("cql", cql), ("expand", ",".join(EXPAND)),
                                                              ("limit", self._limit)])
            while link:
                body, _ = self._get(link)
                for content in _results(body):
                    content_id = str(content.get("id"))
                    if content_id not in chunk:
                        continue
                    expanded = content.get("restrictions") or {}
                    rows = self._expanded(expanded)
                    if any(_cut(expanded.get(op) or {}, self._limit) for op in OPERATIONS):
                        rows = self._one(content_id)
                    found[content_id] = Restricted(str(content.get("type") or ""), rows)
                link = self._next(body)
        return found

    def _one(self, content_id: str) -> frozenset[Restriction]:
        """Every restriction of one content, from its own endpoint, page by page."""
        rows: set[Restriction] = set()
        start = 0
        while True:
            # `expand` repeated: the contract gives this endpoint's expansions as an enum of single values.
            link = self._link(f"/content/{content_id}/restriction",
                              [*(("expand", e) for e in PER_CONTENT_EXPAND), ("start", start), ("limit", self._limit)])
            body, _ = self._get(link)
            operations = {str(item.get("operation")): item for item in _results(body)}
            rows |= self._expanded(operations)
            if not any(_cut(operations.get(op) or {}, self._limit) for op in OPERATIONS):
                return frozenset(rows)
            start += self._limit

    def _expanded(self, by_operation: Mapping[str, Any]) -> frozenset[Restriction]:
        rows: set[Restriction] = set()
        for operation in OPERATIONS:
            principals = (by_operation.get(operation) or {}).get("restrictions") or {}
            for user in (principals.get("user") or {}).get("results") or []:
                account = user.get("accountId") if self._cloud else user.get("userKey")
                if account:
                    rows.add(Restriction(operation, "user", str(account), user.get("displayName")))
            for group in (principals.get("group") or {}).get("results") or []:
                group_id = group.get("id") if self._cloud else group.get("name")
                if group_id:
                    rows.add(Restriction(operation, "group", str(group_id), group.get("name")))
        return frozenset(rows)

    def _link(self, path: str, params: Sequence[tuple[str, Any]]) -> str:
        return f"{self._api}{path}?{urlencode([(k, str(v)) for k, v in params], quote_via=quote, safe=',')}"

    def _next(self, body: Any) -> str | None:
        link = ((body.get("_links") or {}) if isinstance(body, Mapping) else {}).get("next")
        if not isinstance(link, str) or not link:
            return None
        # v1 `_links.next` is relative to the base URL, which holds the context (`/wiki` on Cloud).
        return self._context + link if link.startswith(V1 + "/") and self._context else link


def _results(body: Any) -> Iterator[Mapping[str, Any]]:
    if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
        raise ValueError("unexpected response shape from the restrictions search")
    yield from (item for item in body["results"] if isinstance(item, Mapping))


def _cut(restriction: Mapping[str, Any], limit: int) -> bool:
    """Whether an operation's principal lists may have been cut at the page size."""
    principals = restriction.get("restrictions") or {}
    for who in ("user", "group"):
        listed = principals.get(who) or {}
        size = len(listed.get("results") or [])
        cap = int(listed.get("limit") or limit)
        if (listed.get("_links") or {}).get("next") or 0 < cap <= size:
            return True
    return False
