"""The Cloud double's request handler: authentication and routing to one mixin per endpoint family.

Transport-free: ``CloudRoutes.handle`` takes a method, a raw path with query, headers and a
body, and returns a ``Response``; ``server.py`` puts it behind a real HTTP server.

Pagination follows Confluence Cloud v2: ``limit`` 1..250 (larger values are clamped, 0 and junk
are 400), an opaque ``cursor`` holding the keyset position (sort key and id of the last item
served, never an offset), ``_links.next`` and a ``Link: <...>; rel="next", <base>; rel="base"``
header carrying every original query parameter plus the new cursor. Ties in a sort are broken by
id in the direction of the sort. Responses are compact ASCII JSON (non-ASCII characters are escaped).
"""

from __future__ import annotations

import base64
import re
from collections import OrderedDict

from ..files.serve import DOWNLOADS, download_at
from ..model import Site
from .access import AccessRoutes
from .analytics import AnalyticsRoutes
from .attachments import AttachmentRoutes
from .comments import CommentRoutes
from .content import ContentRoutes
from .labels import LabelRoutes
from .listing import Listing
from .lookups import Lookups
from .permissions import PermissionRoutes
from .query import Call, Query
from .shapes import Shapes
from .spaces import SpaceRoutes
from .tasks import TaskRoutes
from .users import UserRoutes
from .versions import VersionRoutes
from .wire import V2, ApiError, Response, dumps_ascii, error_body

Route = tuple[str, re.Pattern[str], str]


def _routes() -> list[Route]:
    table = [
        ("GET", "/wiki/rest/api/user/current", "user_current"),
        ("GET", V2 + "/spaces", "spaces"),
        ("GET", V2 + "/spaces/{id}", "space"),
        ("GET", V2 + "/spaces/{id}/pages", "space_pages"),
        ("GET", V2 + "/spaces/{id}/blogposts", "space_blogposts"),
        ("GET", V2 + "/spaces/{id}/labels", "space_labels"),
        ("GET", V2 + "/pages", "pages"),
        ("GET", V2 + "/pages/{id}", "page"),
        ("GET", V2 + "/pages/{id}/footer-comments", "page_footer_comments"),
        ("GET", V2 + "/pages/{id}/inline-comments", "page_inline_comments"),
        ("GET", V2 + "/pages/{id}/labels", "page_labels"),
        ("GET", V2 + "/pages/{id}/attachments", "page_attachments"),
        ("GET", V2 + "/blogposts", "blogposts"),
        ("GET", V2 + "/blogposts/{id}", "blogpost"),
        ("GET", V2 + "/blogposts/{id}/footer-comments", "blogpost_footer_comments"),
        ("GET", V2 + "/blogposts/{id}/inline-comments", "blogpost_inline_comments"),
        ("GET", V2 + "/blogposts/{id}/labels", "blogpost_labels"),
        ("GET", V2 + "/blogposts/{id}/attachments", "blogpost_attachments"),
        ("GET", V2 + "/footer-comments", "footer_comments"),
        ("GET", V2 + "/footer-comments/{id}/children", "footer_comment_children"),
        ("GET", V2 + "/footer-comments/{id}/versions/{number}", "footer_comment_version"),
        ("GET", V2 + "/inline-comments", "inline_comments"),
        ("GET", V2 + "/inline-comments/{id}/children", "inline_comment_children"),
        ("GET", V2 + "/inline-comments/{id}/versions/{number}", "inline_comment_version"),
        ("GET", V2 + "/tasks", "tasks"),
        ("GET", V2 + "/labels", "labels"),
        ("GET", V2 + "/labels/{id}/pages", "label_pages"),
        ("GET", V2 + "/labels/{id}/blogposts", "label_blogposts"),
        ("GET", V2 + "/labels/{id}/attachments", "label_attachments"),
        ("GET", V2 + "/attachments", "attachments"),
        ("GET", V2 + "/attachments/{id}", "attachment"),
        ("GET", V2 + "/attachments/{id}/labels", "attachment_labels"),
        ("POST", V2 + "/users-bulk", "users_bulk"),
        ("GET", V2 + "/pages/{id}/versions", "page_versions"),
        ("GET", V2 + "/blogposts/{id}/versions", "blogpost_versions"),
        ("GET", V2 + "/footer-comments/{id}/versions", "footer_comment_versions"),
        ("GET", V2 + "/inline-comments/{id}/versions", "inline_comment_versions"),
        ("GET", V2 + "/attachments/{id}/versions", "attachment_versions"),
        ("GET", V2 + "/folders/{id}", "folder"),
        ("GET", "/wiki/rest/api/content/search", "v1_content_search"),
        ("GET", "/wiki/rest/api/content/{id}/restriction", "v1_content_restriction"),
        ("GET", "/wiki/rest/api/group", "groups_v1"),
        ("GET", "/wiki/rest/api/group/{id}/membersByGroupId", "group_members_v1"),
        ("GET", "/wiki/rest/api/audit", "audit_v1"),
        ("GET", V2 + "/spaces/{id}/permissions", "space_permissions"),
        ("GET", V2 + "/space-roles", "space_roles"),
        ("GET", V2 + "/spaces/{id}/role-assignments", "space_role_assignments"),
        ("GET", "/wiki/rest/api/analytics/content/{id}/views", "analytics_views"),
        ("GET", "/wiki/rest/api/analytics/content/{id}/viewers", "analytics_viewers"),
    ]
    def pattern(path: str) -> re.Pattern[str]:
        escaped = re.escape(path).replace(r"\{id\}", "(?P<id>[^/]+)").replace(r"\{number\}", "(?P<number>[^/]+)")
        return re.compile(escaped + "/?")

    return [(m, pattern(p), name) for m, p, name in table]


