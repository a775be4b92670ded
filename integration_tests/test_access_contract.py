"""The double's groups, members, audit log and space permission responses conform to Atlassian's
OpenAPI documents, in both flavours, pages and refusals included."""

from __future__ import annotations

import warnings

import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from confluence_double import ConfluenceDouble, DataCenterDouble, SiteSpec
from integration_tests import openapi_contract as contract

SPEC = SiteSpec(spaces=2, pages=20, blog_posts=4, footer_comments=4, inline_comments=2, tasks=2, attachments=2,
                labels=3, users=9, seed=3, body_bytes=300)


def validated(spec, response: requests.Response) -> requests.Response:
    request = RequestsOpenAPIRequest(response.request)
    spec.validate_request(request)
    spec.validate_response(request, RequestsOpenAPIResponse(response))
    return response


def test_cloud_access_responses_conform_and_page():
    with ConfluenceDouble(SPEC) as double, requests.Session() as http:
        http.auth = (double.email, double.api_token)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v1, v2 = contract.openapi_v1_access(double.url), contract.openapi_v2(double.url)
        everyone = double.site.access.group_by_name("confluence-users")
        space = sorted(double.site.spaces.values(), key=lambda s: s.num)[0]
        groups = validated(v1, http.get(f"{double.url}/wiki/rest/api/group", params={"limit": 2, "start": 0})).json()
        assert groups["size"] == 2 and groups["_links"]["next"].startswith("/rest/api/group?")
        members = validated(v1, http.get(f"{double.url}/wiki/rest/api/group/{everyone.id}/membersByGroupId",
                                         params={"limit": 4})).json()
        assert [m["accountId"] for m in members["results"]] == everyone.members[:4]
        assert http.get(f"{double.url}/wiki/rest/api/group/{everyone.id}/membersByGroupId",
                        params={"limit": 201}).status_code == 400
        audit = validated(v1, http.get(f"{double.url}/wiki/rest/api/audit", params={"limit": 5})).json()
        dates = [r["creationDate"] for r in audit["results"]]
        assert len(dates) == 5 and dates == sorted(dates, reverse=True)
        permissions = validated(v2, http.get(f"{double.url}/wiki/api/v2/spaces/{space.id}/permissions",
                                             params={"limit": 3})).json()
        assert len(permissions["results"]) == 3 and "next" in permissions["_links"]
        validated(v2, http.get(f"{double.url}/wiki/api/v2/space-roles"))
        holders = validated(v2, http.get(f"{double.url}/wiki/api/v2/spaces/{space.id}/role-assignments")).json()
        assert {h["principal"]["principalType"] for h in holders["results"]} == {"USER", "ACCESS_CLASS"}
        double.site.access.audit_readable = False
        assert http.get(f"{double.url}/wiki/rest/api/audit").status_code == 403


def test_data_center_access_responses_conform():
    with DataCenterDouble(SPEC) as dc, requests.Session() as http:
        http.headers["Authorization"] = "Bearer " + dc.settings.personal_access_token
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v1 = contract.openapi_v1_access(dc.base_url, datacenter=True)
        rest = dc.base_url + "/rest/api"
        groups = validated(v1, http.get(f"{rest}/group", params={"limit": 2})).json()
        assert [g["name"] for g in groups["results"]] == sorted(g.name for g in dc.site.access.groups.values())[:2]
        members = validated(v1, http.get(f"{rest}/group/confluence-users/member", params={"limit": 3})).json()
        assert all("userKey" in m and "username" in m for m in members["results"]) and members["size"] == 3
        validated(v1, http.get(f"{rest}/audit", params={"startDate": 0, "endDate": 4_000_000_000_000}))
        space = sorted(dc.site.spaces.values(), key=lambda s: s.num)[0]
        found = validated(v1, http.get(f"{rest}/space/{space.key}", params={"expand": "permissions"})).json()
        assert any(p["anonymousAccess"] for p in found["permissions"])
        dc.site.access.audit_readable = False
        assert http.get(f"{rest}/audit").status_code == 403
