"""Confluence Cloud through the api.atlassian.com gateway: OAuth 2.0 with rotating refresh tokens, and
scoped API tokens. Atlassian's token, accessible-resources and gateway endpoints are the double's own
(loopback), passed to the connector as `SourceConfluence(endpoints=...)`."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest
import requests
from airbyte_cdk.models import Status
from airbyte_cdk.test.entrypoint_wrapper import read

from confluence_double import ConfluenceDouble, SiteSpec
from integration_tests.conftest import catalog, records_by_stream
from integration_tests.site_truth import expected_ids
from source_confluence import SourceConfluence
from source_confluence.http.auth import AtlassianEndpoints

pytestmark = pytest.mark.integration

TINY = SiteSpec(spaces=2, pages=120, blog_posts=20, footer_comments=60, inline_comments=20, tasks=40,
                attachments=20, labels=10, users=8, seed=11, body_bytes=800)
AN_HOUR_AGO = "2020-01-01T00:00:00+00:00"


@pytest.fixture
def cloud():
    with ConfluenceDouble(TINY) as double:
        yield double


def source_for(double: ConfluenceDouble) -> SourceConfluence:
    return SourceConfluence(endpoints=AtlassianEndpoints(api_url=double.url, auth_url=double.url))


def control_configs(captured: str) -> list[dict[str, Any]]:
    """The configs of the CONNECTOR_CONFIG control messages printed on stdout, in order."""
    messages = [json.loads(line) for line in captured.splitlines() if line.startswith('{"type":"CONTROL"')]
    return [m["control"]["connectorConfig"]["config"] for m in messages if m["control"]["type"] == "CONNECTOR_CONFIG"]


def test_rotated_refresh_token_is_handed_back_used_next_time_and_the_old_one_is_refused(cloud, capsys):
    oauth = cloud.oauth
    original = {**oauth.config(cloud.url), "space_keys": [next(iter(cloud.site.spaces.values())).key]}
    first_token = original["credentials"]["refresh_token"]

    first = read(source_for(cloud), copy.deepcopy(original), catalog(["pages"]))
    assert not first.errors
    [handed_back] = control_configs(capsys.readouterr().out)
    rotated = handed_back["credentials"]["refresh_token"]
    assert rotated != first_token and rotated.startswith("rt-")
    assert handed_back["credentials"]["access_token"] and handed_back["credentials"]["token_expiry_date"]
    # The whole config comes back, so the platform can store it as is.
    assert {k: v for k, v in handed_back.items() if k != "credentials"} == {
        k: v for k, v in original.items() if k != "credentials"}
    space = cloud.site.spaces[next(s.id for s in cloud.site.spaces.values() if s.key == original["space_keys"][0])]
    truth = {p for p in expected_ids(cloud.site)["pages"] if cloud.site.pages[p].space_id == space.id}
    assert set(records_by_stream(first)["pages"]) == truth
    # Every API request went through the gateway for the discovered cloud id.
    api_paths = [r.path for r in cloud.requests if "/wiki/" in r.path]
    assert api_paths and all(p.startswith(f"/ex/confluence/{oauth.cloud_id}/wiki/") for p in api_paths)
    assert sum(r.path == "/oauth/token/accessible-resources" for r in cloud.requests) == 1

    # An hour later the access token has expired: the next run refreshes with the rotated token.
    oauth.expire_access_tokens()
    stored = copy.deepcopy(handed_back)
    stored["credentials"]["token_expiry_date"] = AN_HOUR_AGO
    second = read(source_for(cloud), stored, catalog(["pages"]))
    assert not second.errors and set(records_by_stream(second)["pages"]) == truth
    [handed_back_again] = control_configs(capsys.readouterr().out)
    assert handed_back_again["credentials"]["refresh_token"] not in (first_token, rotated)
    assert [(r.refresh_token, r.accepted) for r in oauth.token_requests] == [(first_token, True), (rotated, True)]

    # The first refresh token was used up by the first run: Atlassian refuses it.
    stale = read(source_for(cloud), copy.deepcopy(original), catalog(["pages"]), expecting_exception=True)
    assert oauth.token_requests[-1].refresh_token == first_token and not oauth.token_requests[-1].accepted
    error = stale.errors[0].trace.error
    assert error.failure_type.value == "config_error" and "Refresh token was rejected" in error.message
    assert first_token not in error.message and not control_configs(capsys.readouterr().out)


def test_check_with_oauth_refreshes_once_and_hands_the_token_back(cloud, capsys):
    status = source_for(cloud).check(logging.getLogger("test"), cloud.oauth.config(cloud.url))
    assert status.status == Status.SUCCEEDED
    [handed_back] = control_configs(capsys.readouterr().out)
    oauth = cloud.oauth
    assert [r.accepted for r in oauth.token_requests] == [True]
    # The token handed back is the live one: Atlassian (the double) accepts it for the next refresh.
    form = {"grant_type": "refresh_token", "client_id": oauth.client_id, "client_secret": oauth.client_secret,
            "refresh_token": handed_back["credentials"]["refresh_token"]}
    assert requests.post(cloud.url + "/oauth/token", data=form, timeout=10).status_code == 200


def test_oauth_for_a_site_the_grant_does_not_cover_is_a_config_error(cloud):
    config = {**cloud.oauth.config(cloud.url), "site_url": "https://other-site.atlassian.net"}
    status = source_for(cloud).check(logging.getLogger("test"), config)
    assert status.status == Status.FAILED
    assert "site_url" in status.message and "does not cover https://other-site.atlassian.net" in status.message
    assert cloud.url in status.message  # names the sites it does cover


def test_scoped_api_token_reads_through_the_gateway(cloud):
    config = cloud.oauth.scoped_config(cloud.url)
    assert source_for(cloud).check(logging.getLogger("test"), config).status == Status.SUCCEEDED
    output = read(source_for(cloud), config, catalog(["spaces", "pages", "users"]))
    assert not output.errors
    records = records_by_stream(output)
    assert set(records["pages"]) == expected_ids(cloud.site)["pages"]
    assert records["users"] and not any(r.path.startswith("/oauth") for r in cloud.requests)
    assert sum(r.path == "/_edge/tenant_info" for r in cloud.requests) == 2  # once per run: check, read
    api_paths = [r.path for r in cloud.requests if "/wiki/" in r.path]
    assert all(p.startswith(f"/ex/confluence/{cloud.oauth.cloud_id}/wiki/") for p in api_paths)
    # Web links point at the site, not at the gateway.
    page = next(iter(records["pages"].values()))
    assert page["web_url"].startswith(cloud.url + "/wiki/spaces/")
    wrong = {**config, "credentials": {**config["credentials"], "api_token": "classic-or-expired"}}
    status = source_for(cloud).check(logging.getLogger("test"), wrong)
    assert status.status == Status.FAILED and "HTTP 401" in status.message and "scoped" in status.message


def test_an_access_token_revoked_mid_sync_is_refreshed_once_and_the_sync_completes(cloud, capsys):
    oauth = cloud.oauth
    config = {**oauth.config(cloud.url), "page_size": 25}
    # Atlassian revokes the access token just before the first next-page request arrives.
    cloud.faults.add(kind="delay", seconds=0, count=1, path_prefix=f"/ex/confluence/{oauth.cloud_id}/wiki/api/v2/pages",
                     query={"cursor": None}, action=oauth.expire_access_tokens)
    output = read(source_for(cloud), config, catalog(["pages"]))
    assert not output.errors
    assert set(records_by_stream(output)["pages"]) == expected_ids(cloud.site)["pages"]
    # One token request for the login, one for the 401; each rotated token is handed back.
    assert [r.accepted for r in oauth.token_requests] == [True, True]
    handed_back = control_configs(capsys.readouterr().out)
    assert len(handed_back) == 2
    assert handed_back[0]["credentials"]["refresh_token"] != handed_back[1]["credentials"]["refresh_token"]
