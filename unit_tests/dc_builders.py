"""Request and response builders for Data Center unit tests (REST v1 shapes, openapi-v1.json)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from airbyte_cdk.test.mock_http import HttpRequest, HttpResponse

SERVER = "https://wiki.example.com"
BASE = SERVER + "/confluence"
API = BASE + "/rest/api"
PAT = "dc-unit-token-Q7"
CONTENT_EXPAND = "space,history,version,ancestors"
BODY_EXPAND = CONTENT_EXPAND + ",body.storage"

CONFIG: dict[str, Any] = {
    "site_url": BASE,
    "credentials": {"auth_type": "personal_access_token", "personal_access_token": PAT,
                    "server_time_zone": "Europe/Berlin"},
    "num_workers": 2,
}


def config(**overrides: Any) -> dict[str, Any]:
    credentials = {**CONFIG["credentials"], **overrides.pop("credentials", {})}
    credentials = {key: value for key, value in credentials.items() if value is not None}  # None: leave it out
    return {**CONFIG, "credentials": credentials, **overrides}


def request(path: str, params: list[tuple[str, Any]] | None = None) -> HttpRequest:
    query = urlencode([(k, str(v)) for k, v in params or []], quote_via=quote, safe=",")
    return HttpRequest(f"{API}{path}" + (f"?{query}" if query else ""))


def search_request(cql: str, expand: str, limit: int, start: int = 0) -> HttpRequest:
    return request("/content/search", [("cql", cql), ("expand", expand), ("limit", limit), ("start", start)])


def spaces_request(keys: tuple[str, ...] = (), limit: int = 250) -> HttpRequest:
    return request("/space", [*[("spaceKey", k) for k in keys], ("expand", "description.plain,homepage,metadata.labels"),
                              ("limit", limit)])


def json_response(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status, {"Content-Type": "application/json"})


def results(items: list[dict[str, Any]], next_link: str | None = None, limit: int = 50, start: int = 0) -> HttpResponse:
    links = {"base": BASE, "context": "/confluence"}
    if next_link:
        links["next"] = next_link
    return json_response({"results": items, "start": start, "limit": limit, "size": len(items), "_links": links})


def user(key: str = "8a7f0001", username: str = "ann", name: str = "Ann Analyst") -> dict[str, Any]:
    return {"type": "known", "username": username, "userKey": key, "displayName": name,
            "profilePicture": {"path": "/images/default.svg", "width": 48, "height": 48, "isDefault": True}}


def space(space_id: int = 98305, key: str = "ENG", labels: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": space_id, "key": key, "name": f"{key} space", "type": "global", "status": "current",
            "description": {"plain": {"value": "Engineering docs", "representation": "plain", "embeddedContent": []}},
            "homepage": {"id": "1001", "type": "page", "status": "current", "title": "Home"},
            "metadata": {"labels": {"results": labels or [], "size": len(labels or [])}},
            "_links": {"webui": f"/display/{key}"}, "_expandable": {}}


def page(page_id: str, when: str, body: str | None = "<p>Hello</p>", parent: str | None = "1001",
         kind: str = "page", author: dict[str, Any] | None = None, editor: dict[str, Any] | None = None,
         labels: list[dict[str, Any]] | None = None, number: int = 2) -> dict[str, Any]:
    """A page or blog post; `when` is the server's local time with its offset."""
    out: dict[str, Any] = {
        "id": page_id, "type": kind, "status": "current", "title": f"Page {page_id}",
        "space": {"id": 98305, "key": "ENG", "name": "ENG space", "type": "global", "status": "current"},
        "history": {"latest": True, "createdBy": author or user(), "createdDate": "2023-02-01T10:00:00.000+01:00"},
        "version": {"by": editor or user("8a7f0002", "bob", "Bob Builder"), "when": when, "message": "edit",
                    "number": number, "minorEdit": False},
        "ancestors": [{"id": "1000", "type": "page"}, {"id": parent, "type": "page"}] if parent and kind == "page" else [],
        "extensions": {"position": 3} if kind == "page" else {},
        "_links": {"webui": f"/display/ENG/Page+{page_id}", "tinyui": "/x/AbC"},
    }
    if body is not None:
        out["body"] = {"storage": {"value": body, "representation": "storage"}}
    if labels is not None:
        out["metadata"] = {"labels": {"results": labels, "size": len(labels)}}
    return out


def label(label_id: str, name: str, prefix: str = "global") -> dict[str, Any]:
    return {"id": label_id, "name": name, "prefix": prefix, "label": name}
