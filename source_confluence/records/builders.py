"""Confluence API objects -> flat snake_case records, one function per object type.

Cloud v2 objects arrive camelCase and nested (`version.number`, `body.storage.value`); the warehouse
wants flat columns. Every function returns exactly the fields of its stream's JSON schema; those
whose records name accounts return them with the record (a `Built`, see `references`), so the
partition can hand them to the sync's collector. Nothing here writes anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from source_confluence.records.body_text import storage_to_text, storage_to_texts, word_count
from source_confluence.records.references import Built, References
from source_confluence.records.values import mapping_of, optional_str
from source_confluence.timestamps import normalize_timestamp

DELETED_STATUSES = frozenset({"trashed", "deleted", "purged"})


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite float
        return None


def web_url(base_url: str, links: Mapping[str, Any] | None) -> str | None:
    webui = mapping_of(links).get("webui")
    if not isinstance(webui, str) or not webui:
        return None
    if webui.startswith("http://") or webui.startswith("https://"):  # ignore-https-check: an absolute link
        return webui
    return base_url.rstrip("/") + webui


def space_record(space: Mapping[str, Any]) -> dict[str, Any]:
    description = space.get("description") or {}
    plain = description.get("plain") if isinstance(description, Mapping) else None
    return {
        "id": str(space["id"]),
        "key": optional_str(space.get("key")),
        "name": optional_str(space.get("name")),
        "type": optional_str(space.get("type")),
        "status": optional_str(space.get("status")),
        "description": optional_str(plain.get("value")) if isinstance(plain, Mapping) else None,
        "homepage_id": optional_str(space.get("homepageId")),
        "author_id": optional_str(space.get("authorId")),
        "created_at": normalize_timestamp(space.get("createdAt")),
        "web_url": web_url(space.get("_base_url", ""), space.get("_links")),
    }


def storage_value(content: Mapping[str, Any]) -> str | None:
    """The storage-format body of a page, blog post, comment or task; None when not sent."""
    body = content.get("body") or {}
    storage = body.get("storage") if isinstance(body, Mapping) else None
    value = storage.get("value") if isinstance(storage, Mapping) else None
    return value if isinstance(value, str) else None


BodyTexts = Mapping[str, str | None]
"""storage body -> body_text, converted for a whole page of results at once (see body_texts)."""


class CountedTexts(dict[str, str | None]):
    """`BodyTexts` with the word count of each text, counted where the texts were converted (the body
    pool's worker, records/body_pool.py): counting 100,000 page texts was ~2.5% of a full sync's GIL."""

    def __init__(self, texts: Mapping[str, str | None], word_counts: Mapping[str, int]) -> None:
        super().__init__(texts)
        self.word_counts = word_counts


def body_texts(items: Iterable[Mapping[str, Any]], user_names: Mapping[str, str] | None = None) -> BodyTexts:
    """The body_text of every item of a page of results, converted together: one XML parse for
    the page instead of one per body (body_text.storage_to_texts), which is what lets a
    connector thread keep the GIL. Pass the result to the record functions as `texts`, with the
    same `user_names`: a text is a function of its body and the names only."""
    values = [value for value in map(storage_value, items) if value]
    return dict(zip(values, storage_to_texts(values, user_names), strict=True))


def _text(value: str, user_names: Mapping[str, str] | None, texts: BodyTexts | None) -> str | None:
    if texts is not None:
        if value in texts:
            return texts[value]
    return storage_to_text(value, user_names)




def _body_fields(content: Mapping[str, Any], user_names: Mapping[str, str] | None,
                 texts: BodyTexts | None = None) -> dict[str, Any]:
    value = storage_value(content)
    if value is None:
        return {"body_storage": None, "body_text": None, "word_count": None}
    text = _text(value, user_names, texts)
    counted = texts.word_counts.get(value) if isinstance(texts, CountedTexts) else None
    return {"body_storage": value, "body_text": text, "word_count": word_count(text) if counted is None else counted}


def content_record(
    content: Mapping[str, Any], base_url: str, user_names: Mapping[str, str] | None = None,
    with_parent: bool = True, texts: BodyTexts | None = None,
) -> Built:
    """A page or blog post (v2 shape) as a record naming its author, owner and version author;
    `with_parent` adds the page-only tree fields."""
    version = mapping_of(content.get("version"))
    status = optional_str(content.get("status"))
    updated_at = normalize_timestamp(version.get("createdAt")) or normalize_timestamp(content.get("createdAt"))
    record: dict[str, Any] = {
        "id": str(content["id"]),
        "space_id": optional_str(content.get("spaceId")),
        "title": optional_str(content.get("title")),
        "status": status,
    }
    if with_parent:
        record["parent_id"] = optional_str(content.get("parentId"))
        record["parent_type"] = optional_str(content.get("parentType"))
        record["position"] = _int(content.get("position"))
    body = _body_fields(content, user_names, texts)
    record.update(
        {
            "author_id": optional_str(content.get("authorId")),
            "owner_id": optional_str(content.get("ownerId")),
            "created_at": normalize_timestamp(content.get("createdAt")),
            "updated_at": updated_at,
            "version_number": _int(version.get("number")),
            "version_author_id": optional_str(version.get("authorId")),
            "version_message": optional_str(version.get("message")),
            "minor_edit": version.get("minorEdit") if isinstance(version.get("minorEdit"), bool) else None,
            "body_storage": body["body_storage"],
            "body_text": body["body_text"],
            "word_count": body["word_count"],
            "web_url": web_url(base_url, content.get("_links")),
            "deleted_at": updated_at if status in DELETED_STATUSES else None,
        }
    )
    return Built(record, References.of_accounts(record["author_id"], record["owner_id"], record["version_author_id"]))


def container_of(raw: Mapping[str, Any]) -> tuple[str | None, str | None]:
    if raw.get("pageId"):
        return str(raw["pageId"]), "page"
    if raw.get("blogPostId"):
        return str(raw["blogPostId"]), "blogpost"
    return None, None


def comment_record(
    comment: Mapping[str, Any], comment_type: str, base_url: str, space_id: str | None,
    user_names: Mapping[str, str] | None = None, texts: BodyTexts | None = None,
    first_version: Mapping[str, Any] | None = None,
) -> Built:
    """The comment, naming its author. `first_version`: its version 1 (a v2 DetailedVersion), when
    it was looked up."""
    version = mapping_of(comment.get("version"))
    status = optional_str(comment.get("status"))
    updated_at = normalize_timestamp(version.get("createdAt"))
    container_id, container_type = container_of(comment)
    properties = comment.get("properties") or {}
    selection = None
    if isinstance(properties, Mapping):
        selection = properties.get("inlineOriginalSelection") or properties.get("inline-original-selection")
    body = _body_fields(comment, user_names, texts)
    # v2 comments carry no createdAt: the first version's time is the creation time.
    created_at = (normalize_timestamp(comment.get("createdAt")) or (updated_at if version.get("number") == 1 else None)
                  or normalize_timestamp(mapping_of(first_version).get("createdAt")))
    record: dict[str, Any] = {
        "id": str(comment["id"]),
        "comment_type": comment_type,
        "container_id": container_id,
        "container_type": container_type,
        "space_id": space_id,
        "parent_comment_id": optional_str(comment.get("parentCommentId")),
        "status": status,
        "resolution_status": optional_str(comment.get("resolutionStatus")) if comment_type == "inline" else None,
        "inline_original_selection": optional_str(selection) if comment_type == "inline" else None,
        "title": optional_str(comment.get("title")),
        "author_id": optional_str(version.get("authorId")),
        "created_at": created_at,
        "updated_at": updated_at,
        "version_number": _int(version.get("number")),
        "body_storage": body["body_storage"],
        "body_text": body["body_text"],
        "web_url": web_url(base_url, comment.get("_links")),
        "deleted_at": updated_at if status in DELETED_STATUSES else None,
    }
    return Built(record, References.of_accounts(record["author_id"]))


def attachment_record(attachment: Mapping[str, Any], base_url: str, space_id: str | None) -> Built:
    """The attachment's metadata, naming its author."""
    version = mapping_of(attachment.get("version"))
    status = optional_str(attachment.get("status"))
    updated_at = normalize_timestamp(version.get("createdAt")) or normalize_timestamp(attachment.get("createdAt"))
    container_id, container_type = container_of(attachment)
    download = attachment.get("downloadLink")
    webui = attachment.get("webuiLink")
    record: dict[str, Any] = {
        "id": str(attachment["id"]),
        "title": optional_str(attachment.get("title")),
        "media_type": optional_str(attachment.get("mediaType")),
        "file_size": _int(attachment.get("fileSize")),
        "comment": optional_str(attachment.get("comment")),
        "container_id": container_id,
        "container_type": container_type,
        "space_id": space_id,
        "status": status,
        "author_id": optional_str(version.get("authorId")),
        "created_at": normalize_timestamp(attachment.get("createdAt")),
        "updated_at": updated_at,
        "version_number": _int(version.get("number")),
        "download_url": web_url(base_url, {"webui": download}) if download else None,
        "web_url": web_url(base_url, {"webui": webui}) if webui else web_url(base_url, attachment.get("_links")),
        "deleted_at": updated_at if status in DELETED_STATUSES else None,
        # Filled by the stream when attachment_text is on (streams/attachment_text.py).
        "text_content": None,
        "text_extracted_at": None,
        "text_status": None,
    }
    return Built(record, References.of_accounts(record["author_id"]))


def task_record(task: Mapping[str, Any], texts: BodyTexts | None = None) -> Built:
    """The task, naming its creator, assignee and completer."""
    container_id, container_type = container_of(task)
    value = storage_value(task)
    record: dict[str, Any] = {
        "id": str(task["id"]),
        "local_id": optional_str(task.get("localId")),
        "container_id": container_id,
        "container_type": container_type,
        "space_id": optional_str(task.get("spaceId")),
        "status": optional_str(task.get("status")),
        "body_text": _text(value, None, texts) if value is not None else None,
        "created_by": optional_str(task.get("createdBy")),
        "assigned_to": optional_str(task.get("assignedTo")),
        "completed_by": optional_str(task.get("completedBy")),
        "due_at": normalize_timestamp(task.get("dueAt")),
        "created_at": normalize_timestamp(task.get("createdAt")),
        "updated_at": normalize_timestamp(task.get("updatedAt")) or normalize_timestamp(task.get("createdAt")),
        "completed_at": normalize_timestamp(task.get("completedAt")),
        "deleted_at": None,
    }
    return Built(record, References.of_accounts(record["created_by"], record["assigned_to"], record["completed_by"]))


def task_tombstone(task_id: str, container_id: str, container_type: str, space_id: str | None,
                   deleted_at: str) -> dict[str, Any]:
    """A task gone from its container's body, or with its container."""
    return {**tombstone_record(task_id, deleted_at, space_id=space_id), "container_id": container_id,
            "container_type": container_type}


def label_record(label: Mapping[str, Any], content_id: str, content_type: str, space_id: str | None,
                 read_at: str) -> dict[str, Any]:
    """`read_at`: the start of the sync that read the label (the stream's cursor)."""
    return {
        "id": f"{content_id}:{label['id']}",
        "content_id": content_id,
        "content_type": content_type,
        "space_id": space_id,
        "label_id": str(label["id"]),
        "label_name": optional_str(label.get("name")),
        "label_prefix": optional_str(label.get("prefix")),
        "updated_at": read_at,
        "deleted_at": None,
    }


def user_record(user: Mapping[str, Any], base_url: str, resolved_at: str) -> dict[str, Any]:
    account_id = str(user["accountId"])
    return {
        "account_id": account_id,
        "display_name": optional_str(user.get("displayName")),
        "public_name": optional_str(user.get("publicName")),
        "email": optional_str(user.get("email")),
        "account_type": optional_str(user.get("accountType")),
        "account_status": optional_str(user.get("accountStatus")),
        # Data Center users carry their profile link (/display/~username); Cloud's is /people/{id}.
        "profile_url": web_url(base_url, user.get("_links")) or f"{base_url.rstrip('/')}/people/{account_id}",
        "resolved_at": resolved_at,
    }


def tombstone_record(content_id: str, deleted_at: str, **fields: Any) -> dict[str, Any]:
    """What a purged item becomes: status deleted, deleted_at set, the cursor at the detection time."""
    return {"id": content_id, "status": "deleted", "updated_at": deleted_at, "deleted_at": deleted_at, **fields}
