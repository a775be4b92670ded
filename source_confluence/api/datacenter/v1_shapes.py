"""Data Center REST v1 objects -> the Cloud v2 shapes `records/builders.py` reads, in one place.

What v1 on Data Center does not carry stays absent (the record field is null): page owners, space
authors and creation times, a task's creator, completer and its own timestamps, user emails and
account types. Users are identified by user key (`accountId` holds it), with the username as
`publicName`. Timestamps arrive in the server's time zone with an offset and leave as UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from source_confluence.records.values import mapping_of, optional_str
from source_confluence.timestamps import normalize_timestamp


def user_key(user: Any) -> str | None:
    """The user key of a v1 user object; None for anonymous or unknown users."""
    return optional_str(mapping_of(user).get("userKey"))


def user(v1: Mapping[str, Any]) -> dict[str, Any] | None:
    key = user_key(v1)
    if key is None:
        return None
    username = optional_str(v1.get("username"))
    return {
        "accountId": key,
        "displayName": optional_str(v1.get("displayName")),
        "publicName": username,
        "email": optional_str(v1.get("email")),
        "accountType": None,
        "accountStatus": None,
        # Data Center profiles live at /display/~username (there is no /people/{id}).
        "_links": {"webui": f"/display/~{quote(username)}"} if username else {},
    }


def users_in(v1: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every user object an expanded v1 content object carries."""
    history, version = mapping_of(v1.get("history")), mapping_of(v1.get("version"))
    resolution = mapping_of(mapping_of(v1.get("extensions")).get("resolution"))
    for candidate in (history.get("createdBy"), version.get("by"), resolution.get("lastModifier")):
        if user_key(candidate):
            yield mapping_of(candidate)


def _version(v1: Mapping[str, Any]) -> dict[str, Any] | None:
    version = mapping_of(v1.get("version"))
    if not version:
        return None
    return {
        "number": version.get("number"),
        "createdAt": normalize_timestamp(version.get("when")),
        "authorId": user_key(version.get("by")),
        "message": version.get("message") or "",
        "minorEdit": version.get("minorEdit") if isinstance(version.get("minorEdit"), bool) else None,
    }


def _body(v1: Mapping[str, Any]) -> dict[str, Any] | None:
    storage = mapping_of(mapping_of(v1.get("body")).get("storage"))
    if "value" not in storage:
        return None
    return {"storage": {"representation": "storage", "value": storage["value"]}}


def _links(v1: Mapping[str, Any]) -> dict[str, Any]:
    links = mapping_of(v1.get("_links"))
    return {key: links[key] for key in ("webui", "tinyui", "download") if key in links}


def _position(v1: Mapping[str, Any]) -> int | None:
    position = mapping_of(v1.get("extensions")).get("position")
    # Data Center says "none" for pages at the top of a space.
    return position if isinstance(position, int) and not isinstance(position, bool) else None


def space(v1: Mapping[str, Any]) -> dict[str, Any]:
    plain = mapping_of(mapping_of(v1.get("description")).get("plain"))
    out: dict[str, Any] = {
        "id": str(v1["id"]),
        "key": v1.get("key"),
        "name": v1.get("name"),
        "type": v1.get("type"),
        "status": v1.get("status"),
        "homepageId": optional_str(mapping_of(v1.get("homepage")).get("id")),
        "labels": labels_of(v1),
        "_links": _links(v1),
    }
    if "value" in plain:
        out["description"] = {"plain": {"representation": "plain", "value": plain["value"]}}
    return out


