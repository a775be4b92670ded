"""Who can do what on the site: groups and members, the audit log, space permissions and roles.

A space's permissions are direct grants (to a user, a group or a role: Cloud's
`/spaces/{id}/permissions`) and role assignments (a user, a group or an access class holding a
role: Cloud's `/spaces/{id}/role-assignments`). Data Center shows the direct user and group grants,
and the operations of the role held by the `anonymous-users` access class as anonymous access; it
has no roles and no all-licensed-users principal.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from .clock import normalize_at

ANONYMOUS_CLASS = "anonymous-users"
ALL_LICENSED_CLASS = "all-licensed-users"


@dataclass(slots=True, eq=False)
class Group:
    id: str
    name: str
    num: int
    members: list[str] = field(default_factory=list)  # account ids, in the order they joined


@dataclass(slots=True, eq=False)
class AuditEvent:
    num: int
    created_at: datetime
    author_id: str | None
    remote_address: str
    category: str
    summary: str
    description: str
    affected: tuple[str, str]  # (name, object type)
    changed: tuple[tuple[str, str, str], ...] = ()  # (name, old, new)
    associated: tuple[tuple[str, str], ...] = ()  # (name, object type)
    sys_admin: bool = False


@dataclass(slots=True, eq=False)
class SpaceGrant:
    """A direct grant: `principal_type` user, group or role."""

    num: int
    space_id: str
    principal_type: str
    principal_id: str
    operation: str
    target: str


@dataclass(slots=True, eq=False)
class Role:
    id: str
    name: str
    num: int


@dataclass(slots=True, eq=False)
class RoleAssignment:
    """`principal_type` USER, GROUP or ACCESS_CLASS (`principal_id` anonymous-users, all-licensed-users)."""

    num: int
    space_id: str
    principal_type: str
    principal_id: str
    role_id: str


@dataclass(eq=False)
class SiteAccess:
    """Kept in step by its mutations; `changed` tells the site (its list caches) something moved."""

    groups: dict[str, Group] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)
    grants: list[SpaceGrant] = field(default_factory=list)
    roles: dict[str, Role] = field(default_factory=dict)
    role_assignments: list[RoleAssignment] = field(default_factory=list)
    audit_readable: bool = True
    """False: the signed-in account is no administrator, the audit log answers 403."""
    next_num: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    on_change: list = field(default_factory=list)

    def new_num(self) -> int:
        self.next_num += 1
        return self.next_num

    def _changed(self) -> None:
        for notify in self.on_change:
            notify()

    def group_by_name(self, name: str) -> Group | None:
        return next((g for g in self.groups.values() if g.name == name), None)

    # ---- mutations ---------------------------------------------------------------------------
    def add_group_member(self, group_id: str, account_id: str) -> None:
        with self.lock:
            members = self.groups[group_id].members
            if account_id not in members:
                members.append(account_id)
            self._changed()

    def remove_group_member(self, group_id: str, account_id: str) -> None:
        with self.lock:
            members = self.groups[group_id].members
            if account_id in members:
                members.remove(account_id)
            self._changed()

    def delete_group(self, group_id: str) -> None:
        """The group, its space grants and its role assignments go (as Confluence removes them)."""
        with self.lock:
            del self.groups[group_id]
            self.grants = [g for g in self.grants if (g.principal_type, g.principal_id) != ("group", group_id)]
            self.role_assignments = [a for a in self.role_assignments
                                     if (a.principal_type, a.principal_id) != ("GROUP", group_id)]
            self._changed()

    def add_audit_event(self, summary: str, category: str = "Permissions", at: datetime | None = None,
                        author_id: str | None = None, affected: tuple[str, str] = ("ENG", "Space")) -> AuditEvent:
        with self.lock:
            event = AuditEvent(self.new_num(), normalize_at(at), author_id, "10.0.0.1", category, summary, "",
                               affected)
            self.audit.append(event)
            self._changed()
            return event

    def grant_space_permission(self, space_id: str, principal_type: str, principal_id: str, operation: str,
                               target: str) -> SpaceGrant:
        with self.lock:
            grant = SpaceGrant(self.new_num(), space_id, principal_type, principal_id, operation, target)
            self.grants.append(grant)
            self._changed()
            return grant

    def revoke_space_permission(self, space_id: str, principal_type: str, principal_id: str, operation: str,
                                target: str) -> None:
        with self.lock:
            self.grants = [g for g in self.grants if (g.space_id, g.principal_type, g.principal_id, g.operation,
                                                      g.target) != (space_id, principal_type, principal_id,
                                                                    operation, target)]
            self._changed()

    def role_operations(self, space_id: str, role_id: str) -> list[SpaceGrant]:
        return [g for g in self.grants if g.space_id == space_id and g.principal_type == "role"
                and g.principal_id == role_id]
