"""Comments edited after they were written keep their creation time (Cloud: v2 comments carry none).

The connector asks the v2 comment version endpoints for version 1 of every comment it emits at a
later version; the double serves those endpoints as the OpenAPI document describes them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from confluence_double import ConfluenceDouble
from integration_tests import openapi_contract as contract
from integration_tests.conftest import final_state, records_by_stream, requests_by_path, sync

pytestmark = pytest.mark.integration

V2 = contract.V2
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


def test_an_edited_comment_keeps_its_creation_time_at_one_request_per_edited_comment(tiny_double: ConfluenceDouble):
    site = tiny_double.site
    edited_before = {c.id for c in site.comments.values() if c.status == "current" and c.version.number > 1}
    assert edited_before, "the generated site has comments edited before the first sync"
    first = sync(tiny_double, ["comments"])
    records = records_by_stream(first)["comments"]
    assert {i for i in edited_before if records[i]["created_at"] == _iso(site.comments[i].created_at)} == edited_before
    version_requests = {path: n for path, n in requests_by_path(tiny_double).items() if "/versions/" in path}
    assert len(version_requests) == len(edited_before) and set(version_requests.values()) == {1}

    # Written at version 1 and seen so by the first sync, edited since: the re-read keeps its creation time.
    comment = next(c for c in site.comments.values() if c.status == "current" and c.version.number == 1)
    site.edit_comment(comment.id, "<p>Edited after the first sync</p>", at=datetime.now(UTC))
    second = sync(tiny_double, ["comments"], state=final_state(first))
    again = records_by_stream(second)["comments"][comment.id]
    assert (again["version_number"], again["created_at"]) == (2, _iso(comment.created_at))
    assert again["updated_at"] > again["created_at"]
