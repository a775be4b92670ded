"""Where Confluence Cloud serves an attachment's file.

The v2 `downloadLink` is the web servlet path (`/download/attachments/{container}/{file}`), which
Atlassian deprecated for API clients on Cloud (it answers API tokens with 401). The REST endpoint
`/wiki/rest/api/content/{container id}/child/attachment/{attachment id}/download` (v1 contract,
scope `read:attachment:confluence`, also through the OAuth gateway) answers with a redirect to the
media service, which `http/media.py` follows without credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

CONTAINER_FIELDS = ("pageId", "blogPostId", "customContentId")


def cloud_download_path(attachment: Mapping[str, Any]) -> str:
    """The REST download path of this version of the attachment; the `downloadLink` (under /wiki)
    when the object names no container."""
    container = next((str(attachment[k]) for k in CONTAINER_FIELDS if attachment.get(k)), None)
    attachment_id = attachment.get("id")
    if container and attachment_id:
        path = (f"/wiki/rest/api/content/{quote(container, safe='')}/child/attachment/"
                f"{quote(str(attachment_id), safe='')}/download")
        version = (attachment.get("version") or {}).get("number")
        return f"{path}?version={version}" if isinstance(version, int) else path
    link = str(attachment.get("downloadLink") or "")
    # v2's downloadLink is relative to the wiki (`_links.base`); the gateway adds its own prefix.
    return link if link.startswith("/wiki/") else "/wiki" + link
