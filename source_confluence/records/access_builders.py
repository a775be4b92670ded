"""Records of who can do what: groups, group members, audit events and space permissions.

The API objects arrive in one shape from both flavours (`api.AccessApi`); these are pure functions
from them to the flat records of `groups`, `group_members`, `audit_records` and `space_permissions`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from source_confluence.records.values import mapping_of, optional_str
from source_confluence.timestamps import normalize_timestamp


def group_record(group: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": optional_str(group.get("id")), "name": optional_str(group.get("name")),
            "type": optional_str(group.get("type")), "managed_by": optional_str(group.get("managedBy"))}


def group_member_record(group: Mapping[str, Any], member: Mapping[str, Any], observed_at: str) -> dict[str, Any] | None:
    """None for a member without an account id (nothing to key it by). `observed_at`: the sync's
    start, the row's cursor (`updated_at`)."""
    group_id, account_id = optional_str(group.get("id")), optional_str(member.get("accountId"))
    if group_id is None or account_id is None:
        return None
    return {"id": f"{group_id}:{account_id}", "group_id": group_id, "group_name": optional_str(group.get("name")),
            "account_id": account_id, "username": optional_str(member.get("username")),
            "display_name": optional_str(member.get("displayName")),
            "account_type": optional_str(member.get("accountType")), "updated_at": observed_at, "deleted_at": None}


def audit_id(event: Mapping[str, Any]) -> str:
    """The event's own id where the API gives one, else the sha256 hex of its canonical JSON (keys
    sorted, no spaces, UTF-8): the same event read twice gets the same id."""
    own = optional_str(event.get("id"))
    if own is not None:
        return own
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _objects(value: Any) -> list[dict[str, Any]]:
    found = value if isinstance(value, list) else []
    return [{"name": optional_str(mapping_of(item).get("name")), "type": optional_str(mapping_of(item).get("objectType"))}
            for item in found]


def _changes(value: Any) -> list[dict[str, Any]]:
    found = value if isinstance(value, list) else []
    return [{"name": optional_str(mapping_of(item).get("name")), "old_value": optional_str(mapping_of(item).get("oldValue")),
             "new_value": optional_str(mapping_of(item).get("newValue"))} for item in found]


def audit_record(event: Mapping[str, Any]) -> dict[str, Any]:
    """`author_account_id`: Cloud's account id, Data Center's user key. `is_system_event`: the
    API's `sysAdmin` (an event of the system or a system administrator)."""
    author, affected = mapping_of(event.get("author")), mapping_of(event.get("affectedObject"))
    system = event.get("sysAdmin")
    return {
        "id": audit_id(event),
        "created_at": normalize_timestamp(event.get("creationDate")),
        "author_account_id": optional_str(author.get("accountId")) or optional_str(author.get("userKey")),
        "author_display_name": optional_str(author.get("displayName")),
        "remote_address": optional_str(event.get("remoteAddress")) or None,
        "category": optional_str(event.get("category")),
        "summary": optional_str(event.get("summary")),
        "description": optional_str(event.get("description")),
        "affected_object_name": optional_str(affected.get("name")),
        "affected_object_type": optional_str(affected.get("objectType")),
        "changed_values": _changes(event.get("changedValues")),
        "associated_objects": _objects(event.get("associatedObjects")),
        "is_system_event": system if isinstance(system, bool) else None,
    }


def space_permission_record(space: Mapping[str, Any], grant: Mapping[str, Any],
                            observed_at: str) -> dict[str, Any] | None:
    """None for a grant without a principal type or operation (nothing to key it by). `observed_at`:
    as `group_member_record`'s."""
    space_id, kind = optional_str(space.get("id")), optional_str(grant.get("principalType"))
    key, target = optional_str(grant.get("operation")), optional_str(grant.get("targetType"))
    if space_id is None or kind is None or key is None:
        return None
    key, target = key.lower(), (target or "space").lower()
    principal_id = optional_str(grant.get("principalId"))
    return {
        "id": f"{space_id}:{kind}:{principal_id or '-'}:{key}:{target}",
        "space_id": space_id, "space_key": optional_str(space.get("key")),
        "principal_type": kind, "principal_id": principal_id,
        "operation_key": key, "operation_target": target,
        "granted_through": optional_str(grant.get("grantedThrough")),
        "role_id": optional_str(grant.get("roleId")), "role_name": optional_str(grant.get("roleName")),
        "updated_at": observed_at, "deleted_at": None,
    }
