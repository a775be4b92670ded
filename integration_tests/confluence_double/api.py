"""Request handling of the Confluence double: routing, parameters, pagination, JSON shapes.

Transport-free: ``ConfluenceApi.handle`` takes a method, a raw path with query, headers and a
body, and returns a ``Response``; ``server.py`` puts it behind a real HTTP server.

Pagination follows Confluence Cloud v2: ``limit`` 1..250 (larger values are clamped, 0 and junk
are 400), an opaque ``cursor`` holding the keyset position (sort key and id of the last item
served, never an offset), ``_links.next`` and a ``Link: <...>; rel="next", <base>; rel="base"``
header carrying every original query parameter plus the new cursor. Ties in a sort are broken by
id in the direction of the sort. Responses are compact ASCII JSON (non-ASCII characters are escaped).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, quote_plus, urlencode

from .model import (
    Attachment,
    BlogPost,
    Comment,
    Label,
    Page,
    Site,
    Space,
    Task,
    User,
    iso,
    to_ms,
)

MAX_LIMIT = 250
SORTED_VIEWS = 512  # cached sort orders (see ConfluenceApi._sorted_view)
V2 = "/wiki/api/v2"

PAGE_STATUSES = ("current", "archived", "trashed", "deleted", "draft")
BLOG_STATUSES = ("current", "archived", "trashed", "deleted", "draft")
SINGLE_STATUSES = ("current", "archived", "trashed", "deleted", "historical", "draft")
PAGE_SORTS = ("id", "created-date", "modified-date", "title")
BLOG_SORTS = PAGE_SORTS  # the OpenAPI document omits title for blog posts; accepting it is harmless
COMMENT_SORTS = ("created-date", "modified-date")
LABEL_SORTS = ("id", "created-date", "name")
SPACE_SORTS = ("id", "key", "name")
BODY_FORMATS = ("storage", "atlas_doc_format")


class ApiError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


ERROR_CODES = {
    400: ("INVALID_REQUEST_PARAMETER", "Bad Request"),
    401: ("UNAUTHORIZED", "Unauthorized"),
    403: ("FORBIDDEN", "Forbidden"),
    404: ("NOT_FOUND", "Not Found"),
    405: ("METHOD_NOT_ALLOWED", "Method Not Allowed"),
    429: ("TOO_MANY_REQUESTS", "Too Many Requests"),
    500: ("INTERNAL_SERVER_ERROR", "Internal Server Error"),
    502: ("BAD_GATEWAY", "Bad Gateway"),
    503: ("SERVICE_UNAVAILABLE", "Service Unavailable"),
    504: ("GATEWAY_TIMEOUT", "Gateway Timeout"),
}


def error_body(status: int, detail: str | None, path: str = V2) -> bytes:
    """Error JSON in the v2 shape, or the v1 shape for /wiki/rest/api paths."""
    code, title = ERROR_CODES.get(status, ("ERROR", "Error"))
    if path.startswith("/wiki/rest/"):
        doc: dict = {
            "statusCode": status,
            "data": {"authorized": status != 401, "valid": True, "errors": [], "successful": False},
            "message": detail or title,
            "reason": title,
        }
    else:
        doc = {"errors": [{"status": status, "code": code, "title": title, "detail": detail}]}
    return _dumps(doc)


# ASCII-only output: the C encoder is several times faster than with ensure_ascii=False on large
# bodies, and clients decode \u escapes to the same strings.
_enc = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def _dumps(doc: object) -> bytes:
    return _enc(doc).encode("ascii")


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Query:
    """Query parameters in arrival order, with Confluence's parsing rules."""

    def __init__(self, raw: str) -> None:
        self.pairs = parse_qsl(raw, keep_blank_values=True)
        self.map: dict[str, list[str]] = {}
        for k, v in self.pairs:
            self.map.setdefault(k, []).append(v)

    def one(self, name: str) -> str | None:
        values = self.map.get(name)
        return values[0] if values else None

    def many(self, name: str, max_items: int | None = None) -> list[str]:
        """Repeated parameters and comma-separated lists are both accepted, as on Confluence."""
        out: list[str] = []
        for v in self.map.get(name, ()):
            out.extend(part.strip() for part in v.split(",") if part.strip())
        if max_items is not None and len(out) > max_items:
            raise ApiError(400, f"'{name}' accepts at most {max_items} values")
        return out

    def ints(self, name: str, max_items: int | None = None) -> list[int]:
        values = self.many(name, max_items)
        try:
            return [int(v) for v in values]
        except ValueError:
            raise ApiError(400, f"'{name}' must be a list of integers") from None

    def integer(self, name: str) -> int | None:
        value = self.one(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise ApiError(400, f"'{name}' must be an integer") from None

    def boolean(self, name: str, default: bool) -> bool:
        value = self.one(name)
        if value is None or value == "":
            return default
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ApiError(400, f"'{name}' must be true or false")

    def choice(self, name: str, allowed: Iterable[str]) -> str | None:
        value = self.one(name)
        if value is None or value == "":
            return None
        if value not in allowed:
            raise ApiError(400, f"'{name}' must be one of {', '.join(allowed)}")
        return value

    def choices(self, name: str, allowed: Iterable[str], default: Iterable[str]) -> frozenset[str]:
        values = self.many(name)
        if not values:
            return frozenset(default)
        allowed = tuple(allowed)
        for v in values:
            if v not in allowed:
                raise ApiError(400, f"'{name}' must be among {', '.join(allowed)}")
        return frozenset(values)

    def limit(self, default: int = 25) -> int:
        value = self.one("limit")
        if value is None:
            return default
        try:
            n = int(value)
        except ValueError:
            raise ApiError(400, "'limit' must be an integer between 1 and 250") from None
        if n < 1:
            raise ApiError(400, "'limit' must be an integer between 1 and 250")
        return min(n, MAX_LIMIT)

    def sort(self, allowed: Iterable[str], default: str = "id") -> tuple[str, bool]:
        value = self.one("sort")
        if value is None or value == "":
            return default, False
        desc = value.startswith("-")
        field_name = value[1:] if desc else value
        if field_name not in allowed:
            raise ApiError(400, f"unsupported sort '{value}'")
        return field_name, desc


def _b64(doc: object) -> str:
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> object:
    padded = text + "=" * (-len(text) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


def _tinyui(num: int) -> str:
    raw = num.to_bytes(8, "little").rstrip(b"\0") or b"\0"
    return "/x/" + base64.b64encode(raw).decode().rstrip("=").replace("/", "-").replace("+", "_")


_PLAIN_TITLE = re.compile(r"[A-Za-z0-9_.~ -]*")


def _slug(title: str) -> str:
    """quote_plus(title), with a fast path for titles that only need spaces replaced."""
    return title.replace(" ", "+") if _PLAIN_TITLE.fullmatch(title) else quote_plus(title)


def _key_fn(field_name: str) -> Callable[[object], object]:
    if field_name == "id":
        return lambda o: o.num
    if field_name == "created-date":
        return lambda o: to_ms(o.created_at)
    if field_name == "modified-date":
        return lambda o: to_ms(o.version.created_at)
    if field_name == "title":
        return lambda o: o.title
    if field_name == "key":
        return lambda o: o.key
    if field_name == "name":
        return lambda o: o.name
    raise ValueError(field_name)


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
    ]
    def pattern(path: str) -> re.Pattern[str]:
        escaped = re.escape(path).replace(r"\{id\}", "(?P<id>[^/]+)").replace(r"\{number\}", "(?P<number>[^/]+)")
        return re.compile(escaped + "/?")

    return [(m, pattern(p), name) for m, p, name in table]


ROUTES = _routes()


@dataclass
class Call:
    """One request as the handlers see it."""

    path: str
    query: Query
    body: bytes
    id: str | None
    number: str | None = None  # a second path parameter (a version number)


class ConfluenceApi:
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
        return Response(status, headers, _dumps(doc))

    # ---- list engine ---------------------------------------------------------------------
    def _sorted_view(self, scope: tuple, field_name: str, candidates: Callable[[], Iterable]) -> tuple[list, list]:
        """Candidates sorted ascending by (sort key, id); cached until the site changes."""
        cache_key = (scope, field_name)
        hit = self._sorted.get(cache_key)
        if hit is not None and hit[0] == self.site.generation:
            self._sorted.move_to_end(cache_key)
            return hit[1], hit[2]
        keyf = _key_fn(field_name)
        decorated = sorted(((keyf(o), o.num), o) for o in candidates())
        keys = [k for k, _ in decorated]
        objs = [o for _, o in decorated]
        self._sorted[cache_key] = (self.site.generation, objs, keys)
        self._sorted.move_to_end(cache_key)
        # Least recently used out: a sync of a site with hundreds of labels touches more views
        # than fit, and dropping them all at once also dropped the big, busy ones (the site-wide
        # comment list), which were then sorted again and again.
        while len(self._sorted) > SORTED_VIEWS:
            self._sorted.popitem(last=False)
        return objs, keys

    def _list(
        self,
        call: Call,
        family: str,
        scope: tuple,
        candidates: Callable[[], Iterable],
        sort: tuple[str, bool],
        limit: int,
        keep: Callable[[object], bool] | None,
        render: Callable[[object], str],
    ) -> Response:
        field_name, desc = sort
        objs, keys = self._sorted_view((family, *scope), field_name, candidates)
        cursor = call.query.one("cursor")
        if cursor:
            try:
                doc = _unb64(cursor)
                c_family, c_field, c_desc, c_key, c_num = doc  # type: ignore[misc]
                position = (c_key, c_num)
                if c_family != family or c_field != field_name or c_desc != desc or not isinstance(c_num, int):
                    raise ValueError("cursor of another listing")
                start = bisect_left(keys, position) - 1 if desc else bisect_right(keys, position)
            except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
                raise ApiError(400, "Invalid cursor") from None
        else:
            start = len(objs) - 1 if desc else 0
        step = -1 if desc else 1
        picked: list = []
        last_index = -1
        i = start
        n = len(objs)
        while 0 <= i < n:
            o = objs[i]
            if keep is None or keep(o):
                if len(picked) == limit:
                    break
                picked.append(o)
                last_index = i
            i += step
        more = 0 <= i < n  # the loop only stops inside the range when one more match exists
        links: dict[str, str] = {}
        extra: list[tuple[str, str]] = []
        if more and picked:
            last_key = keys[last_index]
            token = _b64([family, field_name, desc, last_key[0], last_key[1]])
            pairs = [(k, v) for k, v in call.query.pairs if k != "cursor"] + [("cursor", token)]
            next_link = call.path + "?" + urlencode(pairs, quote_via=quote, safe=",")
            links["next"] = next_link
            # Confluence sends the next link and the site base in one header (see the OpenAPI examples).
            extra.append(("Link", f'<{next_link}>; rel="next", <{self.wiki_base}>; rel="base"'))
        links["base"] = self.wiki_base
        text = '{"results":[' + ",".join([render(o) for o in picked]) + '],"_links":' + _enc(links) + "}"
        headers = [("Content-Type", "application/json;charset=UTF-8"), *extra]
        return Response(200, headers, text.encode("ascii"))

    # ---- shapes --------------------------------------------------------------------------
    @staticmethod
    def _version(v) -> dict:
        return {
            "number": v.number,
            "message": v.message,
            "minorEdit": v.minor_edit,
            "authorId": v.author_id,
            "createdAt": iso(v.created_at),
        }

    def _body(self, obj, body_format: str | None) -> dict:
        if body_format == "storage":
            return {"storage": {"representation": "storage", "value": self.site.storage_body(obj)}}
        return {"atlas_doc_format": {"representation": "atlas_doc_format", "value": self.site.adf_body(obj)}}

    def _with_body(self, d: dict, obj, body_format: str | None) -> dict:
        """Adds the body (if asked for) right before _links, where Confluence puts it."""
        if body_format:
            links = d.pop("_links")
            d["body"] = self._body(obj, body_format)
            d["_links"] = links
        return d

    def _text_with_body(self, d: dict, obj, body_format: str | None) -> str:
        """Like ``_enc(self._with_body(...))`` but splices the pre-escaped body in."""
        if body_format == "storage":
            value = self.site.storage_body_json(obj)
        elif body_format == "atlas_doc_format":
            value = self.site.adf_body_json(obj)
        else:
            return _enc(d)
        links = d.pop("_links")
        body = f'{{"{body_format}":{{"representation":"{body_format}","value":"{value}"}}}}'
        return _enc(d)[:-1] + ',"body":' + body + ',"_links":' + _enc(links) + "}"

    def _space_key(self, space_id: str) -> str:
        space = self.site.spaces.get(space_id)
        return space.key if space is not None else ""

    def _content_webui(self, obj: Page | BlogPost) -> str:
        key = self._space_key(obj.space_id)
        slug = _slug(obj.title)
        if isinstance(obj, BlogPost):
            return f"/spaces/{key}/blog/{obj.created_at:%Y/%m/%d}/{obj.id}/{slug}"
        return f"/spaces/{key}/pages/{obj.id}/{slug}"

    def _page_json(self, p: Page) -> dict:
        d = {
            "id": p.id,
            "status": p.status,
            "title": p.title,
            "spaceId": p.space_id,
            "parentId": p.parent_id,
            "parentType": "page" if p.parent_id is not None else None,
            "position": p.position,
            "authorId": p.author_id,
            "ownerId": p.owner_id,
            "lastOwnerId": p.last_owner_id,
            "createdAt": iso(p.created_at),
            "version": self._version(p.version),
        }
        d["_links"] = {
            "editui": f"/pages/resumedraft.action?draftId={p.id}",
            "webui": self._content_webui(p),
            "tinyui": _tinyui(p.num),
        }
        return d

    def _blog_json(self, b: BlogPost) -> dict:
        d = {
            "id": b.id,
            "status": b.status,
            "title": b.title,
            "spaceId": b.space_id,
            "authorId": b.author_id,
            "createdAt": iso(b.created_at),
            "version": self._version(b.version),
        }
        d["_links"] = {
            "editui": f"/pages/resumedraft.action?draftId={b.id}",
            "webui": self._content_webui(b),
            "tinyui": _tinyui(b.num),
        }
        return d

    def _comment_json(self, c: Comment) -> dict:
        d: dict = {"id": c.id, "status": c.status, "title": c.title}
        d["pageId" if c.container_type == "page" else "blogPostId"] = c.container_id
        if c.parent_comment_id is not None:
            d["parentCommentId"] = c.parent_comment_id
        d["version"] = self._version(c.version)
        if c.comment_type == "inline":
            d["resolutionLastModifierId"] = c.resolution_last_modifier_id
            d["resolutionLastModifiedAt"] = (
                iso(c.resolution_last_modified_at) if c.resolution_last_modified_at is not None else None
            )
            d["resolutionStatus"] = c.resolution_status
            d["properties"] = {
                "inlineMarkerRef": c.inline_marker_ref,
                "inlineOriginalSelection": c.inline_original_selection,
                "inline-marker-ref": c.inline_marker_ref,
                "inline-original-selection": c.inline_original_selection,
            }
        container = self.site.pages.get(c.container_id) or self.site.blog_posts.get(c.container_id)
        webui = self._content_webui(container) if container is not None else ""
        d["_links"] = {"webui": f"{webui}?focusedCommentId={c.id}#comment-{c.id}"}
        return d

    def _task_json(self, t: Task, body_format: str | None) -> dict:
        d: dict = {"id": t.id, "localId": t.local_id, "spaceId": t.space_id}
        d["pageId" if t.container_type == "page" else "blogPostId"] = t.container_id
        d["status"] = t.status
        if body_format == "storage":
            d["body"] = {"storage": {"representation": "storage", "value": t.body}}
        elif body_format:
            from .bodies import adf_from_storage

            d["body"] = {"atlas_doc_format": {"representation": "atlas_doc_format", "value": adf_from_storage(t.body)}}
        d["createdBy"] = t.created_by
        if t.assigned_to is not None:
            d["assignedTo"] = t.assigned_to
        if t.completed_by is not None:
            d["completedBy"] = t.completed_by
        d["createdAt"] = iso(t.created_at)
        d["updatedAt"] = iso(t.updated_at)
        if t.due_at is not None:
            d["dueAt"] = iso(t.due_at)
        if t.completed_at is not None:
            d["completedAt"] = iso(t.completed_at)
        return d

    @staticmethod
    def _label_json(lb: Label) -> dict:
        return {"id": lb.id, "name": lb.name, "prefix": lb.prefix}

    def _attachment_json(self, a: Attachment) -> dict:
        container = self.site.pages.get(a.container_id) or self.site.blog_posts.get(a.container_id)
        container_webui = self._content_webui(container) if container is not None else ""
        file_q = quote(a.title)
        webui = f"{container_webui}?preview=%2F{a.container_id}%2F{a.num}%2F{file_q}"
        download = (
            f"/download/attachments/{a.container_id}/{file_q}?version={a.version.number}"
            f"&modificationDate={to_ms(a.version.created_at)}&cacheVersion=1&api=v2"
        )
        d: dict = {"id": a.id, "status": a.status, "title": a.title, "createdAt": iso(a.created_at)}
        d["pageId" if a.container_type == "page" else "blogPostId"] = a.container_id
        d.update(
            {
                "mediaType": a.media_type,
                "mediaTypeDescription": a.media_type_description,
                "comment": a.comment,
                "fileId": a.file_id,
                "fileSize": a.file_size,
                "webuiLink": webui,
                "downloadLink": download,
                "version": self._version(a.version),
                "_links": {"webui": webui, "download": download},
            }
        )
        return d

    def _space_json(self, s: Space, description_format: str | None, include_icon: bool) -> dict:
        d: dict = {
            "id": s.id,
            "key": s.key,
            "name": s.name,
            "type": s.type,
            "status": s.status,
            "authorId": s.author_id,
            "createdAt": iso(s.created_at),
        }
        if s.homepage_id is not None:
            d["homepageId"] = s.homepage_id
        if description_format == "plain":
            d["description"] = {"plain": {"representation": "plain", "value": s.description}}
        elif description_format == "view":
            value = "<p>" + s.description.replace("&", "&amp;").replace("<", "&lt;") + "</p>"
            d["description"] = {"view": {"representation": "view", "value": value}}
        if include_icon:
            path = f"/wiki/download/attachments/{s.id}/{s.key}?version=1&api=v2"
            d["icon"] = {"path": path, "apiDownloadLink": f"/wiki/rest/api/space/{s.key}/icon"}
        d["_links"] = {"webui": f"/spaces/{s.key}"}
        return d

    @staticmethod
    def _user_json(u: User) -> dict:
        d: dict = {
            "accountId": u.account_id,
            "accountType": u.account_type,
            "accountStatus": u.account_status,
            "email": u.email,
            "publicName": u.public_name,
            "displayName": u.display_name,
            "timeZone": u.time_zone,
            "isExternalCollaborator": False,
            "profilePicture": {
                "path": f"/wiki/aa-avatar/{u.account_id}",
                "isDefault": u.account_type == "app",
            },
        }
        if u.personal_space_id is not None:
            d["personalSpaceId"] = u.personal_space_id
        return d

    # ---- helpers -------------------------------------------------------------------------
    @staticmethod
    def _numeric_id(call: Call) -> str:
        assert call.id is not None
        if not call.id.isdigit():
            raise ApiError(400, f"'{call.id}' is not a valid id")
        return str(int(call.id))

    def _existing_page(self, call: Call) -> Page:
        page = self.site.pages.get(self._numeric_id(call))
        if page is None:
            raise ApiError(404, f"No page with id {call.id}")
        return page

    def _existing_blog(self, call: Call) -> BlogPost:
        blog = self.site.blog_posts.get(self._numeric_id(call))
        if blog is None:
            raise ApiError(404, f"No blog post with id {call.id}")
        return blog

    def _existing_space(self, call: Call) -> Space:
        space = self.site.spaces.get(self._numeric_id(call))
        if space is None:
            raise ApiError(404, f"No space with id {call.id}")
        return space

    def _existing_label(self, call: Call) -> Label:
        label = self.site.labels.get(self._numeric_id(call))
        if label is None:
            raise ApiError(404, f"No label with id {call.id}")
        return label

    def _existing_attachment(self, call: Call) -> Attachment:
        assert call.id is not None
        digits = call.id[3:] if call.id.startswith("att") else call.id
        if not digits.isdigit():
            raise ApiError(400, f"'{call.id}' is not a valid attachment id")
        att = self.site.attachments.get(f"att{int(digits)}")
        if att is None:
            raise ApiError(404, f"No attachment with id {call.id}")
        return att

    # ---- v1 ------------------------------------------------------------------------------
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

    # ---- spaces --------------------------------------------------------------------------
    def _h_spaces(self, call: Call) -> Response:
        q = call.query
        ids = {str(i) for i in q.ints("ids", 250)}
        keys = set(q.many("keys", 250))
        space_type = q.choice("type", ("global", "collaboration", "knowledge_base", "personal"))
        status = q.choice("status", ("current", "archived"))
        label_names = set(q.many("labels"))
        description_format = q.choice("description-format", ("plain", "view"))
        include_icon = q.boolean("include-icon", False)
        sort = q.sort(SPACE_SORTS)
        limit = q.limit()
        site = self.site

        def keep(s: Space) -> bool:
            if ids and s.id not in ids:
                return False
            if keys and s.key not in keys:
                return False
            if space_type and s.type != space_type:
                return False
            if status and s.status != status:
                return False
            if label_names and not any(lb.name in label_names for lb in site.labels_of(s.id)):
                return False
            return True

        return self._list(
            call,
            "spaces",
            (),
            lambda: site.spaces.values(),
            sort,
            limit,
            keep,
            lambda s: _enc(self._space_json(s, description_format, include_icon)),
        )

    def _h_space(self, call: Call) -> Response:
        space = self._existing_space(call)
        q = call.query
        d = self._space_json(space, q.choice("description-format", ("plain", "view")), q.boolean("include-icon", False))
        if q.boolean("include-labels", False):
            labels = self.site.labels_of(space.id)
            d["labels"] = {
                "results": [self._label_json(lb) for lb in labels],
                "meta": {"hasMore": False},
                "_links": {"self": f"{V2}/spaces/{space.id}/labels"},
            }
        d["_links"]["base"] = self.wiki_base
        return self._json(200, d)

    # ---- pages and blog posts ------------------------------------------------------------
    def _content_list(
        self,
        call: Call,
        family: str,
        collection: dict,
        sorts: tuple[str, ...],
        statuses: tuple[str, ...],
        default_statuses: tuple[str, ...],
        render: Callable[[object], dict],
        *,
        fixed_space: str | None = None,
        root_only: bool = False,
    ) -> Response:
        q = call.query
        ids = [str(i) for i in q.ints("id", 250)]
        if fixed_space is not None:
            space_ids = [fixed_space]
        else:
            space_ids = [str(i) for i in q.ints("space-id", 100)]
        sort = q.sort(sorts)
        wanted = q.choices("status", statuses, default_statuses)
        title = q.one("title")
        body_format = q.choice("body-format", BODY_FORMATS)
        limit = q.limit()
        space_set = frozenset(space_ids)
        id_set = frozenset(ids)
        if id_set:
            scope: tuple = ("ids", id_set)

            def candidates():
                return [collection[i] for i in sorted(id_set) if i in collection]
        elif space_set:
            scope = ("spaces", space_set)

            def candidates():
                return [o for o in collection.values() if o.space_id in space_set]
        else:
            scope = ()

            def candidates():
                return collection.values()

        def keep(o) -> bool:
            if o.status not in wanted:
                return False
            if space_set and o.space_id not in space_set:
                return False
            if title is not None and o.title != title:
                return False
            if root_only and o.parent_id is not None:
                return False
            return True

        return self._list(
            call,
            family,
            scope,
            candidates,
            sort,
            limit,
            keep,
            lambda o: self._text_with_body(render(o), o, body_format),
        )

    def _h_pages(self, call: Call) -> Response:
        return self._content_list(
            call,
            "pages",
            self.site.pages,
            PAGE_SORTS,
            PAGE_STATUSES,
            ("current", "archived"),
            self._page_json,
        )

    def _h_space_pages(self, call: Call) -> Response:
        space = self._existing_space(call)
        depth = call.query.choice("depth", ("all", "root")) or "all"
        return self._content_list(
            call,
            "pages",
            self.site.pages,
            PAGE_SORTS,
            PAGE_STATUSES,
            ("current", "archived"),
            self._page_json,
            fixed_space=space.id,
            root_only=depth == "root",
        )

    def _h_blogposts(self, call: Call) -> Response:
        return self._content_list(
            call, "blogposts", self.site.blog_posts, BLOG_SORTS, BLOG_STATUSES, ("current",), self._blog_json
        )

    def _h_space_blogposts(self, call: Call) -> Response:
        space = self._existing_space(call)
        return self._content_list(
            call,
            "blogposts",
            self.site.blog_posts,
            BLOG_SORTS,
            BLOG_STATUSES,
            ("current",),
            self._blog_json,
            fixed_space=space.id,
        )

    def _single_content(self, call: Call, obj: Page | BlogPost, default_statuses: tuple[str, ...]) -> Response:
        q = call.query
        wanted = q.choices("status", SINGLE_STATUSES, default_statuses)
        if obj.status not in wanted:
            raise ApiError(404, f"No content with id {obj.id} and status in {sorted(wanted)}")
        body_format = q.one("body-format")
        if body_format and body_format not in BODY_FORMATS:
            raise ApiError(400, f"body-format '{body_format}' is not served by this double")
        version = q.integer("version")
        if version is not None and version != obj.version.number:
            raise ApiError(404, f"Version {version} of {obj.id} is not available (only the current one is kept)")
        if isinstance(obj, Page):
            d = self._with_body(self._page_json(obj), obj, body_format or None)
        else:
            d = self._with_body(self._blog_json(obj), obj, body_format or None)
        if not q.boolean("include-version", True):
            d.pop("version", None)
        if q.boolean("include-labels", False):
            labels = self.site.labels_of(obj.id)
            kind = "pages" if isinstance(obj, Page) else "blogposts"
            d["labels"] = {
                "results": [self._label_json(lb) for lb in labels],
                "meta": {"hasMore": False},
                "_links": {"self": f"{V2}/{kind}/{obj.id}/labels"},
            }
        d["_links"]["base"] = self.wiki_base
        return self._json(200, d)

    def _h_page(self, call: Call) -> Response:
        return self._single_content(call, self._existing_page(call), ("current", "archived"))

    def _h_blogpost(self, call: Call) -> Response:
        return self._single_content(call, self._existing_blog(call), ("current",))

    # ---- comments ------------------------------------------------------------------------
    def _comment_list(
        self,
        call: Call,
        family: str,
        scope: tuple,
        candidates: Callable[[], Iterable],
        keep: Callable[[object], bool],
    ) -> Response:
        q = call.query
        body_format = q.choice("body-format", BODY_FORMATS)
        sort = q.sort(COMMENT_SORTS, default="id")
        limit = q.limit()
        return self._list(
            call,
            family,
            scope,
            candidates,
            sort,
            limit,
            keep,
            lambda c: self._text_with_body(self._comment_json(c), c, body_format),
        )

    def _global_comments(self, call: Call, kind: str) -> Response:
        site = self.site
        return self._comment_list(
            call,
            f"{kind}-comments",
            (),
            lambda: [c for c in site.comments.values() if c.comment_type == kind],
            lambda c: c.status == "current",
        )

    def _h_footer_comments(self, call: Call) -> Response:
        return self._global_comments(call, "footer")

    def _h_inline_comments(self, call: Call) -> Response:
        return self._global_comments(call, "inline")

    def _container_comments(self, call: Call, container: Page | BlogPost, kind: str) -> Response:
        q = call.query
        wanted = q.choices("status", SINGLE_STATUSES, ("current",))
        resolution = q.choices("resolution-status", ("resolved", "open", "dangling", "reopened"), ()) if kind == "inline" else ()
        site = self.site

        def candidates():
            found = (site.comments[i] for i in site.comments_by_container.get(container.id, ()))
            # Confluence lists only root comments here; replies come from .../{id}/children.
            return [c for c in found if c.comment_type == kind and c.parent_comment_id is None]

        def keep(c: Comment) -> bool:
            return c.status in wanted and (not resolution or c.resolution_status in resolution)

        return self._comment_list(call, f"{kind}-comments-of", (container.id,), candidates, keep)

    def _h_page_footer_comments(self, call: Call) -> Response:
        return self._container_comments(call, self._existing_page(call), "footer")

    def _h_page_inline_comments(self, call: Call) -> Response:
        return self._container_comments(call, self._existing_page(call), "inline")

    def _h_blogpost_footer_comments(self, call: Call) -> Response:
        return self._container_comments(call, self._existing_blog(call), "footer")

    def _h_blogpost_inline_comments(self, call: Call) -> Response:
        return self._container_comments(call, self._existing_blog(call), "inline")

    def _comment_children(self, call: Call, kind: str) -> Response:
        parent = self.site.comments.get(self._numeric_id(call))
        if parent is None or parent.comment_type != kind:
            raise ApiError(404, f"No {kind} comment with id {call.id}")
        site = self.site

        def candidates():
            found = (site.comments[i] for i in site.comments_by_container.get(parent.container_id, ()))
            return [c for c in found if c.parent_comment_id == parent.id]

        return self._comment_list(call, f"{kind}-comment-children", (parent.id,), candidates, lambda c: c.status == "current")

    def _h_footer_comment_children(self, call: Call) -> Response:
        return self._comment_children(call, "footer")

    def _h_inline_comment_children(self, call: Call) -> Response:
        return self._comment_children(call, "inline")

    def _comment_version(self, call: Call, kind: str) -> Response:
        """A DetailedVersion. The model keeps a comment's first and current versions only; the ones
        between are answered 404 (the connector asks for version 1 alone)."""
        comment = self.site.comments.get(self._numeric_id(call))
        if comment is None or comment.comment_type != kind:
            raise ApiError(404, f"No {kind} comment with id {call.id}")
        if not (call.number or "").isdigit():
            raise ApiError(400, f"'{call.number}' is not a valid version number")
        number = int(call.number or "0")
        versions = {1: comment.first_version, comment.version.number: comment.version}
        version = versions.get(number)
        if version is None:
            raise ApiError(404, f"No version {number} of {kind} comment {comment.id}")
        doc = {**self._version(version), "contentTypeModified": False, "collaborators": [version.author_id]}
        if number > 1:
            doc["prevVersion"] = number - 1
        if number < comment.version.number:
            doc["nextVersion"] = number + 1
        return self._json(200, doc)

    def _h_footer_comment_version(self, call: Call) -> Response:
        return self._comment_version(call, "footer")

    def _h_inline_comment_version(self, call: Call) -> Response:
        return self._comment_version(call, "inline")

    # ---- tasks ---------------------------------------------------------------------------
    def _h_tasks(self, call: Call) -> Response:
        q = call.query
        body_format = q.choice("body-format", BODY_FORMATS)
        include_blank = q.boolean("include-blank-tasks", True)
        status = q.choice("status", ("complete", "incomplete"))
        task_ids = frozenset(str(i) for i in q.ints("task-id", 250))
        space_ids = frozenset(str(i) for i in q.ints("space-id", 250))
        page_ids = frozenset(str(i) for i in q.ints("page-id", 250))
        blog_ids = frozenset(str(i) for i in q.ints("blogpost-id", 250))
        created_by = frozenset(q.many("created-by", 250))
        assigned_to = frozenset(q.many("assigned-to", 250))
        completed_by = frozenset(q.many("completed-by", 250))
        ranges = []
        for name, attr in (
            ("created-at", "created_at"),
            ("due-at", "due_at"),
            ("completed-at", "completed_at"),
        ):
            lo, hi = q.integer(name + "-from"), q.integer(name + "-to")
            if lo is not None or hi is not None:
                ranges.append((attr, lo, hi))
        limit = q.limit()
        site = self.site
        containers = page_ids | blog_ids
        if task_ids:
            scope: tuple = ("ids", task_ids)

            def candidates():
                return [site.tasks[i] for i in sorted(task_ids) if i in site.tasks]
        elif containers:
            scope = ("containers", page_ids, blog_ids)

            def candidates():
                out = []
                for cid in sorted(page_ids):
                    if cid in site.pages:
                        out.extend(site.tasks[t] for t in site.tasks_by_container.get(cid, ()))
                for cid in sorted(blog_ids):
                    if cid in site.blog_posts:
                        out.extend(site.tasks[t] for t in site.tasks_by_container.get(cid, ()))
                return out
        else:
            scope = ()

            def candidates():
                return site.tasks.values()

        def keep(t: Task) -> bool:
            if status is not None and t.status != status:
                return False
            if not include_blank and not t.body.strip():
                return False
            if space_ids and t.space_id not in space_ids:
                return False
            if created_by and t.created_by not in created_by:
                return False
            if assigned_to and t.assigned_to not in assigned_to:
                return False
            if completed_by and t.completed_by not in completed_by:
                return False
            for attr, lo, hi in ranges:
                value = getattr(t, attr)
                if value is None:
                    return False
                ms = to_ms(value)
                if (lo is not None and ms < lo) or (hi is not None and ms > hi):
                    return False
            return True

        return self._list(
            call,
            "tasks",
            scope,
            candidates,
            ("id", False),
            limit,
            keep,
            lambda t: _enc(self._task_json(t, body_format)),
        )

    # ---- labels --------------------------------------------------------------------------
    def _h_labels(self, call: Call) -> Response:
        q = call.query
        label_ids = frozenset(str(i) for i in q.ints("label-id"))
        prefixes = frozenset(q.many("prefix"))
        sort = q.sort(LABEL_SORTS)
        limit = q.limit()
        site = self.site

        def keep(lb: Label) -> bool:
            return (not label_ids or lb.id in label_ids) and (not prefixes or lb.prefix in prefixes)

        return self._list(
            call,
            "labels",
            (),
            lambda: site.labels.values(),
            sort,
            limit,
            keep,
            lambda lb: _enc(self._label_json(lb)),
        )

    def _content_labels(self, call: Call, content_id: str, prefixes: tuple[str, ...]) -> Response:
        q = call.query
        prefix = q.choice("prefix", prefixes)
        sort = q.sort(LABEL_SORTS)
        limit = q.limit()
        site = self.site
        return self._list(
            call,
            "content-labels",
            (content_id,),
            lambda: site.labels_of(content_id),
            sort,
            limit,
            lambda lb: prefix is None or lb.prefix == prefix,
            lambda lb: _enc(self._label_json(lb)),
        )

    CONTENT_PREFIXES = ("my", "team", "global", "system")

    def _h_page_labels(self, call: Call) -> Response:
        return self._content_labels(call, self._existing_page(call).id, self.CONTENT_PREFIXES)

    def _h_blogpost_labels(self, call: Call) -> Response:
        return self._content_labels(call, self._existing_blog(call).id, self.CONTENT_PREFIXES)

    def _h_attachment_labels(self, call: Call) -> Response:
        return self._content_labels(call, self._existing_attachment(call).id, self.CONTENT_PREFIXES)

    def _h_space_labels(self, call: Call) -> Response:
        return self._content_labels(call, self._existing_space(call).id, ("my", "team"))

    def _labelled(self, label: Label, collection: dict) -> list:
        return [collection[i] for i in self.site.content_by_label.get(label.id, {}) if i in collection]

    def _h_label_pages(self, call: Call) -> Response:
        return self._labelled_content(call, "label-pages", self.site.pages, PAGE_SORTS, self._page_json)

    def _h_label_blogposts(self, call: Call) -> Response:
        return self._labelled_content(call, "label-blogposts", self.site.blog_posts, BLOG_SORTS, self._blog_json)

    def _labelled_content(self, call: Call, list_name: str, collection: dict, sorts, to_json) -> Response:
        """Current pages or blog posts carrying a label (the label endpoints take no status filter)."""
        label = self._existing_label(call)
        q = call.query
        space_ids = frozenset(str(i) for i in q.ints("space-id", 100))
        body_format = q.choice("body-format", BODY_FORMATS)
        sort = q.sort(sorts)
        limit = q.limit()
        return self._list(
            call,
            list_name,
            (label.id,),
            lambda: self._labelled(label, collection),
            sort,
            limit,
            lambda c: c.status == "current" and (not space_ids or c.space_id in space_ids),
            lambda c: self._text_with_body(to_json(c), c, body_format),
        )

    def _h_label_attachments(self, call: Call) -> Response:
        label = self._existing_label(call)
        q = call.query
        sort = q.sort(COMMENT_SORTS, default="id")
        limit = q.limit()
        return self._list(
            call,
            "label-attachments",
            (label.id,),
            lambda: self._labelled(label, self.site.attachments),
            sort,
            limit,
            lambda a: a.status == "current",
            lambda a: _enc(self._attachment_json(a)),
        )

    # ---- attachments ---------------------------------------------------------------------
    def _attachment_list(self, call: Call, scope: tuple, candidates: Callable[[], Iterable]) -> Response:
        q = call.query
        sort = q.sort(COMMENT_SORTS, default="id")
        wanted = q.choices("status", ("current", "archived", "trashed"), ("current", "archived"))
        media_type = q.one("mediaType")
        filename = q.one("filename")
        limit = q.limit(default=50)

        def keep(a: Attachment) -> bool:
            if a.status not in wanted:
                return False
            if media_type and a.media_type != media_type:
                return False
            if filename and a.title != filename:
                return False
            return True

        return self._list(
            call,
            "attachments",
            scope,
            candidates,
            sort,
            limit,
            keep,
            lambda a: _enc(self._attachment_json(a)),
        )

    def _h_attachments(self, call: Call) -> Response:
        return self._attachment_list(call, (), lambda: self.site.attachments.values())

    def _container_attachments(self, call: Call, container: Page | BlogPost) -> Response:
        site = self.site
        return self._attachment_list(
            call,
            (container.id,),
            lambda: [site.attachments[i] for i in site.attachments_by_container.get(container.id, ())],
        )

    def _h_page_attachments(self, call: Call) -> Response:
        return self._container_attachments(call, self._existing_page(call))

    def _h_blogpost_attachments(self, call: Call) -> Response:
        return self._container_attachments(call, self._existing_blog(call))

    def _h_attachment(self, call: Call) -> Response:
        att = self._existing_attachment(call)
        d = self._attachment_json(att)
        d["_links"]["base"] = self.wiki_base
        return self._json(200, d)

    # ---- users ---------------------------------------------------------------------------
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
