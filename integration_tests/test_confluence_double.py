"""Tests of the local Confluence double: contract conformance, pagination, determinism,
mutations, auth, faults and the latency knob, all over real HTTP."""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from confluence_double import ConfluenceDouble, SiteSpec
from integration_tests import openapi_contract as contract

pytestmark = pytest.mark.integration

V2 = contract.V2
PROJECT_ROOT = Path(__file__).resolve().parent.parent

READ_SPEC = SiteSpec(
    spaces=4,
    pages=300,
    blog_posts=40,
    footer_comments=200,
    inline_comments=80,
    tasks=120,
    attachments=60,
    labels=30,
    users=20,
    seed=11,
    body_bytes=900,
)
SMALL_SPEC = SiteSpec(
    spaces=2,
    pages=40,
    blog_posts=8,
    footer_comments=30,
    inline_comments=12,
    tasks=20,
    attachments=10,
    labels=8,
    users=6,
    seed=3,
    body_bytes=400,
)
AT = datetime(2026, 9, 1, 12, 0, 0, tzinfo=UTC)


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


# ---- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def double():
    with ConfluenceDouble(READ_SPEC) as d:
        yield d


@pytest.fixture()
def small():
    with ConfluenceDouble(SMALL_SPEC) as d:
        yield d


def _session(d: ConfluenceDouble) -> requests.Session:
    s = requests.Session()
    s.auth = (d.email, d.api_token)
    return s


@pytest.fixture(scope="module")
def http(double):
    with _session(double) as s:
        yield s


@pytest.fixture(scope="module")
def openapi_v2(double) -> OpenAPI:
    return contract.openapi_v2(double.url)


@pytest.fixture(scope="module")
def openapi_v1(double) -> OpenAPI:
    return contract.openapi_v1_user_current(double.url)


def _validate(openapi: OpenAPI, response: requests.Response) -> None:
    request = RequestsOpenAPIRequest(response.request)
    openapi.validate_request(request)
    openapi.validate_response(request, RequestsOpenAPIResponse(response))


def _walk(session: requests.Session, base: str, path: str, params=None, openapi: OpenAPI | None = None):
    """Follows _links.next to the end; returns (all results, responses)."""
    response = session.get(base + path, params=params)
    results: list[dict] = []
    responses = []
    while True:
        assert response.status_code == 200, response.text[:500]
        if openapi is not None:
            _validate(openapi, response)
        doc = response.json()
        results.extend(doc["results"])
        responses.append(response)
        next_link = doc["_links"].get("next")
        if not next_link:
            assert "Link" not in response.headers
            return results, responses
        assert next_link.startswith(V2 + "/")
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(response.url))
        response = session.get(origin + next_link)


def _by_status(site_objects, statuses=("current",)):
    return {o.id for o in site_objects if o.status in statuses}


# ---- contract conformance ----------------------------------------------------------------------
def test_every_endpoint_conforms_to_the_openapi_documents(double, http, openapi_v2, openapi_v1):
    site = double.site
    comments = list(site.comments.values())
    replied = {c.parent_comment_id for c in comments if c.parent_comment_id is not None}

    def root(kind: str, container_type: str, with_replies: bool = False):
        return next(
            c
            for c in comments
            if c.comment_type == kind
            and c.container_type == container_type
            and c.parent_comment_id is None
            and (not with_replies or c.id in replied)
        )

    page = site.pages[root("footer", "page").container_id]
    page_with_inline = site.pages[root("inline", "page").container_id]
    blog = site.blog_posts[root("footer", "blogpost").container_id]
    blog_with_inline = site.blog_posts[root("inline", "blogpost").container_id]
    footer_parent = root("footer", "page", with_replies=True)
    inline_root = root("inline", "page", with_replies=True)
    label = max(site.labels.values(), key=lambda lb: len(site.content_by_label[lb.id]))
    labelled_page = next(p for p in site.pages.values() if site.labels_by_content.get(p.id))
    labelled_blog = next(b for b in site.blog_posts.values() if site.labels_by_content.get(b.id))
    labelled_att = next(a for a in site.attachments.values() if site.labels_by_content.get(a.id))
    page_att = next(a for a in site.attachments.values() if a.container_type == "page")
    blog_att = next(a for a in site.attachments.values() if a.container_type == "blogpost")
    labelled_space = next(s for s in site.spaces.values() if site.labels_by_content.get(s.id))
    space = next(iter(site.spaces.values()))
    task = next(iter(site.tasks.values()))

    lists = [
        ("/spaces", {"description-format": "plain", "include-icon": "true", "limit": 2}),
        ("/spaces", {"description-format": "view", "sort": "-key"}),
        ("/pages", {"body-format": "storage", "limit": 120}),
        (
            "/pages",
            {
                "body-format": "atlas_doc_format",
                "sort": "-modified-date",
                "limit": 250,
                "status": ["current", "archived", "trashed", "deleted"],
            },
        ),
        (f"/spaces/{space.id}/pages", {"depth": "root"}),
        (f"/spaces/{space.id}/pages", {"sort": "title", "limit": 100}),
        ("/blogposts", {"body-format": "storage", "limit": 25}),
        (f"/spaces/{space.id}/blogposts", {"sort": "-created-date"}),
        ("/footer-comments", {"body-format": "storage", "limit": 100}),
        ("/inline-comments", {"body-format": "atlas_doc_format", "sort": "-modified-date", "limit": 50}),
        (f"/pages/{page.id}/footer-comments", {"body-format": "storage"}),
        (
            f"/pages/{page_with_inline.id}/inline-comments",
            {"resolution-status": ["open", "resolved", "reopened"]},
        ),
        (f"/blogposts/{blog.id}/footer-comments", {"sort": "created-date"}),
        (f"/blogposts/{blog_with_inline.id}/inline-comments", {"body-format": "storage"}),
        (f"/footer-comments/{footer_parent.id}/children", {"body-format": "storage"}),
        (f"/inline-comments/{inline_root.id}/children", {}),
        ("/tasks", {"body-format": "storage", "limit": 60}),
        ("/tasks", {"status": "complete", "space-id": task.space_id, "include-blank-tasks": "false"}),
        ("/labels", {"prefix": "global", "sort": "name"}),
        (f"/labels/{label.id}/pages", {"body-format": "storage", "sort": "-modified-date"}),
        (f"/labels/{label.id}/blogposts", {}),
        (f"/labels/{label.id}/attachments", {}),
        (f"/pages/{labelled_page.id}/labels", {}),
        (f"/blogposts/{labelled_blog.id}/labels", {}),
        (f"/attachments/{labelled_att.id.removeprefix('att')}/labels", {}),
        (f"/spaces/{labelled_space.id}/labels", {}),
        ("/attachments", {"sort": "-modified-date", "limit": 25}),
        (f"/pages/{page_att.container_id}/attachments", {}),
        (f"/blogposts/{blog_att.container_id}/attachments", {}),
    ]
    for path, params in lists:
        results, _ = _walk(http, double.url + V2, path, params, openapi_v2)
        assert results, f"{path} {params} returned nothing, so no record was checked"
    for path in ("/spaces", "/pages", "/blogposts", "/labels", "/attachments", "/tasks"):
        _walk(http, double.url + V2, path, {"limit": 250}, openapi_v2)

    singles = [
        (f"/spaces/{space.id}", {"description-format": "plain", "include-labels": "true"}),
        (f"/pages/{page.id}", {"body-format": "storage", "include-labels": "true"}),
        (f"/pages/{page.id}", {"body-format": "atlas_doc_format"}),
        (f"/pages/{space.homepage_id}", {}),
        (f"/blogposts/{blog.id}", {"body-format": "atlas_doc_format"}),
        (f"/attachments/{page_att.id}", {}),
    ]
    for path, params in singles:
        response = http.get(double.url + V2 + path, params=params)
        assert response.status_code == 200, (path, response.text[:300])
        _validate(openapi_v2, response)
        assert response.json()["_links"]["base"] == double.url + "/wiki"

    ids = [u for u in list(site.users)[:5]] + ["000000000000000000000000"]
    response = http.post(double.url + V2 + "/users-bulk", json={"accountIds": ids})
    assert response.status_code == 200
    _validate(openapi_v2, response)
    assert [u["accountId"] for u in response.json()["results"]] == ids[:5]

    response = http.get(double.url + "/wiki/rest/api/user/current")
    assert response.status_code == 200
    _validate(openapi_v1, response)
    me = response.json()
    assert me["type"] == "known"
    assert me["email"] == double.email
    assert me["accountId"] == site.current_user_id