def content(v1: Mapping[str, Any]) -> dict[str, Any]:
    """A page or blog post."""
    history = mapping_of(v1.get("history"))
    ancestors = v1.get("ancestors") if isinstance(v1.get("ancestors"), list) else []
    parent = mapping_of(ancestors[-1]) if ancestors and v1.get("type") == "page" else {}
    out: dict[str, Any] = {
        "id": str(v1["id"]),
        "type": v1.get("type"),
        "status": v1.get("status"),
        "title": v1.get("title"),
        "spaceId": optional_str(mapping_of(v1.get("space")).get("id")),
        "authorId": user_key(history.get("createdBy")),
        "createdAt": normalize_timestamp(history.get("createdDate")),
        "version": _version(v1),
        "labels": labels_of(v1),
        "_links": _links(v1),
    }
    if v1.get("type") == "page":
        out["parentId"] = optional_str(parent.get("id"))
        out["parentType"] = optional_str(parent.get("type")) if parent else None
        out["position"] = _position(v1)
    body = _body(v1)
    if body is not None:
        out["body"] = body
    return out


def _container(v1: Mapping[str, Any]) -> dict[str, str]:
    container = mapping_of(v1.get("container"))
    container_id = optional_str(container.get("id"))
    if container_id is None:
        return {}
    return {"pageId": container_id} if container.get("type") == "page" else (
        {"blogPostId": container_id} if container.get("type") == "blogpost" else {})


def comment(v1: Mapping[str, Any]) -> dict[str, Any]:
    extensions = mapping_of(v1.get("extensions"))
    history = mapping_of(v1.get("history"))
    ancestors = [a for a in v1.get("ancestors") or [] if mapping_of(a).get("type") == "comment"]
    inline = extensions.get("location") in ("inline", "resolved")
    out: dict[str, Any] = {
        "id": str(v1["id"]),
        "status": v1.get("status"),
        "title": v1.get("title"),
        **_container(v1),
        "createdAt": normalize_timestamp(history.get("createdDate")),
        "version": _version(v1),
        "_comment_type": "inline" if inline else "footer",
        "_links": _links(v1),
    }
    if ancestors:
        out["parentCommentId"] = optional_str(mapping_of(ancestors[-1]).get("id"))
    if inline:
        resolution = mapping_of(extensions.get("resolution"))
        properties = mapping_of(extensions.get("inlineProperties"))
        out["resolutionStatus"] = optional_str(resolution.get("status"))
        out["resolutionLastModifiedAt"] = normalize_timestamp(resolution.get("lastModifiedDate"))
        out["resolutionLastModifierId"] = user_key(resolution.get("lastModifier"))
        out["properties"] = {"inlineMarkerRef": properties.get("markerRef"),
                             "inlineOriginalSelection": properties.get("originalSelection")}
    body = _body(v1)
    if body is not None:
        out["body"] = body
    return out


def attachment(v1: Mapping[str, Any]) -> dict[str, Any]:
    extensions, metadata = mapping_of(v1.get("extensions")), mapping_of(v1.get("metadata"))
    links = mapping_of(v1.get("_links"))
    return {
        "id": str(v1["id"]),
        "status": v1.get("status"),
        "title": v1.get("title"),
        "createdAt": normalize_timestamp(mapping_of(v1.get("history")).get("createdDate")),
        **_container(v1),
        "mediaType": extensions.get("mediaType") or metadata.get("mediaType"),
        "fileSize": extensions.get("fileSize"),
        "comment": extensions.get("comment") if "comment" in extensions else metadata.get("comment"),
        "webuiLink": links.get("webui"),
        "downloadLink": links.get("download"),
        "version": _version(v1),
        "labels": labels_of(v1),
        "_links": _links(v1),
    }


def converted(v1: Mapping[str, Any]) -> dict[str, Any]:
    kind = v1.get("type")
    if kind == "comment":
        return comment(v1)
    if kind == "attachment":
        return attachment(v1)
    return content(v1)


def labels_of(v1: Mapping[str, Any]) -> list[dict[str, Any]]:
    labels = mapping_of(v1.get("metadata")).get("labels")
    results = labels.get("results") if isinstance(labels, Mapping) else labels
    return [{"id": str(label["id"]), "name": label.get("name"), "prefix": label.get("prefix")}
            for label in results or [] if isinstance(label, Mapping) and label.get("id") is not None]


