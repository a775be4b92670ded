"""The double's restrictions (both flavours) and folders (Cloud): responses conform to the contract,
mutations behave as Confluence's do, generation is deterministic and leaves other sites unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from confluence_double import ConfluenceDouble, SiteSpec
from confluence_double.datacenter import DataCenterDouble
from confluence_double.generator import build_site
from confluence_double.model import Principal
from integration_tests import openapi_contract as contract
from source_confluence.api.restrictions import EXPAND, PER_CONTENT_EXPAND

SPEC = SiteSpec(spaces=2, pages=60, blog_posts=10, footer_comments=5, inline_comments=2, tasks=2, attachments=2,
                labels=2, users=6, seed=5, body_bytes=300, folders=3, restricted=8)


@pytest.fixture(scope="module")
def cloud() -> Iterator[ConfluenceDouble]:
    with ConfluenceDouble(SPEC) as server:
        yield server


def _get(double: ConfluenceDouble, path: str, params=None) -> requests.Response:
    return requests.get(double.url + path, params=params, auth=(double.email, double.api_token), timeout=10)


def _validate(openapi: OpenAPI, response: requests.Response) -> None:
    request = RequestsOpenAPIRequest(response.request)
    openapi.validate_request(request)
    openapi.validate_response(request, RequestsOpenAPIResponse(response))


def test_folder_and_restriction_endpoints_conform_to_the_contract(cloud):
    site = cloud.site
    folder = next(f for f in site.folders.values() if f.parent_id is not None)
    response = _get(cloud, f"/wiki/api/v2/folders/{folder.id}")
    assert response.status_code == 200
    _validate(contract.openapi_v2(cloud.url), response)
    doc = response.json()
    assert (doc["id"], doc["parentId"], doc["parentType"], doc["type"]) == (folder.id, folder.parent_id, "folder", "folder")
    assert _get(cloud, "/wiki/api/v2/folders/999999").status_code == 404

    v1 = contract.openapi_v1_cloud(cloud.url)
    restricted = sorted(site.restrictions)
    search = _get(cloud, "/wiki/rest/api/content/search",
                  {"cql": f"id in ({','.join(restricted)})", "expand": ",".join(EXPAND), "limit": 3})
    assert search.status_code == 200
    _validate(v1, search)
    body = search.json()
    assert body["size"] == 3 and body["_links"]["next"].startswith("/rest/api/content/search?")
    first = body["results"][0]
    readers = {u["accountId"] for u in first["restrictions"]["read"]["restrictions"]["user"]["results"]}
    assert readers == {p.id for p in site.restrictions[first["id"]]["read"] if p.kind == "user"}
    own = _get(cloud, f"/wiki/rest/api/content/{first['id']}/restriction",
               [*(("expand", e) for e in PER_CONTENT_EXPAND), ("start", 0), ("limit", 1)])
    assert own.status_code == 200
    _validate(v1, own)
    assert [r["operation"] for r in own.json()["results"]] == ["read", "update"]


def test_data_center_serves_restrictions_by_user_key_and_group_name():
    with DataCenterDouble(SiteSpec(**{**SPEC.__dict__, "folders": 0})) as dc:
        content_id = next(c for c, ops in sorted(dc.site.restrictions.items())
                          if any(p.kind == "group" for p in ops["read"]))
        response = requests.get(f"{dc.base_url}/rest/api/content/search", timeout=10,
                                params={"cql": f"id in ({content_id})", "expand": ",".join(EXPAND)},
                                headers={"Authorization": f"Bearer {dc.settings.personal_access_token}"})
        assert response.status_code == 200
        _validate(contract.openapi_v1_datacenter(dc.base_url), response)
        read = response.json()["results"][0]["restrictions"]["read"]["restrictions"]
        assert all("userKey" in u and "accountId" not in u for u in read["user"]["results"])
        groups = [g for g in read["group"]["results"]]
        assert groups and all(set(g) >= {"name", "type"} and "id" not in g for g in groups)


def test_restrict_and_lift_make_no_version_and_move_into_a_folder_makes_one():
    site = build_site(SPEC)
    page = next(p for p in site.pages.values() if p.status == "current" and p.id not in site.restrictions)
    version = page.version.number
    reader = Principal("user", sorted(site.users)[1], "")
    site.restrict(page.id, "read", reader)
    assert site.restrictions_of(page.id) == {"read": [reader]} and page.version.number == version
    site.lift(page.id, "read", reader)
    assert page.id not in site.restrictions and page.version.number == version
    folder = next(f for f in site.folders.values() if f.space_id == page.space_id)
    site.move_page_to_folder(page.id, folder.id)
    assert (page.parent_id, site.parent_type_of(page.parent_id), page.version.number) == (folder.id, "folder", version + 1)
    with pytest.raises(ValueError):
        site.restrict(page.id, "delete", reader)


def test_generation_is_deterministic_and_a_site_without_access_is_unchanged():
    one, two = build_site(SPEC), build_site(SPEC)
    assert {f.id: (f.parent_id, f.title) for f in one.folders.values()} == \
        {f.id: (f.parent_id, f.title) for f in two.folders.values()}
    assert one.restrictions == two.restrictions and len(one.restrictions) == SPEC.restricted
    depth = max(_depth(one, f.id) for f in one.folders.values())
    assert depth == SPEC.folders  # nested, several levels deep
    plain = build_site(SiteSpec(**{**SPEC.__dict__, "folders": 0, "restricted": 0}))
    assert not plain.folders and not plain.restrictions
    assert {p.id for p in plain.pages.values()} == {p.id for p in one.pages.values()}
    # Restrictions sit on nested pages too: a restricted page whose parent is restricted.
    assert any(one.pages[c].parent_id in one.restrictions for c in one.restrictions if c in one.pages)


def _depth(site, folder_id: str) -> int:
    depth, current = 0, folder_id
    while current in site.folders:
        depth, current = depth + 1, site.folders[current].parent_id
    return depth
