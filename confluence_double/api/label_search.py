"""Labels, versions and attachments in Cloud's v1 CQL search (`/wiki/rest/api/content/search`).

`expand=metadata.labels` embeds each result's labels as a v1 `LabelArray`, a page of its own: the first
`Site.embedded_label_limit` labels, with `limit`, `size` and a `_links.next` to the content's label
list when it holds more (a test lowers the limit to cut long lists). `expand=version` gives the v1
`Version` (`number`, `when`, `by`, `minorEdit`). Attachments are content too: CQL finds one by its
content id (the v2 id without `att`), and v1 answers with the `att` id, as Cloud does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..model import Attachment, Site, Version, iso

ATTACHMENT_PREFIX = "att"


def attachment_by_content_id(site: Site, content_id: str) -> Attachment | None:
    return site.attachments.get(ATTACHMENT_PREFIX + content_id)


def attachment_facts(site: Site, attachment: Attachment, name: str) -> list[str] | datetime | None:
    if name == "type":
        return ["attachment"]
    if name in ("space", "space.key"):
        container = site.pages.get(attachment.container_id) or site.blog_posts.get(attachment.container_id)
        return [site.spaces[container.space_id].key] if container else []
    if name == "id":
        return [attachment.id.removeprefix(ATTACHMENT_PREFIX)]
    if name == "title":
        return [attachment.title]
    if name == "lastmodified":
        return attachment.version.created_at
    if name == "created":
        return attachment.created_at
    return None


def v1_attachment(attachment: Attachment, wiki_base: str) -> dict[str, Any]:
    return {"id": attachment.id, "type": "attachment", "status": attachment.status, "title": attachment.title,
            "_expandable": {}, "_links": {"self": f"{wiki_base}/rest/api/content/{attachment.id}"}}


def v1_labels(site: Site, content_id: str, wiki_base: str) -> dict[str, Any]:
    """A result's embedded `LabelArray`: its first page of labels, with the link to the rest."""
    labels = site.labels_of(content_id)
    limit = site.embedded_label_limit
    page = labels[:limit]
    links: dict[str, Any] = {"base": wiki_base, "context": "/wiki",
                             "self": f"{wiki_base}/rest/api/content/{content_id}/label"}
    if len(labels) > limit:
        links["next"] = f"/rest/api/content/{content_id}/label?start={limit}&limit={limit}"
    return {"results": [{"prefix": lb.prefix, "name": lb.name, "id": lb.id, "label": lb.name} for lb in page],
            "start": 0, "limit": limit, "size": len(page), "_links": links}


def v1_version(version: Version, user: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return {"by": user(version.author_id), "when": iso(version.created_at), "number": version.number,
            "message": version.message, "minorEdit": version.minor_edit}


def add_expansions(doc: dict[str, Any], site: Site, content_id: str, version: Version, expand: frozenset[str],
                   wiki_base: str, user: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """`doc` (a v1 Content) with `metadata.labels` and `version` when asked (else listed as expandable)."""
    expandable = doc.setdefault("_expandable", {})
    if "metadata.labels" in expand or "metadata" in expand:
        doc["metadata"] = {"labels": v1_labels(site, content_id, wiki_base), "_expandable": {}}
    else:
        expandable["metadata"] = ""
    if "version" in expand:
        doc["version"] = v1_version(version, user)
    else:
        expandable["version"] = ""
    return doc
