"""Attachment downloads on Confluence Cloud go to Atlassian's media service: the site answers with a
redirect to a URL carrying its own token. The connector follows it only to the allowed media origins
(`AtlassianEndpoints.media_origins`, here the media double's loopback), sends it no credential, and
keeps the token out of every output."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from airbyte_cdk.models import AirbyteMessageSerializer
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from openapi_core.contrib.requests import RequestsOpenAPIRequest

from confluence_double import ConfluenceDouble, SiteSpec
from confluence_double.files import make_text
from confluence_double.media import MediaDouble
from integration_tests import openapi_contract as contract
from integration_tests.conftest import catalog, records_by_stream
from source_confluence import SourceConfluence
from source_confluence.http.auth import AtlassianEndpoints

SPEC = SiteSpec(spaces=1, pages=12, blog_posts=2, footer_comments=2, inline_comments=1, tasks=2,
                attachments=8, labels=2, users=3, seed=21, body_bytes=200)
ON = {"attachment_text": True}


@pytest.fixture
def sites() -> Iterator[tuple[ConfluenceDouble, MediaDouble]]:
    with ConfluenceDouble(SPEC) as cloud, MediaDouble(cloud.site) as media:
        media.serve_downloads_of(cloud)
        yield cloud, media


def _texts(cloud: ConfluenceDouble, count: int = 3) -> list:
    atts = [a for a in sorted(cloud.site.attachments.values(), key=lambda a: a.num) if a.status == "current"][:count]
    for number, att in enumerate(atts):
        cloud.site.upload_attachment_version(att.id, make_text([f"media file {number}"]), media_type="text/plain")
    return atts


def _sync(cloud: ConfluenceDouble, media_origins: tuple[str, ...], auth: str = "api_token") -> EntrypointOutput:
    config = {"api_token": cloud.config(), "scoped_api_token": cloud.oauth.scoped_config(cloud.url),
              "oauth2.0": cloud.oauth.config(cloud.url)}[auth]
    endpoints = AtlassianEndpoints(api_url=cloud.url, auth_url=cloud.url, media_origins=media_origins)
    return read(SourceConfluence(endpoints=endpoints), {**config, **ON}, catalog(["attachments"]))


def _everything_printed(output: EntrypointOutput) -> str:
    return "\n".join(json.dumps(AirbyteMessageSerializer.dump(message)) for message in output._messages or [])


@pytest.mark.parametrize("auth", ["api_token", "scoped_api_token", "oauth2.0"])
def test_files_are_read_through_the_media_redirect_without_credentials(sites, auth: str) -> None:
    cloud, media = sites
    atts = _texts(cloud)
    output = _sync(cloud, (media.url,), auth)
    records = records_by_stream(output)["attachments"]
    assert [(records[a.id]["text_status"], records[a.id]["text_content"]) for a in atts] == [
        ("ok", f"media file {n}\n") for n in range(len(atts))]
    redirects = [r for r in cloud.requests if r.path.endswith("/download")]
    assert all(r.path.startswith(("/wiki/rest/api/content/", "/ex/confluence/")) for r in redirects)
    assert redirects and {r.status for r in redirects} == {302}
    fetched = [r for r in media.requests if r.path.endswith("/binary")]
    assert len(fetched) == len(redirects) and {r.status for r in fetched} == {200}
    # Nothing that identifies the account reached the media host.
    assert media.service.received and all("authorization" not in h and "cookie" not in h
                                          for h in media.service.received)
    printed = _everything_printed(output)
    assert media.service.issued and not any(token in printed for token in media.service.issued)


def test_a_redirect_to_a_host_not_allowed_is_refused_with_its_status(sites) -> None:
    cloud, media = sites
    atts = _texts(cloud, 2)
    output = _sync(cloud, ("https://api.media.atlassian.com",))  # production's list; the double is elsewhere
    records = records_by_stream(output)["attachments"]
    assert {records[a.id]["text_status"] for a in atts} == {"failed: download redirected to another host (127.0.0.1)"}
    assert media.requests == []


def test_plain_http_to_the_media_host_is_not_followed_when_https_is_allowed(sites) -> None:
    cloud, media = sites
    att = _texts(cloud, 1)[0]
    output = _sync(cloud, (media.url.replace("http://", "https://"),))
    assert records_by_stream(output)["attachments"][att.id]["text_status"].startswith(
        "failed: download redirected to another host")
    assert media.requests == []


def test_the_media_service_refusing_its_token_fails_one_file_not_the_sync(sites) -> None:
    cloud, media = sites
    first, second = _texts(cloud, 2)
    media.faults.add(status=401, count=None, path_prefix=f"/file/{first.file_id}/")
    output = _sync(cloud, (media.url,))
    records = records_by_stream(output)["attachments"]
    assert [records[a.id]["text_status"] for a in (first, second)] == ["failed: media service answered HTTP 401", "ok"]
    assert not output.errors


def test_the_media_service_cannot_send_the_connector_back_to_the_site_or_elsewhere(sites) -> None:
    cloud, media = sites
    first, second = _texts(cloud, 2)
    media.faults.add(status=302, count=None, path_prefix=f"/file/{first.file_id}/",
                     headers={"Location": cloud.url + "/wiki/rest/api/space"}, body=b"")
    media.faults.add(status=302, count=None, path_prefix=f"/file/{second.file_id}/",
                     headers={"Location": "https://evil.example.net/x"}, body=b"")
    output = _sync(cloud, (media.url,))
    records = records_by_stream(output)["attachments"]
    assert [records[a.id]["text_status"] for a in (first, second)] == [
        "failed: download redirected to another host (127.0.0.1)",
        "failed: download redirected to another host (evil.example.net)"]
    assert not any(r.path == "/wiki/rest/api/space" for r in cloud.requests)


def test_a_token_in_a_failing_media_answer_stays_out_of_the_output(sites) -> None:
    cloud, media = sites
    att = _texts(cloud, 1)[0]
    media.faults.add(status=404, count=None, path_prefix=f"/file/{att.file_id}/")
    output = _sync(cloud, (media.url,))
    assert records_by_stream(output)["attachments"][att.id]["text_status"] == "failed: media service answered HTTP 404"
    printed = _everything_printed(output)
    assert media.service.issued and not any(token in printed for token in media.service.issued)


def test_the_download_request_conforms_to_the_v1_contract(sites, recorded) -> None:
    cloud, media = sites
    atts = _texts(cloud, 2)
    _sync(cloud, (media.url,))
    downloads = [r for r in recorded if "/child/attachment/" in (r.url or "")]
    assert {r.url.split("/attachment/")[1].split("/")[0] for r in downloads} >= {a.id for a in atts}
    v1 = contract.openapi_v1_cloud(cloud.url)
    for request in downloads:
        v1.validate_request(RequestsOpenAPIRequest(request))
