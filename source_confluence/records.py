"""Confluence API objects -> flat snake_case records, one function per object type.

Cloud v2 objects arrive camelCase and nested (`version.number`, `body.storage.value`); the warehouse
wants flat columns. Every function returns exactly the fields of its stream's JSON schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from source_confluence.body_text import storage_to_text, word_count
from source_confluence.timestamps import normalize_timestamp

DELETED_STATUSES = frozenset({"trashed", "deleted", "purged"})


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def web_url(base_url: str, links: Mapping[str, Any] | None) -> str | None:
    webui = (links or {}).get("webui")
    if not webui:
        return None
    if webui.startswith("http://") or webui.startswith("https://"):
        return webui
    return base_url.rstrip("/") + webui


def space_record(space: Mapping[str, Any]) -> dict[str, Any]:
    description = space.get("description") or {}
    plain = description.get("plain") if isinstance(description, Mapping) else None
    return {
        "id": str(space["id"]),
        "key": _str(space.get("key")),
        "name": _str(space.get("name")),
        "type": _str(space.get("type")),
        "status": _str(space.get("status")),
        "description": _str(plain.get("value")) if isinstance(plain, Mapping) else None,
        "homepage_id": _str(space.get("homepageId")),
        "author_id": _str(space.get("authorId")),
        "created_at": normalize_timestamp(space.get("createdAt")),
        "web_url": web_url(space.get("_base_url", ""), space.get("_links")),
    }


def _body_fields(content: Mapping[str, Any], user_names: Mapping[str, str] | None) -> dict[str, Any]:
    body = content.get("body") or {}
    storage = body.get("storage") if isinstance(body, Mapping) else None
    value = storage.get("value") if isinstance(storage, Mapping) else None
    if value is None:
        return {"body_storage": None, "body_text": None, "word_count": None}
    text = storage_to_text(value, user_names)
    return {"body_storage": value, "body_text": text, "word_count": word_count(text)}


def content_record(
    content: Mapping[str, Any], base_url: str, user_names: Mapping[str, str] | None = None,
    with_parent: bool = True,
) -> dict[str, Any]:
    """A page or blog post (v2 shape) as a record; `with_parent` adds the page-only tree fields."""
    version = content.get("version") or {}
    status = _str(content.get("status"))
    updated_at = normalize_timestamp(version.get("createdAt")) or normalize_timestamp(content.get("createdAt"))
    record: dict[str, Any] = {
        "id": str(content["id"]),
        "space_id": _str(content.get("spaceId")),
        "title": _str(content.get("title")),
        "status": status,
    }
    if with_parent:
        record["parent_id"] = _str(content.get("parentId"))
        record["parent_type"] = _str(content.get("parentType"))
        record["position"] = _int(content.get("position"))
    body = _body_fields(content, user_names)
    record.update(
        {
            "author_id": _str(content.get("authorId")),
            "owner_id": _str(content.get("ownerId")),
            "created_at": normalize_timestamp(content.get("createdAt")),
            "updated_at": updated_at,
            "version_number": _int(version.get("number")),
            "version_author_id": _str(version.get("authorId")),
            "version_message": _str(version.get("message")),
            "minor_edit": version.get("minorEdit") if isinstance(version.get("minorEdit"), bool) else None,
            "body_storage": body["body_storage"],
            "body_text": body["body_text"],
            "word_count": body["word_count"],
            "web_url": web_url(base_url, content.get("_links")),
            "deleted_at": updated_at if status in DELETED_STATUSES else None,
        }
    )
    return record
