"""What `groups`, `group_members`, `audit_records` and `space_permissions` must carry, computed from
the double's site model (not from the connector), for each flavour."""

from __future__ import annotations

import hashlib
import json

from confluence_double import Site, user_key
from confluence_double.api.permissions import audit_json
from confluence_double.model import iso
from confluence_double.model.permissions import ALL_LICENSED_CLASS, ANONYMOUS_CLASS, AuditEvent

CLASSES = {ANONYMOUS_CLASS: "anonymous", ALL_LICENSED_CLASS: "all_licensed_users"}


def expected_groups(site: Site, datacenter: bool) -> set[str]:
    return {g.name if datacenter else g.id for g in site.access.groups.values()}


def expected_members(site: Site, datacenter: bool) -> set[str]:
    return {f"{g.name}:{user_key(a)}" if datacenter else f"{g.id}:{a}"
            for g in site.access.groups.values() for a in g.members}


def expected_audit(site: Site) -> list[tuple[str, str, str]]:
    """(created_at, category, summary) of every event, oldest first."""
    return sorted((iso(e.created_at), e.category, e.summary) for e in site.access.audit)


def expected_space_permissions(site: Site, datacenter: bool) -> set[str]:
    access, out = site.access, set()
    for g in access.grants:
        if datacenter and g.principal_type == "role":
            continue  # Data Center has no roles
        principal = g.principal_id
        if datacenter and g.principal_type == "user":
            principal = user_key(principal)
        if datacenter and g.principal_type == "group":
            principal = access.groups[principal].name
        out.add(f"{g.space_id}:{g.principal_type}:{principal}:{g.operation}:{g.target}")
    for a in access.role_assignments:
        if a.principal_type == "ACCESS_CLASS":
            kind, principal = CLASSES[a.principal_id], "-"
        else:
            kind, principal = a.principal_type.lower(), a.principal_id
        if datacenter and kind != "anonymous":
            continue  # only anonymous access shows on Data Center
        for g in access.role_operations(a.space_id, a.role_id):
            out.add(f"{a.space_id}:{kind}:{principal}:{g.operation}:{g.target}")
    return out


def cloud_audit_id(site: Site, event: AuditEvent) -> str:
    """The id the connector gives an event the Cloud double serves: sha256 of its canonical JSON."""
    user = site.users.get(event.author_id or "")
    author = ({"displayName": user.display_name, "accountId": user.account_id, "accountType": user.account_type,
               "publicName": user.public_name} if user is not None else {"displayName": "System"})
    canonical = json.dumps(audit_json(event, author), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def access_ids(site: Site) -> dict[str, set[str]]:
    """Primary keys of the access streams for a full Cloud sync (`site_truth.expected_ids`)."""
    return {"groups": expected_groups(site, False), "group_members": expected_members(site, False),
            "audit_records": {cloud_audit_id(site, e) for e in site.access.audit},
            "space_permissions": expected_space_permissions(site, False)}
