"""The double's Data Center mode and its Atlassian OAuth side, over real HTTP: v1 shapes against the
OpenAPI document, CQL at minute precision in the server's zone, offsets and the scan cursor, the
authentication quirks, and refresh-token rotation."""

from __future__ import annotations

import base64
import warnings
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from confluence_double import ConfluenceDouble, DataCenterDouble, DataCenterSettings, SiteSpec, user_key
from integration_tests import openapi_contract as contract

pytestmark = pytest.mark.integration

SPEC = SiteSpec(spaces=3, pages=150, blog_posts=20, footer_comments=80, inline_comments=40, tasks=30,
                attachments=20, labels=10, users=8, seed=5, body_bytes=500)
REST = "/rest/api"


@pytest.fixture(scope="module")
def dc():
    with DataCenterDouble(SPEC, DataCenterSettings(time_zone="Asia/Kathmandu")) as double:
        yield double


@pytest.fixture(scope="module")
def http(dc):
    with requests.Session() as session:
        session.headers["Authorization"] = "Bearer " + dc.settings.personal_access_token
        yield session


def search(http, dc, cql, **params):
    response = http.get(dc.base_url + REST + "/content/search", params={"cql": cql, **params})
    assert response.status_code == 200, response.text[:300]
    return response.json()


def test_responses_conform_to_the_v1_document_where_it_covers_them(dc, http):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the document declares auth schemes openapi-core does not model
        spec = contract.openapi_v1_datacenter(dc.base_url)
    site = dc.site
    commented = next(p for p in site.pages.values()
                     if any(site.comments[c].comment_type == "inline" for c in site.comments_by_container.get(p.id, ())))
    calls = [
        ("/user/current", {}),
        ("/user", {"key": user_key(site.current_user_id)}),
        ("/user", {"username": dc.username}),
        ("/space", {"expand": "description.plain,homepage,metadata.labels", "limit": 2}),
        ("/content/search", {"cql": "type = page order by lastmodified asc",
                             "expand": "space,history,version,ancestors,body.storage,metadata.labels", "limit": 5}),
        ("/content/search", {"cql": "type = blogpost", "expand": "space,history,version,body.storage", "start": 3}),
        ("/content/search", {"cql": "type = comment", "limit": 30, "expand": "container,history,version,ancestors,"
                             "extensions.inlineProperties,extensions.resolution,body.storage"}),
        ("/content/search", {"cql": "type = attachment", "expand": "container,history,version,metadata.labels"}),
        (f"/content/{commented.id}/child/comment", {"location": "inline", "depth": "all",
                                                    "expand": "container,version,extensions.resolution"}),
    ]
    for path, params in calls:
        response = http.get(dc.base_url + REST + path, params=params)
        assert response.status_code == 200, (path, response.text[:300])
        request = RequestsOpenAPIRequest(response.request)
        spec.validate_request(request)
        spec.validate_response(request, RequestsOpenAPIResponse(response))
    anonymous = requests.get(dc.base_url + REST + "/user/current", timeout=10)
    spec.validate_response(RequestsOpenAPIRequest(anonymous.request), RequestsOpenAPIResponse(anonymous))
    assert anonymous.json()["type"] == "anonymous"


def test_v1_shapes_carry_user_keys_server_time_and_userkey_mentions(dc, http):
    page = next(p for p in dc.site.pages.values() if p.status == "current" and p.parent_id)
    [result] = search(http, dc, f"id = {page.id}", expand="history,version,ancestors,body.storage,space")["results"]
    assert result["id"] == page.id and result["type"] == "page"
    assert result["space"]["id"] == int(page.space_id)
    assert result["ancestors"][-1]["id"] == page.parent_id
    by = result["version"]["by"]
    assert by["userKey"] == user_key(page.version.author_id) and len(by["userKey"]) == 32
    assert by["username"] == dc.usernames[page.version.author_id]
    # Kathmandu is UTC+05:45: the server writes its own wall time with that offset.
    assert result["version"]["when"].endswith("+05:45")
    assert datetime.fromisoformat(result["version"]["when"]) == page.version.created_at
    body = result["body"]["storage"]["value"]
    assert "ri:account-id" not in body
    mentions = [u for u in dc.site.users if f'ri:account-id="{u}"' in dc.site.storage_body(page)]
    assert all(f'ri:userkey="{user_key(u)}"' in body for u in mentions)


