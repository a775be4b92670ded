"""Every request the connector sends conforms to Atlassian's OpenAPI documents.

The connector syncs the double (all streams, a due deletion check, each selection option) while
every request leaving `requests` is recorded; each is then validated against the v2 document
(v1 for user/current), parameters and bodies included.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest
import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest
from openapi_core.exceptions import OpenAPIError

from confluence_double.model import Principal
from integration_tests import openapi_contract as contract
from integration_tests.conftest import final_state, sync
from source_confluence import SourceConfluence


def test_every_connector_request_conforms_to_the_openapi_documents(tiny_double, recorded):
    double = tiny_double
    state = final_state(sync(double, deletion_check_interval_hours=0))
    inline = next(c for c in double.site.comments.values()
                  if c.comment_type == "inline" and c.resolution_status == "open" and c.status == "current"
                  and c.parent_comment_id is None)
    double.site.resolve_inline_comment(inline.id)
    page = next(p for p in double.site.pages.values() if p.status == "current")
    double.site.edit_page(page.id, title="Edited")
    # A page moved into a folder (the folder look-up) and a restriction added (the restriction search).
    folder = double.site.create_folder(page.space_id, "Runbooks")
    moved = next(p for p in double.site.pages.values() if p.status == "current" and p.id != page.id
                 and p.space_id == page.space_id and not double.site.children.get(p.id))
    double.site.move_page_to_folder(moved.id, folder.id)
    double.site.restrict(page.id, "read", Principal("user", double.site.current_user_id, ""))
    sync(double, state=state, deletion_check_interval_hours=0)
    root = next(p for p in double.site.pages.values() if double.site.children.get(p.id))
    label = next(iter(double.site.labels.values()))
    sync(double, ["pages", "comments", "tasks"], page_tree_roots=[root.id], labels=[label.name])
    sync(double, ["users"])
    sync(double, ["content_views"], page_views=True, page_views_budget=12, page_views_from="2024-01-01T00:00:00Z")
    SourceConfluence().check(__import__("logging").getLogger("test"), double.config())

    v2 = contract.openapi_v2(double.url)
    v1 = contract.openapi_v1_cloud(double.url)
    endpoints: Counter[str] = Counter()
    for request in recorded:
        path = urlsplit(request.url).path
        spec = v1 if path.startswith("/wiki/rest/api/") else v2
        spec.validate_request(RequestsOpenAPIRequest(request))
        endpoints[f"{request.method} {path.split('/wiki/api/v2')[-1]}"] += 1
    # The run exercised every endpoint family the connector uses.
    used = {key.split(" ")[1].split("/")[1] for key in endpoints if "/wiki/api/v2" not in key}
    assert {"spaces", "pages", "blogposts", "footer-comments", "inline-comments", "tasks", "labels",
            "attachments", "users-bulk"} <= used, endpoints
    # The resolved inline comment was re-read from its container.
    assert any(key.startswith(("GET /pages/", "GET /blogposts/")) and key.endswith("/inline-comments") for key in endpoints)
    assert endpoints["GET /wiki/rest/api/user/current"] == 1
    # content_versions read every kind of version list.
    assert {key.split("/")[1] for key in endpoints if key.endswith("/versions")} == {
        "pages", "blogposts", "footer-comments", "inline-comments", "attachments"}, endpoints
    assert endpoints[f"GET /folders/{folder.id}"] == 1 and endpoints["GET /wiki/rest/api/content/search"] >= 2
    # The access streams' requests: v1 groups, members and audit log; v2 space permissions and roles.
    assert {"GET /wiki/rest/api/group", "GET /wiki/rest/api/audit", "GET /space-roles"} <= set(endpoints)
    assert any(key.endswith("/membersByGroupId") for key in endpoints)
    assert any(key.endswith("/permissions") for key in endpoints)
    assert any(key.endswith("/role-assignments") for key in endpoints)
    assert sum(n for key, n in endpoints.items() if "/rest/api/analytics/content/" in key) == 8  # 12 - 4 listings


def test_validation_catches_a_nonconforming_request(tiny_double):
    v2 = contract.openapi_v2(tiny_double.url)
    bad = requests.Request("GET", f"{tiny_double.url}/wiki/api/v2/pages",
                           params={"sort": "sideways", "limit": 999}).prepare()
    with pytest.raises(OpenAPIError) as caught:
        v2.validate_request(RequestsOpenAPIRequest(bad))
    assert "query parameter" in str(caught.value)
