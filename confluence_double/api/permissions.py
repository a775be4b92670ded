"""Groups and members (v1), the audit log (v1), space permissions and roles (v2), as Cloud serves them.

v1 lists page by ``start``/``limit`` with ``_links.next`` relative to the ``/wiki`` base; members
answer 400 above 200 per page, as the contract says; the audit log answers 403 to an account that
is no administrator (``site.access.audit_readable``) and lists newest first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from ..model import User, to_ms
from ..model.permissions import AuditEvent
from .query import Call
from .wire import ApiError, Response, encode_json

MAX_MEMBERS = 200


def audit_json(event: AuditEvent, author: dict[str, Any]) -> dict[str, Any]:
    """An AuditRecord of the v1 contract (both flavours); ``author`` the flavour's user fields."""
    return {
        "author": {"type": "user", "operations": None, **author},
        "remoteAddress": event.remote_address,
        "creationDate": to_ms(event.created_at),
        "summary": event.summary,
        "description": event.description,
        "category": event.category,
        "sysAdmin": event.sys_admin,
        "superAdmin": False,
        "affectedObject": {"name": event.affected[0], "objectType": event.affected[1]},
        "changedValues": [{"name": n, "oldValue": o, "newValue": v} for n, o, v in event.changed],
        "associatedObjects": [{"name": n, "objectType": t} for n, t in event.associated],
    }


def audit_window(events: list[AuditEvent], start_date: str | None, end_date: str | None) -> list[AuditEvent]:
    """Events on or after ``startDate`` and on or before ``endDate`` (epoch ms), newest first."""
    try:
        low = int(start_date) if start_date else None
        high = int(end_date) if end_date else None
    except ValueError:
        raise ApiError(400, "startDate and endDate are epoch milliseconds") from None
    found = [e for e in events if (low is None or to_ms(e.created_at) >= low)
             and (high is None or to_ms(e.created_at) <= high)]
    return sorted(found, key=lambda e: (to_ms(e.created_at), e.num), reverse=True)


class PermissionRoutes:
    """A mixin of ``CloudRoutes``: ``self.site``, ``self._list``, ``self._json`` come from its other bases."""

    def _v1_page(self, call: Call, found: list, render: Callable[[Any], dict], default_limit: int,
                 cap: int | None = None) -> Response:
        start = call.query.integer("start") or 0
        limit = call.query.integer("limit")
        limit = default_limit if limit is None else limit
        if start < 0 or limit < 0:
            raise ApiError(400, "start and limit must not be negative")
        if cap is not None and limit > cap:
            raise ApiError(400, f"limit must not be greater than {cap}")
        limit = min(limit or default_limit, 250)
        page = found[start:start + limit]
        links = {"base": self.wiki_base, "context": "/wiki", "self": self.wiki_base + call.path[len("/wiki"):]}
        if start + limit < len(found):
            pairs = [(k, v) for k, v in call.query.pairs if k != "start"] + [("start", str(start + limit))]
            links["next"] = call.path[len("/wiki"):] + "?" + urlencode(pairs, quote_via=quote, safe=",")
        return self._json(200, {"results": [render(item) for item in page], "start": start, "limit": limit,
                                "size": len(page), "_links": links})

    def _h_groups_v1(self, call: Call) -> Response:
        groups = sorted(self.site.access.groups.values(), key=lambda g: g.name)
        return self._v1_page(call, groups, lambda g: {"type": "group", "name": g.name, "id": g.id, "_links": {
            "self": f"{self.wiki_base}/rest/api/group/by-id?id={g.id}"}}, 200)

    def _h_group_members_v1(self, call: Call) -> Response:
        group = self.site.access.groups.get(call.id or "")
        if group is None:
            raise ApiError(404, f"No group with id {call.id}")
        users = [self.site.users[a] for a in group.members if a in self.site.users]
        return self._v1_page(call, users, self._v1_user, 200, MAX_MEMBERS)

    def _v1_user(self, user: User) -> dict[str, Any]:
        """A v1 User: the v2 fields, with the icon's size the v1 contract requires."""
        shape = self._user_json(user)
        return {"type": "known", **shape, "profilePicture": {**shape["profilePicture"], "width": 48, "height": 48}}

    def _h_audit_v1(self, call: Call) -> Response:
        if not self.site.access.audit_readable:
            raise ApiError(403, "You do not have permission to view the audit log")
        events = audit_window(self.site.access.audit, call.query.one("startDate"), call.query.one("endDate"))

        def render(event: AuditEvent) -> dict[str, Any]:
            user = self.site.users.get(event.author_id or "")
            author = ({"displayName": user.display_name, "accountId": user.account_id,
                       "accountType": user.account_type, "publicName": user.public_name}
                      if user is not None else {"displayName": "System"})
            return audit_json(event, author)
        return self._v1_page(call, events, render, 1000)

    def _h_space_permissions(self, call: Call) -> Response:
        space = self._existing_space(call)
        access = self.site.access
        return self._list(call, "space-permissions", (space.id,),
                          lambda: [g for g in access.grants if g.space_id == space.id], ("id", False),
                          call.query.limit(), None,
                          lambda g: encode_json({"id": str(g.num), "principal": {"type": g.principal_type,
                                                                               "id": g.principal_id},
                                                 "operation": {"key": g.operation, "targetType": g.target}}))

    def _h_space_roles(self, call: Call) -> Response:
        access = self.site.access
        return self._list(call, "space-roles", (), lambda: access.roles.values(), ("id", False), call.query.limit(),
                          None, lambda r: encode_json({"id": r.id, "type": "CUSTOM", "displayName": r.name,
                                                       "description": f"{r.name} role", "spacePermissions": []}))

    def _h_space_role_assignments(self, call: Call) -> Response:
        space = self._existing_space(call)
        access = self.site.access
        return self._list(call, "space-role-assignments", (space.id,),
                          lambda: [a for a in access.role_assignments if a.space_id == space.id], ("id", False),
                          call.query.limit(), None,
                          lambda a: encode_json({"principal": {"principalType": a.principal_type,
                                                               "principalId": a.principal_id}, "roleId": a.role_id}))
