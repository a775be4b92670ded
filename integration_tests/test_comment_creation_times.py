"""Comments edited after they were written keep their creation time (Cloud: v2 comments carry none).

The connector reads the history (creation time) of a page of results' edited comments in one v1
search, and version 1 from the v2 comment version endpoints for each comment the search misses; the
double serves both as the OpenAPI documents describe them.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
import requests
from airbyte_cdk.test.entrypoint_wrapper import read
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from confluence_double import ConfluenceDouble
from integration_tests import openapi_contract as contract
from integration_tests.conftest import catalog, final_state, records_by_stream, requests_by_path, sync
from source_confluence import SourceConfluence
from source_confluence.api.cloud.id_search import SEARCH_BATCH
from source_confluence.config.model import DEFAULT_PAGE_SIZE
from source_confluence.http.auth import AtlassianEndpoints

pytestmark = pytest.mark.integration

V2 = contract.V2
SEARCH = "/wiki/rest/api/content/search"
EDITED_AT = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_the_double_serves_a_comments_first_and_current_versions_by_the_contract(tiny_double: ConfluenceDouble):
    site = tiny_double.site
    footer = next(c for c in site.comments.values() if c.comment_type == "footer" and c.version.number == 1)
    inline = next(c for c in site.comments.values() if c.comment_type == "inline")
    site.edit_comment(footer.id, "<p>Reworded</p>", at=EDITED_AT, author_id=footer.version.author_id)
    site.edit_comment(footer.id, "<p>Reworded again</p>", at=EDITED_AT + timedelta(hours=1))
    openapi = contract.openapi_v2(tiny_double.url)
    with requests.Session() as http:
        http.auth = (tiny_double.email, tiny_double.api_token)

        def get(path: str, status: int = 200) -> dict:
            response = http.get(tiny_double.url + V2 + path)
            assert response.status_code == status, (path, response.text[:300])
            request = RequestsOpenAPIRequest(response.request)
            openapi.validate_request(request)
            if status == 200:
                openapi.validate_response(request, RequestsOpenAPIResponse(response))
            return response.json()

        first = get(f"/footer-comments/{footer.id}/versions/1")
        assert (first["number"], first["createdAt"], first["authorId"]) == (1, _iso(footer.created_at), footer.created_by)
        assert first["nextVersion"] == 2 and "prevVersion" not in first
        current = get(f"/footer-comments/{footer.id}/versions/3")
        assert (current["createdAt"], current["prevVersion"]) == (_iso(EDITED_AT + timedelta(hours=1)), 2)
        assert get(f"/inline-comments/{inline.id}/versions/1")["number"] == 1
        # Versions between the first and the current one are not kept by the model; other kinds and
        # numbers are not found, as the contract says.
        get(f"/footer-comments/{footer.id}/versions/2", status=404)
        get(f"/footer-comments/{footer.id}/versions/4", status=404)
        get(f"/inline-comments/{footer.id}/versions/1", status=404)


def test_the_double_serves_comment_history_in_the_v1_search_by_the_contract(tiny_double: ConfluenceDouble):
    site = tiny_double.site
    footer = next(c for c in site.comments.values() if c.comment_type == "footer" and c.status == "current")
    inline = next(c for c in site.comments.values() if c.comment_type == "inline" and c.status == "current")
    site.edit_comment(footer.id, "<p>Reworded</p>", at=EDITED_AT, author_id=sorted(site.users)[0])
    lagging = next(c for c in site.comments.values() if c.status == "current" and c.id not in (footer.id, inline.id))
    site.unindexed.add(lagging.id)
    openapi = contract.openapi_v1_cloud(tiny_double.url)
    response = requests.get(tiny_double.url + SEARCH, auth=(tiny_double.email, tiny_double.api_token), timeout=10,
                            params={"cql": f"id in ({footer.id},{inline.id},{lagging.id})", "expand": "history"})
    assert response.status_code == 200, response.text[:300]
    request = RequestsOpenAPIRequest(response.request)
    openapi.validate_request(request)
    openapi.validate_response(request, RequestsOpenAPIResponse(response))
    hits = {hit["id"]: hit for hit in response.json()["results"]}
    assert set(hits) == {footer.id, inline.id}  # the lagging one is not in the index yet
    for comment in (footer, inline):
        history = hits[comment.id]["history"]
        assert hits[comment.id]["type"] == "comment"
        assert (history["createdDate"], history["createdBy"]["accountId"]) == (
            _iso(comment.created_at), comment.first_version.author_id)


def _expected_searches(site, edited: set[str]) -> int:
    """One search per 100 edited comments of each page of each site-wide list (modification order)."""
    searches = 0
    for kind in ("footer", "inline"):
        listed = sorted((c for c in site.comments.values() if c.comment_type == kind and c.status == "current"),
                        key=lambda c: (c.version.created_at, int(c.id)))
        for start in range(0, len(listed), DEFAULT_PAGE_SIZE):
            count = sum(1 for c in listed[start:start + DEFAULT_PAGE_SIZE] if c.id in edited)
            searches += math.ceil(count / SEARCH_BATCH)
    return searches


def test_edited_comments_keep_their_creation_time_at_one_search_per_page(tiny_double: ConfluenceDouble):
    site = tiny_double.site
    current = {c.id for c in site.comments.values() if c.status == "current"}
    edited_before = {i for i in current if site.comments[i].version.number > 1}
    assert len(edited_before) > 2, "the generated site has comments edited before the first sync"
    lagging = sorted(edited_before)[0]
    site.unindexed.add(lagging)
    first = sync(tiny_double, ["comments"])
    records = records_by_stream(first)["comments"]
    # Every comment's creation time is its first version's, edited or not, found or missed by the search.
    assert {i: records[i]["created_at"] for i in current} == {i: _iso(site.comments[i].created_at) for i in current}
    paths = requests_by_path(tiny_double)
    version_requests = {path: n for path, n in paths.items() if "/versions/" in path}
    assert version_requests == {f"{V2}/footer-comments/{lagging}/versions/1": 1} or version_requests == {
        f"{V2}/inline-comments/{lagging}/versions/1": 1}
    # Before: one request per edited comment; now one search per page of results with edited comments.
    assert paths[SEARCH] == _expected_searches(site, edited_before) == 2
    assert paths[SEARCH] + len(version_requests) < len(edited_before)

def test_a_comment_edited_after_the_first_sync_keeps_its_creation_time(tiny_double: ConfluenceDouble):
    site = tiny_double.site
    first = sync(tiny_double, ["comments"])

    # Written at version 1 and seen so by the first sync, edited since: the re-read keeps its creation time.
    comment = next(c for c in site.comments.values() if c.status == "current" and c.version.number == 1)
    site.edit_comment(comment.id, "<p>Edited after the first sync</p>", at=datetime.now(UTC))
    second = sync(tiny_double, ["comments"], state=final_state(first))
    again = records_by_stream(second)["comments"][comment.id]
    assert (again["version_number"], again["created_at"]) == (2, _iso(comment.created_at))
    assert again["updated_at"] > again["created_at"]


def test_the_search_goes_through_the_gateway_with_a_scoped_token(tiny_double: ConfluenceDouble):
    site = tiny_double.site
    current = {c.id for c in site.comments.values() if c.status == "current"}
    source = SourceConfluence(endpoints=AtlassianEndpoints(api_url=tiny_double.url, auth_url=tiny_double.url))
    output = read(source, tiny_double.oauth.scoped_config(tiny_double.url), catalog(["comments"]))
    assert not output.errors
    records = records_by_stream(output)["comments"]
    assert {i: records[i]["created_at"] for i in current} == {i: _iso(site.comments[i].created_at) for i in current}
    searches = [r for r in tiny_double.requests if r.path.endswith(SEARCH.removeprefix("/wiki"))]
    assert len(searches) == 2 and all(r.path == f"/ex/confluence/{tiny_double.oauth.cloud_id}{SEARCH}" for r in searches)
    assert not any("/versions/" in r.path for r in tiny_double.requests)
