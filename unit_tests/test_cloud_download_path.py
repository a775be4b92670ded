"""Cloud downloads go through the REST download endpoint (a redirect to the media service), not the
deprecated `/download/attachments/` servlet the v2 `downloadLink` names."""

from __future__ import annotations

from source_confluence.api.cloud.download_path import cloud_download_path

LINK = "/download/attachments/42/a%20b.pdf?version=3&modificationDate=1&cacheVersion=1&api=v2"


def test_a_page_attachment_uses_the_rest_endpoint_with_its_version():
    attachment = {"id": "att7", "pageId": "42", "version": {"number": 3}, "downloadLink": LINK}
    assert cloud_download_path(attachment) == "/wiki/rest/api/content/42/child/attachment/att7/download?version=3"


def test_a_blog_post_attachment_without_a_version_gets_the_latest():
    assert cloud_download_path({"id": "att8", "blogPostId": "9"}) == "/wiki/rest/api/content/9/child/attachment/att8/download"


def test_ids_are_escaped_so_they_cannot_leave_the_path():
    path = cloud_download_path({"id": "../x?y", "pageId": "1/2", "version": {"number": 1}})
    assert path == "/wiki/rest/api/content/1%2F2/child/attachment/..%2Fx%3Fy/download?version=1"


def test_without_a_container_the_download_link_is_used_under_the_wiki():
    assert cloud_download_path({"id": "att9", "downloadLink": LINK}) == "/wiki" + LINK
    assert cloud_download_path({"id": "att9", "downloadLink": "/wiki" + LINK}) == "/wiki" + LINK
