"""Request and response builders for unit tests with the CDK's HttpMocker.

Responses follow the Confluence Cloud v2 shapes (see ../shared/confluence-api/openapi-v2.json).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from airbyte_cdk.test.mock_http import HttpRequest, HttpResponse

SITE = "https://example.atlassian.net"
EMAIL = "analyst@example.com"
API_TOKEN = "unit-test-token-Zx81"

CONFIG: dict[str, Any] = {
    "site_url": SITE,
    "credentials": {"auth_type": "api_token", "email": EMAIL, "api_token": API_TOKEN},
    "num_workers": 2,
}


def config(**overrides: Any) -> dict[str, Any]:
    return {**CONFIG, **overrides}


def v2_request(path: str, **params: Any) -> HttpRequest:
    query = {key.replace("_", "-"): value for key, value in params.items()}
    return HttpRequest(f"{SITE}/wiki/api/v2{path}" + (f"?{urlencode(query)}" if query else ""))


# What each v2 list accepts: blog posts cannot be archived.
STATUSES = {"pages": ("current", "archived", "trashed", "deleted"), "blogposts": ("current", "trashed", "deleted")}


def content_list_request(kind: str, space_id: str, descending: bool, cursor: str | None = None,
                         limit: int = 250) -> HttpRequest:
    params = [
        ("space-id", space_id),
        ("sort", "-modified-date" if descending else "modified-date"),
        *[("status", status) for status in STATUSES[kind]],
        ("body-format", "storage"),
        ("limit", str(limit)),
    ]
    if cursor:
        params.append(("cursor", cursor))
    return HttpRequest(f"{SITE}/wiki/api/v2/{kind}?{urlencode(params)}")


def spaces_request(keys: list[str] | None = None, limit: int = 250) -> HttpRequest:
    params = [("keys", key) for key in keys or []] + [("description-format", "plain"), ("limit", str(limit))]
    return HttpRequest(f"{SITE}/wiki/api/v2/spaces?{urlencode(params)}")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(json.dumps(body), status, {"Content-Type": "application/json", **(headers or {})})


def list_response(results: list[dict[str, Any]], next_link: str | None = None) -> HttpResponse:
    links: dict[str, Any] = {"base": f"{SITE}/wiki"}
    if next_link:
        links["next"] = next_link
    return json_response({"results": results, "_links": links})


def next_link(kind: str, space_id: str, descending: bool, cursor: str, limit: int = 250) -> str:
    request = content_list_request(kind, space_id, descending, cursor, limit)
    return request._parsed_url.path + "?" + request._parsed_url.query


def space(space_id: str = "100", key: str = "ENG") -> dict[str, Any]:
    return {
        "id": space_id, "key": key, "name": f"{key} space", "type": "global", "status": "current",
        "authorId": "acc-1", "createdAt": "2023-01-02T03:04:05.000Z", "homepageId": "1",
        "description": {"plain": {"value": "Engineering docs", "representation": "plain"}},
        "_links": {"webui": f"/spaces/{key}"},
    }


def page(page_id: str, updated_at: str, space_id: str = "100", status: str = "current",
         version: int = 2, body: str = "<p>Hello <strong>world</strong></p>") -> dict[str, Any]:
    return {
        "id": page_id, "status": status, "title": f"Page {page_id}", "spaceId": space_id,
        "parentId": "1", "parentType": "page", "position": 3, "authorId": "acc-1", "ownerId": "acc-2",
        "createdAt": "2023-02-01T00:00:00.000Z",
        "version": {"createdAt": updated_at, "message": "edit", "number": version, "minorEdit": False,
                    "authorId": "acc-3"},
        "body": {"storage": {"value": body, "representation": "storage"}},
        "_links": {"webui": f"/spaces/ENG/pages/{page_id}/Page"},
    }


def current_user(anonymous: bool = False) -> dict[str, Any]:
    if anonymous:
        return {"type": "anonymous", "displayName": "Anonymous"}
    return {"type": "known", "accountId": "acc-1", "accountType": "atlassian", "email": EMAIL,
            "publicName": "Analyst", "displayName": "Ann Analyst"}


CURRENT_USER_URL = f"{SITE}/wiki/rest/api/user/current"


def comment_list_request(kind: str, descending: bool = False) -> HttpRequest:
    """A site-wide comment list (`footer-comments` or `inline-comments`) sorted by modification time."""
    params = [("body-format", "storage"), ("sort", "-modified-date" if descending else "modified-date"), ("limit", "250")]
    return HttpRequest(f"{SITE}/wiki/api/v2/{kind}?{urlencode(params)}")


def comment(comment_id: str, updated_at: str, version: int, page_id: str = "10", author: str = "acc-4",
            **extra: Any) -> dict[str, Any]:
    """A v2 footer or inline comment: no createdAt (the v2 comment shapes have none)."""
    return {
        "id": comment_id, "status": "current", "title": "Re: Page 10", "pageId": page_id,
        "version": {"createdAt": updated_at, "message": "", "number": version, "minorEdit": False, "authorId": author},
        "body": {"storage": {"value": "<p>Looks good</p>", "representation": "storage"}},
        "_links": {"webui": f"/spaces/ENG/pages/{page_id}?focusedCommentId={comment_id}"},
        **extra,
    }


def comment_version(number: int, created_at: str, author: str = "acc-4") -> dict[str, Any]:
    """A v2 DetailedVersion."""
    return {"number": number, "authorId": author, "message": "", "createdAt": created_at, "minorEdit": False,
            "contentTypeModified": False, "collaborators": [author]}


def containers_request(kind: str, ids: list[str]) -> HttpRequest:
    params = [("id", i) for i in ids] + [("status", s) for s in STATUSES[kind]] + [("limit", "250")]
    return HttpRequest(f"{SITE}/wiki/api/v2/{kind}?{urlencode(params)}")


def label_search_request(ids: list[str]) -> HttpRequest:
    query = urlencode([("cql", f"id in ({','.join(ids)})"), ("expand", "metadata.labels,version"), ("limit", "100")],
                      quote_via=quote, safe=",")
    return HttpRequest(f"{SITE}/wiki/rest/api/content/search?{query}")


def labelled_hit(content_id: str, labels: list[dict], version: int = 2, *, cut: bool = False) -> dict[str, Any]:
    """A v1 Content with its labels embedded as a LabelArray (`cut`: a first page of 2, more behind)."""
    shown = labels[:2] if cut else labels
    embedded = {"results": [{**label, "label": label["name"]} for label in shown], "start": 0,
                "limit": 2 if cut else 200, "size": len(shown),
                "_links": {"next": f"/rest/api/content/{content_id}/label?start=2&limit=2"} if cut else {}}
    return {"id": content_id, "type": "page", "status": "current", "title": f"Page {content_id}",
            "version": {"number": version, "when": "2024-03-01T00:00:00.000Z", "minorEdit": False},
            "metadata": {"labels": embedded}, "_links": {}}


def label_search_response(hits: list[dict]) -> Any:
    return json_response({"results": hits, "start": 0, "limit": 100, "size": len(hits),
                          "_links": {"base": f"{SITE}/wiki", "context": "/wiki"}})