# ---- pagination --------------------------------------------------------------------------------
def _expected_order(objs, sort: str) -> list[str]:
    desc = sort.startswith("-")
    field = sort.lstrip("-")
    key = {
        "id": lambda o: o.num,
        "created-date": lambda o: o.created_at,
        "modified-date": lambda o: o.version.created_at,
        "title": lambda o: o.title,
        "name": lambda o: o.name,
        "key": lambda o: o.key,
    }[field]
    ordered = sorted(objs, key=lambda o: (key(o), o.num), reverse=desc)
    return [o.id for o in ordered]


@pytest.mark.parametrize(
    "sort",
    ["id", "-id", "created-date", "-created-date", "modified-date", "-modified-date", "title", "-title"],
)
def test_pages_walk_returns_every_page_once_in_sort_order(double, http, sort):
    statuses = ["current", "archived", "trashed"]
    results, responses = _walk(http, double.url + V2, "/pages", {"sort": sort, "limit": 37, "status": statuses})
    ids = [r["id"] for r in results]
    expected = _expected_order([p for p in double.site.pages.values() if p.status in statuses], sort)
    assert len(ids) == len(set(ids))
    assert ids == expected
    assert len(responses) == -(-len(expected) // 37)


@pytest.mark.parametrize(
    ("path", "collection", "sorts", "statuses"),
    [
        ("/blogposts", "blog_posts", ["id", "-created-date", "modified-date", "-title"], ("current",)),
        ("/footer-comments", "footer", ["created-date", "-modified-date"], ("current",)),
        ("/inline-comments", "inline", ["-created-date", "modified-date"], ("current",)),
        ("/attachments", "attachments", ["created-date", "-modified-date"], ("current", "archived")),
        ("/labels", "labels", ["name", "-id", "-created-date"], None),
        ("/spaces", "spaces", ["key", "-name", "-id"], None),
    ],
)
def test_other_lists_walk_every_object_once_in_sort_order(double, http, path, collection, sorts, statuses):
    site = double.site
    if collection in ("footer", "inline"):
        objs = [c for c in site.comments.values() if c.comment_type == collection]
    else:
        objs = list(getattr(site, collection).values())
    if statuses is not None:
        objs = [o for o in objs if o.status in statuses]
    for sort in sorts:
        results, _ = _walk(http, double.url + V2, path, {"sort": sort, "limit": 9})
        assert [r["id"] for r in results] == _expected_order(objs, sort), sort


def test_content_list_filters(double, http):
    site = double.site
    base = double.url + V2
    pages = list(site.pages.values())
    chosen = [pages[3].id, pages[50].id, pages[120].id]
    by_comma = _all_ids(http, double, "/pages", id=",".join(chosen), status=ALL_PAGE_STATUSES)
    repeated = _all_ids(http, double, "/pages", id=chosen, status=ALL_PAGE_STATUSES)
    assert by_comma == repeated == sorted(chosen, key=int)
    space = list(site.spaces.values())[1]
    in_space = {p.id for p in pages if p.space_id == space.id and p.status in ("current", "archived")}
    assert set(_all_ids(http, double, "/pages", **{"space-id": space.id})) == in_space
    assert set(_all_ids(http, double, f"/spaces/{space.id}/pages")) == in_space
    assert _all_ids(http, double, f"/spaces/{space.id}/pages", depth="root") == [space.homepage_id]
    title = pages[77].title
    same_title = [p.id for p in sorted(pages, key=lambda p: p.num) if p.title == title]
    assert _all_ids(http, double, "/pages", title=title, status=ALL_PAGE_STATUSES) == same_title
    archived = {p.id for p in pages if p.status == "archived"}
    assert set(_all_ids(http, double, "/pages", status="archived")) == archived and archived
    assert http.get(base + "/pages", params={"id": "x1"}).status_code == 400
    assert http.get(base + "/spaces/999/pages").status_code == 404


def test_tasks_walk_in_id_order(double, http):
    results, _ = _walk(http, double.url + V2, "/tasks", {"limit": 50})
    assert [r["id"] for r in results] == _expected_order(double.site.tasks.values(), "id")


def test_limit_default_clamping_and_rejection(double, http):
    base = double.url + V2
    assert len(http.get(base + "/pages").json()["results"]) == 25
    assert len(http.get(base + "/attachments").json()["results"]) == 50  # documented default for attachments
    big = http.get(base + "/pages", params={"limit": 1000})
    assert big.status_code == 200
    assert len(big.json()["results"]) == 250
    assert "limit=1000" in big.json()["_links"]["next"]  # the original parameters are carried as sent
    for bad in ("0", "-3", "abc", ""):
        response = http.get(base + "/pages", params={"limit": bad})
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["status"] == 400


def test_next_link_and_link_header_carry_all_parameters(double, http):
    space_ids = [s.id for s in double.site.spaces.values()][:2]
    params = {"limit": 5, "sort": "-title", "space-id": ",".join(space_ids), "body-format": "storage"}
    response = http.get(double.url + V2 + "/pages", params=params)
    doc = response.json()
    next_link = doc["_links"]["next"]
    assert response.links["next"]["url"] == next_link
    assert response.links["base"]["url"] == double.url + "/wiki"
    assert doc["_links"]["base"] == double.url + "/wiki"
    query = parse_qs(urlsplit(next_link).query)
    assert urlsplit(next_link).path == V2 + "/pages"
    assert query["limit"] == ["5"] and query["sort"] == ["-title"] and query["body-format"] == ["storage"]
    assert query["space-id"] == [",".join(space_ids)]
    assert len(query["cursor"]) == 1
    second = http.get(double.url + next_link).json()
    assert all(r["spaceId"] in space_ids and "body" in r for r in second["results"])
    assert {r["id"] for r in second["results"]}.isdisjoint(r["id"] for r in doc["results"])


def test_bad_or_foreign_cursor_is_rejected(double, http):
    base = double.url + V2
    assert http.get(base + "/pages", params={"cursor": "not-a-cursor!"}).status_code == 400
    pages_next = http.get(base + "/pages", params={"limit": 1}).json()["_links"]["next"]
    cursor = parse_qs(urlsplit(pages_next).query)["cursor"][0]
    assert http.get(base + "/blogposts", params={"cursor": cursor}).status_code == 400
    assert http.get(base + "/pages", params={"cursor": cursor, "sort": "title"}).status_code == 400
    assert http.get(base + "/pages", params={"cursor": cursor}).status_code == 200


def test_cursor_is_a_keyset_position_not_an_offset(small):
    """Editing a page already read during an ascending modified-date walk moves it to the end:
    it is served again and nothing is skipped (an offset cursor would skip one page)."""
    site = small.site
    with _session(small) as s:
        base = small.url + V2
        first = s.get(base + "/pages", params={"sort": "modified-date", "limit": 10}).json()
        seen = [r["id"] for r in first["results"]]
        site.edit_page(seen[0], at=AT)
        rest, _ = _walk(s, small.url, first["_links"]["next"])
    ids = seen + [r["id"] for r in rest]
    expected = {p.id for p in site.pages.values() if p.status in ("current", "archived")}
    assert set(ids) == expected
    assert ids.count(seen[0]) == 2 and ids[-1] == seen[0]
    assert len(ids) == len(expected) + 1


# ---- site shape and bodies ----------------------------------------------------------------------
def test_generated_site_shape(double):
    site = double.site
    assert len(site.pages) == READ_SPEC.pages and len(site.blog_posts) == READ_SPEC.blog_posts
    assert sum(c.comment_type == "footer" for c in site.comments.values()) == READ_SPEC.footer_comments
    assert sum(c.comment_type == "inline" for c in site.comments.values()) == READ_SPEC.inline_comments
    assert len(site.tasks) == READ_SPEC.tasks and len(site.attachments) == READ_SPEC.attachments
    assert len(site.labels) == READ_SPEC.labels and len(site.users) == READ_SPEC.users
    keys = [s.key for s in site.spaces.values()]
    assert keys[:3] == ["ENG", "OPS", "MKT"]
    assert [s.type for s in site.spaces.values()].count("personal") == 1

    def depth(p):
        n = 0
        while p.parent_id is not None:
            p = site.pages[p.parent_id]
            n += 1
        return n

    assert max(depth(p) for p in site.pages.values()) >= 4
    for space in site.spaces.values():
        home = site.pages[space.homepage_id]
        assert home.parent_id is None and home.space_id == space.id
    assert any(p.status == "archived" for p in site.pages.values())
    low, high = datetime(2023, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    for obj in [
        *site.pages.values(),
        *site.blog_posts.values(),
        *site.comments.values(),
        *site.attachments.values(),
    ]:
        assert low <= obj.created_at <= obj.version.created_at < high
    for c in site.comments.values():
        container = site.container(c.container_id)
        assert c.created_at >= container.created_at
    for t in site.tasks.values():
        assert t.created_at <= t.updated_at
        assert (t.status == "complete") == (t.completed_at is not None)
    users = list(site.users.values())
    assert any(u.email == "" for u in users) and sum(bool(u.email) for u in users) > len(users) / 2
    assert {u.account_type for u in users} == {"atlassian", "app"}
    assert {u.account_status for u in users} == {"active", "inactive"}
    assert all(re.fullmatch(r"[0-9a-f]{24}|557058:[0-9a-f-]{36}", u.account_id) for u in users)
    prefixes = [lb.prefix for lb in site.labels.values()]
    assert prefixes.count("global") > len(prefixes) / 2
    assert "meeting-notes" in [lb.name for lb in site.labels.values()]
    usage = sorted((len(v) for v in site.content_by_label.values()), reverse=True)
    assert usage[0] > 4 * max(1, usage[len(usage) // 2])  # skewed label use


def test_storage_bodies_cover_the_storage_format_and_match_tasks(double, http):
    results, _ = _walk(http, double.url + V2, "/pages", {"body-format": "storage", "limit": 250})
    bodies = {r["id"]: r["body"]["storage"]["value"] for r in results}
    assert all(r["body"]["storage"]["representation"] == "storage" for r in results)
    joined = "".join(bodies.values())
    for needle in (
        "<h1>",
        "<h2>",
        "<h3>",
        "<strong>",
        "<em>",
        '<a href="',
        "<ri:page ri:space-key=",
        "<ri:user ri:account-id=",
        "<ul><li>",
        "<ol><li>",
        "<ul><li>",
        "<table><tbody><tr><th>",
        "<td><p>",
        'ac:name="code"',
        "<ac:plain-text-body><![CDATA[",
        'ac:name="info"',
        'ac:name="note"',
        'ac:name="warning"',
        '<ac:parameter ac:name="title">',
        "<ac:rich-text-body>",
        'ac:name="status"',
        '<ac:parameter ac:name="colour">',
        "<time datetime=",
        "<ac:image",
        "<ri:attachment ri:filename=",
        'ac:name="toc"',
        'ac:name="jira"',
        "<ac:task-list><ac:task><ac:task-id>",
        "<ac:inline-comment-marker ac:ref=",
    ):
        assert needle in joined, needle
    assert re.search(r"<li>[^<]*<(ul|ol)><li>", joined), "no nested list"
    mean = len(joined) / len(bodies)
    assert 0.6 * READ_SPEC.body_bytes < mean < 2.0 * READ_SPEC.body_bytes

    site = double.site
    page_id = max((p for p in bodies if site.tasks_by_container.get(p)), key=lambda p: len(site.tasks_by_container[p]))
    in_body = re.findall(r"<ac:task-id>(\d+)</ac:task-id><ac:task-status>(\w+)</ac:task-status>", bodies[page_id])
    served = http.get(double.url + V2 + "/tasks", params={"page-id": page_id, "limit": 250}).json()["results"]
    assert sorted(in_body) == sorted((t["localId"], t["status"]) for t in served)
    assert all(t["pageId"] == page_id for t in served) and len(served) >= 1

    no_body = http.get(double.url + V2 + "/pages", params={"limit": 3}).json()["results"]
    assert all("body" not in r for r in no_body)
    adf = http.get(double.url + V2 + f"/pages/{page_id}", params={"body-format": "atlas_doc_format"}).json()
    doc = json.loads(adf["body"]["atlas_doc_format"]["value"])
    assert doc["type"] == "doc" and any(n["type"] == "taskList" for n in doc["content"])


def test_list_and_single_endpoints_serve_the_same_objects(small):
    site = small.site
    edited = next(iter(site.pages.values()))
    site.edit_page(edited.id, body='<p>Caf\u00e9 "quotes" &amp; <strong>\U0001f600</strong> \u2014 done</p>', at=AT)
    with _session(small) as s:
        for fmt in ("storage", "atlas_doc_format"):
            listed, _ = _walk(s, small.url + V2, "/pages", {"body-format": fmt, "limit": 7})
            checked = {r["id"]: r for r in listed[:15] + [r for r in listed if r["id"] == edited.id]}
            for record in checked.values():
                single = _get(s, small, f"/pages/{record['id']}", **{"body-format": fmt}).json()
                links = single.pop("_links")
                assert links.pop("base") == small.url + "/wiki"
                assert record.pop("_links") == links
                assert record == single
            served = next(r for r in listed if r["id"] == edited.id)["body"][fmt]["value"]
            if fmt == "storage":
                assert served == site.pages[edited.id].body
            else:
                assert "Caf\u00e9" in json.loads(served)["content"][0]["content"][0]["text"]
        blogs, _ = _walk(s, small.url + V2, "/blogposts", {"body-format": "atlas_doc_format"})
        for record in blogs[:5]:
            single = _get(s, small, f"/blogposts/{record['id']}", **{"body-format": "atlas_doc_format"}).json()
            assert json.loads(record["body"]["atlas_doc_format"]["value"])["type"] == "doc"
            assert record["body"] == single["body"]


def test_task_filters(double, http):
    site = double.site
    base = double.url + V2

    def ids(params):
        return {t["id"] for t in _walk(http, base, "/tasks", {**params, "limit": 250})[0]}

    tasks = list(site.tasks.values())
    assert ids({"status": "complete"}) == {t.id for t in tasks if t.status == "complete"}
    assignee = next(t.assigned_to for t in tasks if t.assigned_to)
    assert ids({"assigned-to": assignee}) == {t.id for t in tasks if t.assigned_to == assignee}
    pivot = sorted(t.created_at for t in tasks)[len(tasks) // 2]
    ms = int(pivot.timestamp() * 1000)
    assert ids({"created-at-from": ms}) == {t.id for t in tasks if t.created_at >= pivot}
    assert ids({"created-at-to": ms}) == {t.id for t in tasks if t.created_at <= pivot}
    assert ids({"include-blank-tasks": "false"}) == {t.id for t in tasks if t.body}
    blog_task = next(t for t in tasks if t.container_type == "blogpost")
    page_task = next(t for t in tasks if t.container_type == "page")
    both = ids({"page-id": page_task.container_id, "blogpost-id": blog_task.container_id})
    assert both == {t.id for t in tasks if t.container_id in (page_task.container_id, blog_task.container_id)}
    assert http.get(base + "/tasks", params={"created-at-from": "yesterday"}).status_code == 400


def test_per_container_comments_are_roots_and_children_are_separate(double, http):
    site = double.site
    parent = next(
        c
        for c in site.comments.values()
        if c.comment_type == "footer" and any(r.parent_comment_id == c.id for r in site.comments.values())
    )
    base = double.url + V2
    kind = "pages" if parent.container_type == "page" else "blogposts"
    roots, _ = _walk(http, base, f"/{kind}/{parent.container_id}/footer-comments", {"limit": 250})
    expected_roots = [
        c.id
        for c in sorted(site.comments.values(), key=lambda c: c.num)
        if c.container_id == parent.container_id and c.comment_type == "footer" and c.parent_comment_id is None
    ]
    assert [r["id"] for r in roots] == expected_roots
    children, _ = _walk(http, base, f"/footer-comments/{parent.id}/children", {})
    assert {r["id"] for r in children} == {c.id for c in site.comments.values() if c.parent_comment_id == parent.id}
    assert all(r["parentCommentId"] == parent.id for r in children)


# ---- determinism -------------------------------------------------------------------------------
def test_same_seed_serves_identical_bytes_and_other_seed_differs(double, http):
    paths = [
        "/pages?body-format=storage&limit=50",
        "/pages?body-format=atlas_doc_format&sort=-modified-date&limit=20",
        "/blogposts?body-format=storage",
        "/footer-comments?body-format=storage&limit=100",
        "/inline-comments?limit=100",
        "/tasks?body-format=storage&limit=100",
        "/attachments?limit=100",
        "/labels?limit=100",
        "/spaces?description-format=plain",
    ]

    def normalised(d: ConfluenceDouble, s: requests.Session, path: str) -> bytes:
        return s.get(d.url + V2 + path).content.replace(d.url.encode(), b"BASE")

    with ConfluenceDouble(READ_SPEC) as twin, _session(twin) as s2:
        for path in paths:
            assert normalised(double, http, path) == normalised(twin, s2, path), path
        users = list(double.site.users)[:10]
        a = http.post(double.url + V2 + "/users-bulk", json={"accountIds": users}).content
        b = s2.post(twin.url + V2 + "/users-bulk", json={"accountIds": users}).content
        assert a.replace(double.url.encode(), b"") == b.replace(twin.url.encode(), b"")
    other_spec = SiteSpec(**{**READ_SPEC.__dict__, "seed": READ_SPEC.seed + 1})
    with ConfluenceDouble(other_spec) as other, _session(other) as s3:
        assert normalised(double, http, paths[0]) != normalised(other, s3, paths[0])


# ---- mutations ---------------------------------------------------------------------------------
def _get(s: requests.Session, d: ConfluenceDouble, path: str, **params) -> requests.Response:
    return s.get(d.url + V2 + path, params=params)


def _all_ids(s, d, path, **params) -> list[str]:
    return [r["id"] for r in _walk(s, d.url + V2, path, {**params, "limit": 250})[0]]


ALL_PAGE_STATUSES = ["current", "archived", "trashed", "deleted"]


def test_page_lifecycle_mutations(small):
    site = small.site
    space = next(iter(site.spaces.values()))
    with _session(small) as s:
        page = site.create_page(space.id, "Fresh page", body="<p>Hello &amp; welcome</p>", at=AT)
        served = _get(s, small, f"/pages/{page.id}", **{"body-format": "storage"}).json()
        assert served["status"] == "current" and served["title"] == "Fresh page"
        assert served["parentId"] == space.homepage_id and served["parentType"] == "page"
        assert served["version"]["number"] == 1 and served["version"]["createdAt"] == _iso(AT)
        assert served["createdAt"] == _iso(AT) and served["authorId"] == site.current_user_id
        assert served["body"]["storage"]["value"] == "<p>Hello &amp; welcome</p>"
        assert page.id in _all_ids(s, small, f"/spaces/{space.id}/pages")
        assert _all_ids(s, small, "/pages", sort="-created-date")[0] == page.id

        t1 = AT + timedelta(hours=1)
        site.edit_page(page.id, title="Renamed page", minor_edit=True, at=t1)
        newest = _get(s, small, "/pages", sort="-modified-date", limit=1).json()["results"][0]
        assert newest["id"] == page.id and newest["title"] == "Renamed page"
        assert newest["version"] == {
            "number": 2,
            "message": "",
            "minorEdit": True,
            "authorId": site.current_user_id,
            "createdAt": _iso(t1),
        }
        assert newest["createdAt"] == _iso(AT)

        other_parent = next(
            p
            for p in site.pages.values()
            if p.space_id == space.id and p.id not in (page.id, space.homepage_id) and p.status == "current"
        )
        t2 = t1 + timedelta(hours=1)
        site.move_page(page.id, other_parent.id, at=t2)
        moved = _get(s, small, f"/pages/{page.id}").json()
        assert moved["parentId"] == other_parent.id and moved["version"]["number"] == 3
        assert moved["version"]["createdAt"] == _iso(t2)

        site.archive_page(page.id, at=t2 + timedelta(minutes=1))
        assert page.id in _all_ids(s, small, "/pages")  # default statuses: current and archived
        assert _get(s, small, f"/pages/{page.id}").json()["status"] == "archived"

        site.trash_page(page.id, at=t2 + timedelta(minutes=2))
        assert page.id not in _all_ids(s, small, "/pages")
        assert page.id in _all_ids(s, small, "/pages", status="trashed")
        assert _get(s, small, f"/pages/{page.id}").status_code == 404
        trashed = _get(s, small, f"/pages/{page.id}", status="trashed").json()
        assert trashed["status"] == "trashed" and trashed["version"]["number"] == 5

        site.delete_page(page.id, at=t2 + timedelta(minutes=3))
        assert page.id not in _all_ids(s, small, "/pages", status=["current", "archived", "trashed"])
        assert page.id in _all_ids(s, small, "/pages", status="deleted")
        assert _get(s, small, f"/pages/{page.id}", status="deleted").json()["version"]["number"] == 6


def test_purge_page_removes_it_and_what_hangs_off_it(small):
    site = small.site
    victim = max(
        (p for p in site.pages.values() if p.parent_id is not None),
        key=lambda p: len(site.comments_by_container.get(p.id, ())) + len(site.children.get(p.id, ())),
    )
    comment_ids = list(site.comments_by_container.get(victim.id, ()))
    kids = list(site.children.get(victim.id, ()))
    kid_versions = {k: site.pages[k].version.number for k in kids}
    assert comment_ids, "pick a page with comments so the test checks their removal"
    with _session(small) as s:
        site.purge_page(victim.id)
        assert _get(s, small, f"/pages/{victim.id}", status=ALL_PAGE_STATUSES).status_code == 404
        assert victim.id not in _all_ids(s, small, "/pages", status=ALL_PAGE_STATUSES)
        listed = set(_all_ids(s, small, "/footer-comments")) | set(_all_ids(s, small, "/inline-comments"))
        assert listed.isdisjoint(comment_ids)
        assert all(t["pageId"] != victim.id for t in _walk(s, small.url + V2, "/tasks", {"limit": 250})[0] if "pageId" in t)
        assert _get(s, small, f"/pages/{victim.id}/footer-comments").status_code == 404
        for kid in kids:
            served = _get(s, small, f"/pages/{kid}").json()
            assert served["parentId"] == victim.parent_id
            assert served["version"]["number"] == kid_versions[kid]


def test_blog_post_mutations(small):
    site = small.site
    space = next(iter(site.spaces.values()))
    with _session(small) as s:
        blog = site.create_blog_post(space.id, "Launch day", at=AT)
        assert _all_ids(s, small, "/blogposts", sort="-created-date")[0] == blog.id
        body_v1 = _get(s, small, f"/blogposts/{blog.id}", **{"body-format": "storage"}).json()["body"]
        site.edit_blog_post(blog.id, body="<p>Edited</p>", at=AT + timedelta(minutes=5))
        served = _get(s, small, f"/blogposts/{blog.id}", **{"body-format": "storage"}).json()
        assert served["version"]["number"] == 2 and served["body"]["storage"]["value"] == "<p>Edited</p>"
        assert served["body"] != body_v1
        site.trash_blog_post(blog.id, at=AT + timedelta(minutes=6))
        assert blog.id not in _all_ids(s, small, "/blogposts")
        assert blog.id in _all_ids(s, small, "/blogposts", status="trashed")
        site.delete_blog_post(blog.id, at=AT + timedelta(minutes=7))
        assert blog.id in _all_ids(s, small, "/blogposts", status="deleted")
        assert _get(s, small, f"/blogposts/{blog.id}", status="deleted").json()["version"]["number"] == 4
        site.purge_blog_post(blog.id)
        assert blog.id not in _all_ids(s, small, "/blogposts", status=["current", "trashed", "deleted"])
        assert _get(s, small, f"/blogposts/{blog.id}", status="deleted").status_code == 404


def test_comment_mutations(small):
    site = small.site
    page = next(p for p in site.pages.values() if p.status == "current")
    page_version = page.version.number
    with _session(small) as s:
        root = site.add_comment(page.id, "<p>First!</p>", at=AT)
        reply = site.add_comment(page.id, "<p>Agreed</p>", parent_comment_id=root.id, at=AT + timedelta(seconds=1))
        footer = {r["id"]: r for r in _walk(s, small.url + V2, "/footer-comments", {"body-format": "storage", "limit": 250})[0]}
        assert footer[root.id]["pageId"] == page.id and "parentCommentId" not in footer[root.id]
        assert footer[reply.id]["parentCommentId"] == root.id
        assert footer[root.id]["body"]["storage"]["value"] == "<p>First!</p>"
        assert footer[root.id]["version"]["createdAt"] == _iso(AT)
        on_page = _all_ids(s, small, f"/pages/{page.id}/footer-comments")
        assert root.id in on_page and reply.id not in on_page
        assert _all_ids(s, small, f"/footer-comments/{root.id}/children") == [reply.id]

        inline = site.add_comment(page.id, "<p>Why?</p>", comment_type="inline", inline_selection="rollback plan", at=AT)
        served = {r["id"]: r for r in _walk(s, small.url + V2, "/inline-comments", {"limit": 250})[0]}[inline.id]
        assert served["resolutionStatus"] == "open"
        assert served["properties"]["inlineOriginalSelection"] == "rollback plan"
        assert served["resolutionLastModifiedAt"] is None
        body = _get(s, small, f"/pages/{page.id}", **{"body-format": "storage"}).json()["body"]["storage"]["value"]
        assert f'<ac:inline-comment-marker ac:ref="{served["properties"]["inlineMarkerRef"]}">rollback plan' in body

        t1 = AT + timedelta(hours=2)
        site.resolve_inline_comment(inline.id, at=t1)
        resolved = _get(s, small, f"/pages/{page.id}/inline-comments", **{"resolution-status": "resolved"}).json()
        mine = next(r for r in resolved["results"] if r["id"] == inline.id)
        assert mine["resolutionLastModifiedAt"] == _iso(t1) and mine["version"]["number"] == 1
        open_ids = _all_ids(s, small, f"/pages/{page.id}/inline-comments", **{"resolution-status": "open"})
        assert inline.id not in open_ids

        site.trash_comment(root.id, at=t1)
        assert root.id not in _all_ids(s, small, "/footer-comments")
        trashed = _get(s, small, f"/pages/{page.id}/footer-comments", status="trashed").json()["results"]
        assert [r["id"] for r in trashed] == [root.id] and trashed[0]["version"]["number"] == 2
        assert _get(s, small, f"/pages/{page.id}").json()["version"]["number"] == page_version


def test_complete_task_bumps_the_page_version(small):
    site = small.site
    task = next(t for t in site.tasks.values() if t.status == "incomplete" and t.container_type == "page")
    page = site.pages[task.container_id]
    before = page.version.number
    actor = list(site.users)[1]
    with _session(small) as s:
        site.complete_task(task.id, by_account_id=actor, at=AT)
        served = _get(s, small, "/tasks", **{"task-id": task.id}).json()["results"]
        assert served == [
            {
                **{k: v for k, v in served[0].items() if k not in ("status", "completedBy", "completedAt", "updatedAt")},
                "status": "complete",
                "completedBy": actor,
                "completedAt": _iso(AT),
                "updatedAt": _iso(AT),
            }
        ]
        assert task.id in _all_ids(s, small, "/tasks", status="complete", **{"completed-by": actor})
        served_page = _get(s, small, f"/pages/{page.id}", **{"body-format": "storage"}).json()
        assert served_page["version"]["number"] == before + 1
        assert served_page["version"]["createdAt"] == _iso(AT) and served_page["version"]["authorId"] == actor
        assert (
            f"<ac:task-id>{task.local_id}</ac:task-id><ac:task-status>complete</ac:task-status>"
            in served_page["body"]["storage"]["value"]
        )


def test_label_mutations_do_not_bump_versions(small):
    site = small.site
    page = next(p for p in site.pages.values() if p.status == "current")
    version = page.version.number
    with _session(small) as s:
        label = site.add_label(page.id, "brand-new-label", at=AT)
        assert "brand-new-label" in [r["name"] for r in _get(s, small, f"/pages/{page.id}/labels").json()["results"]]
        assert _all_ids(s, small, f"/labels/{label.id}/pages") == [page.id]
        assert label.id in _all_ids(s, small, "/labels")
        assert _get(s, small, f"/pages/{page.id}").json()["version"]["number"] == version
        att = next(iter(site.attachments.values()))
        site.add_label(att.id, "brand-new-label")
        numeric = att.id.removeprefix("att")
        assert [r["id"] for r in _get(s, small, f"/attachments/{numeric}/labels").json()["results"]] == [label.id]
        assert _all_ids(s, small, f"/labels/{label.id}/attachments") == [att.id]
        site.remove_label(page.id, "brand-new-label")
        assert _all_ids(s, small, f"/labels/{label.id}/pages") == []
        assert "brand-new-label" not in [r["name"] for r in _get(s, small, f"/pages/{page.id}/labels").json()["results"]]


def test_attachment_mutations(small):
    site = small.site
    page = next(p for p in site.pages.values() if p.status == "current")
    with _session(small) as s:
        att = site.add_attachment(page.id, "plan v2.pdf", "application/pdf", 12345, at=AT)
        served = _get(s, small, f"/attachments/{att.id}").json()
        assert served["title"] == "plan v2.pdf" and served["pageId"] == page.id and served["fileSize"] == 12345
        assert served["mediaTypeDescription"] == "PDF Document" and served["version"]["number"] == 1
        assert served["downloadLink"].startswith(f"/download/attachments/{page.id}/plan%20v2.pdf?version=1")
        assert att.id in _all_ids(s, small, f"/pages/{page.id}/attachments")
        assert _all_ids(s, small, "/attachments", filename="plan v2.pdf") == [att.id]
        site.trash_attachment(att.id, at=AT + timedelta(minutes=1))
        assert att.id not in _all_ids(s, small, "/attachments")
        trashed = _get(s, small, "/attachments", status="trashed").json()["results"]
        assert [r["id"] for r in trashed] == [att.id] and trashed[0]["version"]["number"] == 2


# ---- errors and auth ---------------------------------------------------------------------------
def test_errors_are_json_with_the_right_status(double, http):
    base = double.url + V2
    cases = [
        ("/pages/999999999", 404),
        ("/pages/abc", 400),
        ("/blogposts/999999999", 404),
        ("/spaces/1", 404),
        ("/labels/1/pages", 404),
        ("/attachments/att1", 404),
        ("/pages?sort=bogus", 400),
        ("/pages?status=bogus", 400),
        ("/pages?body-format=view", 400),
        ("/nothing-here", 404),
    ]
    for path, status in cases:
        response = http.get(base + path)
        assert response.status_code == status, path
        assert response.json()["errors"][0]["status"] == status, path
    too_many = http.post(base + "/users-bulk", json={"accountIds": [f"{i:024x}" for i in range(251)]})
    assert too_many.status_code == 400
    assert http.post(base + "/users-bulk", json={"accountIds": []}).status_code == 400
    assert http.post(base + "/users-bulk", data="{nope", headers={"Content-Type": "application/json"}).status_code == 400


@pytest.mark.parametrize(
    "auth",
    [None, ("tester@example.com", "wrong"), ("someone@example.com", "double-api-token"), "bearer"],
)
def test_auth_is_required_on_every_wiki_path(double, auth):
    headers = {}
    if auth == "bearer":
        headers["Authorization"] = "Bearer double-api-token"
        auth = None
    for path in (V2 + "/pages", V2 + "/users-bulk", "/wiki/rest/api/user/current", V2 + "/no-such-path"):
        method = "post" if path.endswith("users-bulk") else "get"
        response = requests.request(method, double.url + path, auth=auth, headers=headers, json={"accountIds": ["x"]}, timeout=10)
        assert response.status_code == 401, path
        body = response.json()
        if path.startswith("/wiki/rest"):
            assert body["statusCode"] == 401
        else:
            assert body["errors"][0]["code"] == "UNAUTHORIZED"
    assert requests.get(double.url + "/status", timeout=10).json() == {"state": "RUNNING"}
    good = base64.b64encode(f"{double.email}:{double.api_token}".encode()).decode()
    assert requests.get(double.url + V2 + "/spaces", headers={"Authorization": "Basic " + good}, timeout=10).status_code == 200


# ---- faults, request log, latency ---------------------------------------------------------------
def test_rate_limit_fault_then_success(small):
    with _session(small) as s:
        small.reset_requests()
        small.faults.add(status=429, count=3, headers={"Retry-After": "1"}, path_prefix=V2 + "/pages")
        for _ in range(3):
            limited = _get(s, small, "/pages")
            assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
            assert limited.json()["errors"][0]["status"] == 429
            assert _get(s, small, "/spaces").status_code == 200  # other paths are unaffected
        assert _get(s, small, "/pages").status_code == 200
        log = small.requests
        assert [(r.path, r.status) for r in log] == [(V2 + "/pages", 429), (V2 + "/spaces", 200)] * 3 + [(V2 + "/pages", 200)]
        small.reset_requests()
        assert small.requests == []


def test_burst_of_503_then_normal_service(small):
    with _session(small) as s:
        small.faults.add(status=503, count=2)
        assert [_get(s, small, "/labels").status_code for _ in range(3)] == [503, 503, 200]
        small.faults.add(status=500, count=1, method="POST")
        assert _get(s, small, "/labels").status_code == 200
        assert s.post(small.url + V2 + "/users-bulk", json={"accountIds": ["x"]}).status_code == 500


def test_html_login_page_and_truncated_json_faults(small):
    with _session(small) as s:
        full = _get(s, small, "/pages", limit=50).content
        small.faults.add(kind="html_login_page", count=1)
        html = _get(s, small, "/pages", limit=50)
        assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
        assert "<form" in html.text
        with pytest.raises(ValueError):
            html.json()
        small.faults.add(kind="truncated_json", count=1, path_prefix=V2 + "/pages")
        cut = _get(s, small, "/pages", limit=50)
        assert cut.status_code == 200 and cut.headers["Content-Type"].startswith("application/json")
        assert cut.content == full[: len(full) // 2]
        with pytest.raises(ValueError):
            cut.json()
        assert _get(s, small, "/pages", limit=50).content == full


def test_delay_and_reset_faults_and_bad_kinds(small):
    with _session(small) as s:
        small.faults.add(kind="delay", seconds=0.3, count=1)
        started = time.monotonic()
        assert _get(s, small, "/spaces").status_code == 200
        assert time.monotonic() - started >= 0.3
        small.faults.add(kind="reset", count=1)
        with pytest.raises(requests.exceptions.ConnectionError):
            _get(s, small, "/spaces")
        assert small.requests[-1].status == 0
    with _session(small) as s:
        assert _get(s, small, "/spaces").status_code == 200
    with pytest.raises(ValueError):
        small.faults.add(kind="bogus")
    small.faults.add(status=500, count=5)
    small.faults.clear()
    assert small.faults.rules == []


def test_latency_knob(small):
    with _session(small) as s:
        _get(s, small, "/spaces")  # warm the connection
        small.latency_ms = 150
        started = time.monotonic()
        _get(s, small, "/spaces")
        slow = time.monotonic() - started
        small.latency_ms = 0
        started = time.monotonic()
        _get(s, small, "/spaces")
        fast = time.monotonic() - started
    assert slow >= 0.15
    assert fast < 0.1


def test_request_log_records_queries(small):
    with _session(small) as s:
        small.reset_requests()
        _get(s, small, "/pages", limit=3, sort="-id", status=["current", "archived"])
    (record,) = small.requests
    assert record.method == "GET" and record.path == V2 + "/pages" and record.status == 200
    assert record.query == {"limit": ["3"], "sort": ["-id"], "status": ["current", "archived"]}


def test_config_points_at_the_double(small):
    assert small.config() == {
        "site_url": small.url,
        "credentials": {
            "auth_type": "api_token",
            "email": "tester@example.com",
            "api_token": "double-api-token",
        },
    }
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", small.url)


# ---- CLI -----------------------------------------------------------------------------------------
def test_cli_prints_its_address_and_stops_on_sigterm():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "confluence_double",
            "--port",
            "0",
            "--spaces",
            "2",
            "--pages",
            "20",
            "--blog-posts",
            "3",
            "--footer-comments",
            "5",
            "--inline-comments",
            "2",
            "--tasks",
            "4",
            "--attachments",
            "2",
            "--labels",
            "5",
            "--users",
            "4",
            "--seed",
            "5",
            "--latency-ms",
            "0",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(proc.stdout.readline())
        assert set(info) == {"url", "email", "api_token"}
        response = requests.get(
            info["url"] + V2 + "/pages",
            auth=(info["email"], info["api_token"]),
            params={"limit": 250},
            timeout=10,
        )
        assert response.status_code == 200 and len(response.json()["results"]) == 20
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_help_lists_every_knob_from_outside_the_checkout(tmp_path):
    """The double is an installed package: ``python -m confluence_double --help`` works from any directory."""
    result = subprocess.run([sys.executable, "-m", "confluence_double", "--help"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m confluence_double")
    flags = set(re.findall(r"^\s+(--[a-z-]+)", result.stdout, re.M))
    assert flags == {"--host", "--port", "--spaces", "--pages", "--blog-posts", "--footer-comments",
                     "--inline-comments", "--tasks", "--attachments", "--labels", "--users", "--seed", "--body-bytes",
                     "--folders", "--restricted", "--views-per-content", "--latency-ms", "--email", "--api-token"}
    assert "(default: 1000)" in result.stdout  # the site's defaults are shown
