"""Requests to Data Center v1 responses: authentication (token, password, anonymous) and routing."""

from __future__ import annotations

import base64
import re
from typing import Any
from zoneinfo import ZoneInfo

from ..api.wire import Response
from ..files.serve import DOWNLOADS, download_at
from ..model import Site
from ..restriction_shapes import dc_group, restriction_array
from .accounts import user_key, usernames
from .lists import V1Lists
from .permissions import DataCenterPermissionRoutes
from .shapes import V1Shapes
from .versions import V1Versions
from .wire import ANONYMOUS, REST, ApiError, DataCenterSettings, V1Query, json_response


class DataCenterRoutes(V1Shapes, V1Lists, V1Versions, DataCenterPermissionRoutes):
    """The double's Data Center v1 request handler; the shapes and the lists are its mixins."""

    def __init__(self, site: Site, server_url: str, settings: DataCenterSettings) -> None:
        self.site = site
        self.settings = settings
        self.context = settings.context_path.rstrip("/")
        self.base_url = server_url.rstrip("/") + self.context
        self.zone = ZoneInfo(settings.time_zone)
        self.usernames = usernames(site)
        self.keys = {account_id: user_key(account_id) for account_id in site.users}
        self.by_key = {key: account_id for account_id, key in self.keys.items()}
        self.by_username = {name: account_id for account_id, name in self.usernames.items()}

    # -- entry ----------------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        path, _, raw_query = raw_path.partition("?")
        if path in ("/status", self.context + "/status"):
            return json_response(200, {"state": "RUNNING"})
        try:
            session = self._session(headers.get("authorization"))
            if path.startswith(self.context + DOWNLOADS):  # attachment files (files/serve.py)
                return download_at(self.site, path[len(self.context + DOWNLOADS):], raw_query)
            if not path.startswith(self.context + REST + "/"):
                raise ApiError(404, f"No such path {path}")
            if method != "GET":
                raise ApiError(405, f"{method} is not served by this double")
            query = V1Query(raw_query, path)
            route = path[len(self.context + REST):].rstrip("/")
            with self.site.lock:
                return self._route(route, query, session)
        except ApiError as error:
            return json_response(error.status, {"statusCode": error.status, "message": error.message,
                                        "data": {"authorized": error.status != 401, "valid": True, "errors": [],
                                                 "successful": False},
                                        "reason": {400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
                                                   405: "Method Not Allowed"}.get(error.status, "Error")})

    def _session(self, header: str | None) -> Any:
        """The signed-in user, or ANONYMOUS; raises 401 when the server refuses."""
        scheme, _, credential = (header or "").partition(" ")
        if scheme.lower() == "basic":
            try:
                username, _, password = base64.b64decode(credential.strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                raise ApiError(401, "Basic authentication failed") from None
            account_id = self.by_username.get(username)
            if account_id == self.site.current_user_id and password == self.settings.password:
                return self.site.current_user
            raise ApiError(401, "Basic authentication with passwords failed")
        if scheme.lower() == "bearer" and credential.strip() == self.settings.personal_access_token:
            return self.site.current_user
        # No credentials, or a token the server does not know: anonymous, if the site allows it.
        if self.settings.anonymous_access:
            return ANONYMOUS
        raise ApiError(401, "This server does not allow anonymous access")

    def _route(self, route: str, query: V1Query, session: Any) -> Response:
        if route == "/user/current":
            return json_response(200, self._current_user(session))
        if route == "/user":
            return json_response(200, self._user_lookup(query))
        if route == "/space":
            return self._spaces(query, session)
        if route == "/content/search":
            return self._search(query, session)
        if route == "/content/scan":
            if not self.settings.scan_endpoint:
                raise ApiError(404, "No such resource (the scan endpoint arrived in Confluence 7.18)")
            return self._scan(query, session)
        match = re.fullmatch(r"/content/(\d+)/child/comment", route)
        if match:
            return self._child_comments(match.group(1), query, session)
        match = re.fullmatch(r"/content/((?:att)?\d+)/version", route)
        if match:
            return self._versions(match.group(1), query, session)
        match = re.fullmatch(r"/content/(\d+)/restriction", route)
        if match:
            return self._restrictions(match.group(1), query, session)
        match = re.fullmatch(r"/content/(\d+)", route)
        if match:
            return self._content_by_id(match.group(1), query, session)
        access = self._access_route(route, query, session)
        if access is not None:
            return access
        raise ApiError(404, f"No such resource {route}")

    def _content_by_id(self, content_id: str, query: V1Query, session: Any) -> Response:
        """One object from the database, in the statuses asked for (`any`: every one; default current)."""
        site = self.site
        obj = next((c[content_id] for c in (site.pages, site.blog_posts, site.comments, site.attachments)
                    if content_id in c), None)
        statuses = set(query.many("status")) or {"current"}
        if obj is None or session is ANONYMOUS or ("any" not in statuses and obj.status not in statuses):
            raise ApiError(404, f"No content with id {content_id}")
        return json_response(200, self.content_json(obj, query.expand()))


    def _restrictions(self, content_id: str, query: V1Query, session: Any) -> Response:
        if session is ANONYMOUS or (content_id not in self.site.pages and content_id not in self.site.blog_posts):
            raise ApiError(404, f"No content with id {content_id}")
        start, limit = query.integer("start", 0), min(query.integer("limit", 100), 1000)
        return json_response(200, restriction_array(self.site, content_id, self.user_json, dc_group, start, limit))
