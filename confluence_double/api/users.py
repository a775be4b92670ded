"""The current user (v1) and the bulk user lookup."""

from __future__ import annotations

import json

from .query import Call
from .wire import MAX_LIMIT, ApiError, Response


class UserRoutes:
    """The current user (v1) and the bulk user lookup.

    A mixin of ``CloudRoutes``: ``self.site``, ``self._list`` and the shapes come from its other bases.
    """

    def _h_user_current(self, call: Call) -> Response:
        u = self.site.current_user
        doc = {
            "type": "known",
            "accountId": u.account_id,
            "accountType": u.account_type,
            "email": u.email,
            "publicName": u.public_name,
            "profilePicture": {
                "path": f"/wiki/aa-avatar/{u.account_id}",
                "width": 48,
                "height": 48,
                "isDefault": False,
            },
            "displayName": u.display_name,
            "timeZone": u.time_zone,
            "isExternalCollaborator": False,
            "externalCollaborator": False,
            "_expandable": {"operations": "", "personalSpace": ""},
            "_links": {
                "self": f"{self.wiki_base}/rest/api/user?accountId={u.account_id}",
                "base": self.wiki_base,
                "context": "/wiki",
            },
        }
        return self._json(200, doc)


    def _h_users_bulk(self, call: Call) -> Response:
        try:
            doc = json.loads(call.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "Request body is not valid JSON") from None
        ids = doc.get("accountIds") if isinstance(doc, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise ApiError(400, "'accountIds' must be a non-empty list of account ids")
        if len(ids) > MAX_LIMIT:
            raise ApiError(400, f"At most {MAX_LIMIT} account ids can be looked up at once")
        seen: dict[str, None] = dict.fromkeys(ids)
        results = [self._user_json(self.site.users[i]) for i in seen if i in self.site.users]
        return self._json(200, {"results": results, "_links": {"base": self.wiki_base}})