def test_lastmodified_compares_to_the_minute_in_the_server_time_zone(dc, http):
    page = next(p for p in dc.site.pages.values() if p.status == "current")
    at = datetime(2026, 10, 2, 8, 30, 40, 500_000, tzinfo=UTC)
    dc.site.edit_page(page.id, at=at)
    local = dc.local_minute(at)
    assert local == "2026-10-02 14:15"
    found = {r["id"] for r in search(http, dc, f'lastmodified >= "{local}"')["results"]}
    assert page.id in found  # 08:30:40 truncates to 08:30, the bound's minute
    after = dc.local_minute(at + timedelta(minutes=1))
    assert page.id not in {r["id"] for r in search(http, dc, f'lastmodified >= "{after}"')["results"]}
    # The edit's UTC wall time means 02:45Z to this server: a bound written in UTC misses it.
    utc_minute = {r["id"] for r in search(http, dc, 'lastmodified >= "2026-10-02 08:30" and '
                                          'lastmodified < "2026-10-02 08:31"')["results"]}
    assert page.id not in utc_minute
    assert page.id in {r["id"] for r in search(http, dc, 'lastmodified = "2026-10-02 14:15"')["results"]}


def test_search_pages_by_offset_caps_bodies_at_50_and_links_relative_to_base(dc, http):
    body = search(http, dc, "type = page order by lastmodified asc", expand="body.storage,version", limit=200)
    assert body["limit"] == 50 and body["size"] == 50
    assert body["_links"]["base"] == dc.base_url and body["_links"]["context"] == "/confluence"
    assert body["_links"]["next"].startswith("/rest/api/content/search?")  # relative to base: no context path
    second = http.get(dc.base_url + body["_links"]["next"]).json()
    assert second["start"] == 50
    times = [r["version"]["when"] for r in body["results"] + second["results"]]
    assert [datetime.fromisoformat(t) for t in times] == sorted(datetime.fromisoformat(t) for t in times)
    bodiless = search(http, dc, "type = page", limit=200)
    assert bodiless["limit"] == 200
    assert search(http, dc, "type = page")["totalSize"] == sum(1 for p in dc.site.pages.values() if p.status == "current")


@pytest.mark.parametrize("cql", ['type = page and (', "lastmodified >= tomorrow", "colour = red", "type = page order by"])
def test_bad_cql_is_a_400(dc, http, cql):
    response = http.get(dc.base_url + REST + "/content/search", params={"cql": cql})
    assert response.status_code == 400 and "cql" in response.json()["message"].lower()


def test_cql_operators(dc, http):
    space = next(iter(dc.site.spaces.values()))
    in_space = {p.id for p in dc.site.pages.values() if p.space_id == space.id and p.status == "current"}
    assert {r["id"] for r in search(http, dc, f'type = page and space = "{space.key}"', limit=500)["results"]} == in_space
    some = sorted(in_space)[:3]
    got = {r["id"] for r in search(http, dc, f"type = page and id in ({', '.join(some)})")["results"]}
    assert got == set(some)
    rest = {r["id"] for r in search(http, dc, f'type = page and space = "{space.key}" and id not in ({some[0]})',
                                    limit=500)["results"]}
    assert rest == in_space - {some[0]}
    label = max(dc.site.labels.values(), key=lambda lb: len(dc.site.content_by_label[lb.id]))
    labelled = {r["id"] for r in search(http, dc, f'label in ("{label.name}") and type in (page, blogpost)',
                                        limit=500)["results"]}
    assert labelled == {i for i in dc.site.content_by_label[label.id]
                        if (dc.site.pages.get(i) or dc.site.blog_posts.get(i)) is not None
                        and (dc.site.pages.get(i) or dc.site.blog_posts[i]).status == "current"}


def test_scan_pages_by_cursor_and_is_absent_before_7_18(dc, http):
    space = next(iter(dc.site.spaces.values()))
    seen, link = [], f"{REST}/content/scan?spaceKey={space.key}&limit=7"
    while link:
        body = http.get(dc.base_url + link).json()
        seen += [r["id"] for r in body["results"]]
        link = body["_links"].get("next")
        if link:
            assert link.startswith(REST + "/content/scan?") and "cursor=content%3Afalse%3A" in link.replace(":", "%3A")
            assert body["nextCursor"].startswith("content:false:")
    expected = sorted((p for p in dc.site.pages.values() if p.space_id == space.id and p.status == "current"),
                      key=lambda p: p.num)
    assert seen == [p.id for p in expected]
    assert http.get(dc.base_url + REST + "/content/scan", params={"type": "blogpost"}).status_code == 400
    with DataCenterDouble(SiteSpec(spaces=1, pages=3, blog_posts=0, footer_comments=0, inline_comments=0, tasks=0,
                                   attachments=0, labels=0, users=2),
                          DataCenterSettings(scan_endpoint=False, version="7.13.0")) as old:
        response = requests.get(old.base_url + REST + "/content/scan",
                                headers={"Authorization": "Bearer " + old.settings.personal_access_token}, timeout=10)
        assert response.status_code == 404