# ---- tasks from storage ---------------------------------------------------------------------------
_TASK_TAG = re.compile(r"<(/?)ac:task(?=[\s>/])[^>]*>")
_TASK_FIELD = {name: re.compile(rf"<ac:{name}>(.*?)</ac:{name}>", re.S) for name in ("task-id", "task-status")}
_TASK_BODY = re.compile(r"<ac:task-body>(.*)</ac:task-body>", re.S)
_TASK_LIST = re.compile(r"<(/?)ac:task-list(?=[\s>/])[^>]*>")
_ASSIGNEE = re.compile(r'<ri:user\s[^>]*?ri:(?:userkey|account-id)="([^"]+)"')
_DUE = re.compile(r'<time\s[^>]*?datetime="([0-9]{4}-[0-9]{2}-[0-9]{2})"')


def tasks_in_storage(storage: str | None) -> list[tuple[str, str, str]]:
    """(local id, status, body storage) of every task in a body, in body order.

    A task's body may hold a nested task list; its tasks are listed on their own, and the outer body
    keeps the text before the nested list only.
    """
    if not storage or "<ac:task" not in storage:
        return []
    found: list[tuple[int, str, str, str]] = []
    stack: list[tuple[int, int]] = []
    for match in _TASK_TAG.finditer(storage):
        if match.group(1) == "" and not match.group(0).endswith("/>"):
            stack.append((match.start(), match.end()))
        elif match.group(1) == "/" and stack:
            opened_at, inner_from = stack.pop()
            inner = _outer(storage[inner_from:match.start()])
            local_id = _TASK_FIELD["task-id"].search(inner)
            status = _TASK_FIELD["task-status"].search(inner)
            body = _TASK_BODY.search(inner)
            if local_id:
                found.append((opened_at, local_id.group(1).strip(),
                              status.group(1).strip() if status else "incomplete", body.group(1) if body else ""))
    # Nested tasks close first; body order is the order their tags open in.
    return [(local_id, status, body) for _, local_id, status, body in sorted(found)]


def _outer(fragment: str) -> str:
    """`fragment` without nested task lists."""
    if "<ac:task-list" not in fragment:
        return fragment
    out, depth, last = [], 0, 0
    for match in _TASK_LIST.finditer(fragment):
        if match.group(1) == "":
            if depth == 0:
                out.append(fragment[last:match.start()])
            depth += 1
        else:
            depth = max(depth - 1, 0)
            if depth == 0:
                last = match.end()
    if depth == 0:
        out.append(fragment[last:])
    return "".join(out)


def tasks_of(container: Mapping[str, Any], container_type: str) -> list[dict[str, Any]]:
    """The tasks of a page or blog post (v2 shape), as v2 task objects.

    Data Center keeps tasks only in the body, so the id is `<container id>-<local id>`, the status
    and body come from the storage, the assignee is the first user mentioned in the task and the due
    date its date; the creator, completer and the task's own times are unknown (null). `updatedAt`
    is the container's last modification, when the task was last saved.
    """
    body = mapping_of(mapping_of(container.get("body")).get("storage")).get("value")
    container_id = str(container["id"])
    updated_at = normalize_timestamp(mapping_of(container.get("version")).get("createdAt"))
    tasks = []
    for local_id, status, task_body in tasks_in_storage(body):
        assignee = _ASSIGNEE.search(task_body)
        due = _DUE.search(task_body)
        tasks.append({
            "id": f"{container_id}-{local_id}",
            "localId": local_id,
            "spaceId": container.get("spaceId"),
            "pageId" if container_type == "page" else "blogPostId": container_id,
            "status": status if status in ("complete", "incomplete") else "incomplete",
            "body": {"storage": {"representation": "storage", "value": task_body}},
            "assignedTo": assignee.group(1) if assignee else None,
            "dueAt": normalize_timestamp(due.group(1)) if due else None,
            "updatedAt": updated_at,
        })
    return tasks
