"""Groups, members, the audit log and space permissions as Data Center serves them (REST v1).

Groups have no id (the name is their handle), members are v1 users (user key, username), the audit
log answers 403 to a non-administrator, and a space's permissions come with the space
(``expand=permissions``): users, groups, and anonymous access (the operations of the role the
site's model gives the ``anonymous-users`` access class). Data Center has no roles and no "all
licensed users" principal, so neither appears.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from ..api.permissions import MAX_MEMBERS, audit_json, audit_window
from ..api.wire import Response
from ..model.permissions import ANONYMOUS_CLASS, AuditEvent
from .wire import ANONYMOUS, REST, ApiError, V1Query, json_response


class DataCenterPermissionRoutes:
    """A mixin of ``DataCenterRoutes``: ``self.site``, ``self._page_of``, ``self.user_json``, ``self.keys``."""

    def _access_route(self, route: str, query: V1Query, session: Any) -> Response | None:
        if route == "/group":
            groups = sorted(self.site.access.groups.values(), key=lambda g: g.name)
            return self._page_of(query, groups, lambda g: {
                "type": "group", "name": g.name, "_links": {"self": f"{self.base_url}{REST}/group/{g.name}"}}, 1000)
        match = re.fullmatch(r"/group/([^/]+)/member", route)
        if match:
            group = self.site.access.group_by_name(unquote(match.group(1)))
            if group is None:
                raise ApiError(404, f"No group named {unquote(match.group(1))}")
            if query.integer("limit", 200) > MAX_MEMBERS:
                raise ApiError(400, f"limit must not be greater than {MAX_MEMBERS}")
            return self._page_of(query, [a for a in group.members if a in self.site.users], self.user_json, MAX_MEMBERS)
        if route == "/audit":
            if session is ANONYMOUS or not self.site.access.audit_readable:
                raise ApiError(403, "Only administrators may view the audit log")
            events = audit_window(self.site.access.audit, query.one("startDate"), query.one("endDate"))
            return self._page_of(query, events, self._audit_json, 1000)
        match = re.fullmatch(r"/space/([^/]+)", route)
        if match:
            key = unquote(match.group(1))
            space = next((s for s in self.site.spaces.values() if s.key == key), None)
            if space is None or session is ANONYMOUS:
                raise ApiError(404, f"No space with key {key}")
            doc = self.space_json(space, query.expand())
            if "permissions" in query.expand():
                doc["permissions"] = self._permissions(space.id)
            return json_response(200, doc)
        return None

    def _audit_json(self, event: AuditEvent) -> dict[str, Any]:
        user = self.site.users.get(event.author_id or "")
        author = ({"displayName": user.display_name, "username": self.usernames[user.account_id],
                   "userKey": self.keys[user.account_id]} if user is not None else {"displayName": "System"})
        return audit_json(event, author)

    def _permissions(self, space_id: str) -> list[dict[str, Any]]:
        access = self.site.access
        out: list[dict[str, Any]] = []

        def permission(operation: str, target: str, **extra: Any) -> dict[str, Any]:
            return {"operation": {"operation": operation, "targetType": target}, "anonymousAccess": False,
                    "unlicensedAccess": False, **extra}

        for grant in access.grants:
            if grant.space_id != space_id:
                continue
            if grant.principal_type == "user":
                out.append(permission(grant.operation, grant.target, subjects={
                    "user": {"results": [self.user_json(grant.principal_id)], "size": 1}}))
            elif grant.principal_type == "group":
                group = access.groups.get(grant.principal_id)
                if group is not None:
                    out.append(permission(grant.operation, grant.target, subjects={
                        "group": {"results": [{"type": "group", "name": group.name}], "size": 1}}))
        for assignment in access.role_assignments:
            if (assignment.space_id, assignment.principal_type, assignment.principal_id) == (
                    space_id, "ACCESS_CLASS", ANONYMOUS_CLASS):
                for grant in access.role_operations(space_id, assignment.role_id):
                    out.append(permission(grant.operation, grant.target, anonymousAccess=True))
        return out