def test_authentication_quirks(dc):
    url = dc.base_url + REST + "/user/current"
    assert requests.get(url, headers={"Authorization": "Bearer " + dc.settings.personal_access_token},
                        timeout=10).json()["userKey"] == user_key(dc.site.current_user_id)
    assert requests.get(url, auth=(dc.username, dc.settings.password), timeout=10).json()["username"] == dc.username
    # An unknown token is not refused when anonymous access is on: the session is anonymous.
    anonymous = requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=10)
    assert anonymous.status_code == 200 and anonymous.json()["type"] == "anonymous"
    assert requests.get(dc.base_url + REST + "/space", headers={"Authorization": "Bearer wrong"},
                        timeout=10).json()["results"] == []
    assert requests.get(url, auth=(dc.username, "wrong"), timeout=10).status_code == 401
    with DataCenterDouble(SiteSpec(spaces=1, pages=2, blog_posts=0, footer_comments=0, inline_comments=0, tasks=0,
                                   attachments=0, labels=0, users=2),
                          DataCenterSettings(anonymous_access=False)) as closed:
        response = requests.get(closed.base_url + REST + "/user/current", headers={"Authorization": "Bearer wrong"},
                                timeout=10)
        assert response.status_code == 401 and response.json()["statusCode"] == 401


def test_oauth_refresh_tokens_rotate_and_the_old_one_is_refused():
    with ConfluenceDouble(SiteSpec(spaces=1, pages=5, blog_posts=1, footer_comments=2, inline_comments=1, tasks=1,
                                   attachments=1, labels=1, users=2)) as cloud:
        oauth = cloud.oauth
        first = oauth.refresh_token
        form = {"grant_type": "refresh_token", "client_id": oauth.client_id, "client_secret": oauth.client_secret,
                "refresh_token": first}
        granted = requests.post(cloud.url + "/oauth/token", data=form, timeout=10).json()
        assert granted["refresh_token"] != first and granted["token_type"] == "Bearer"
        again = requests.post(cloud.url + "/oauth/token", data=form, timeout=10)
        assert again.status_code == 403 and again.json()["error"] == "invalid_grant"
        as_json = requests.post(cloud.url + "/oauth/token", json={**form, "refresh_token": granted["refresh_token"]},
                                timeout=10)
        assert as_json.status_code == 200
        bad_client = requests.post(cloud.url + "/oauth/token", data={**form, "client_secret": "x"}, timeout=10)
        assert bad_client.status_code == 401
        assert [r.accepted for r in oauth.token_requests] == [True, False, True]

        bearer = {"Authorization": "Bearer " + as_json.json()["access_token"]}
        [resource] = requests.get(cloud.url + "/oauth/token/accessible-resources", headers=bearer, timeout=10).json()
        assert resource == {**resource, "id": oauth.cloud_id, "url": cloud.url}
        assert requests.get(cloud.url + "/_edge/tenant_info", timeout=10).json() == {"cloudId": oauth.cloud_id}

        gateway = f"{cloud.url}/ex/confluence/{oauth.cloud_id}/wiki/api/v2/pages"
        page = requests.get(gateway, params={"limit": 2}, headers=bearer, timeout=10)
        assert page.status_code == 200 and len(page.json()["results"]) == 2
        # Like Atlassian's gateway, next links are site-relative, without the gateway prefix.
        assert urlsplit(page.json()["_links"]["next"]).path == "/wiki/api/v2/pages"
        scoped = base64.b64encode(f"{cloud.email}:{oauth.scoped_api_token}".encode()).decode()
        assert requests.get(gateway, headers={"Authorization": "Basic " + scoped}, timeout=10).status_code == 200
        # The site itself takes neither; the gateway takes no classic token.
        assert requests.get(cloud.url + "/wiki/api/v2/pages", headers=bearer, timeout=10).status_code == 401
        assert requests.get(gateway, auth=(cloud.email, cloud.api_token), timeout=10).status_code == 401
        oauth.expire_access_tokens()
        assert requests.get(gateway, headers=bearer, timeout=10).status_code == 401
        assert requests.get(f"{cloud.url}/ex/confluence/not-this-site/wiki/api/v2/pages", headers=bearer,
                            timeout=10).status_code == 404