ROUTES = _routes()


class CloudRoutes(Listing, Shapes, Lookups, UserRoutes, SpaceRoutes, ContentRoutes, CommentRoutes, TaskRoutes, LabelRoutes,
                  AttachmentRoutes, VersionRoutes, AccessRoutes, PermissionRoutes, AnalyticsRoutes):
    """Routes a request to its ``_h_<route>`` handler; each endpoint family is one mixin (see the table above)."""

    def __init__(self, site: Site, base_url: str, email: str, api_token: str) -> None:
        self.site = site
        self.base_url = base_url.rstrip("/")
        self.wiki_base = self.base_url + "/wiki"
        expected = f"{email}:{api_token}".encode()
        self._auth_header = "Basic " + base64.b64encode(expected).decode()
        self._sorted: OrderedDict[tuple, tuple[int, list, list]] = OrderedDict()

    # ---- entry point ---------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes,
               authorized: bool = False) -> Response:
        """``authorized``: the caller (the OAuth gateway, see ``oauth``) has checked the credentials."""
        path, _, raw_query = raw_path.partition("?")
        if path == "/status":
            return self._json(200, {"state": "RUNNING"})
        if not path.startswith("/wiki"):
            return Response(404, [("Content-Type", "application/json")], error_body(404, "No such path", path))
        if not authorized and not self._authorized(headers.get("authorization")):
            return Response(
                401,
                [("Content-Type", "application/json")],
                error_body(401, "Client must be authenticated", path),
            )
        if path.startswith("/wiki" + DOWNLOADS):  # attachment files (files/serve.py)
            return download_at(self.site, path[len("/wiki" + DOWNLOADS):], raw_query)
        try:
            query = Query(raw_query)
            for route_method, pattern, name in ROUTES:
                match = pattern.fullmatch(path)
                if match is None:
                    continue
                if route_method != method:
                    raise ApiError(405, f"{method} is not supported on {path}")
                found = match.groupdict()
                call = Call(path=path, query=query, body=body, id=found.get("id"), number=found.get("number"))
                with self.site.lock:
                    return getattr(self, "_h_" + name)(call)
            raise ApiError(404, f"No route for {path}")
        except ApiError as exc:
            return Response(exc.status, [("Content-Type", "application/json")], error_body(exc.status, exc.detail, path))

    def _authorized(self, header: str | None) -> bool:
        if header is None:
            return False
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "basic" and "Basic " + token.strip() == self._auth_header

    def _json(self, status: int, doc: object, extra: list[tuple[str, str]] | None = None) -> Response:
        headers = [("Content-Type", "application/json;charset=UTF-8")]
        if extra:
            headers.extend(extra)
        return Response(status, headers, dumps_ascii(doc))
