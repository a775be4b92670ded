"""Data Center mode of the double: the same generated site served as Confluence Data Center 7.x/8.x.

    with DataCenterDouble(SiteSpec(pages=200), DataCenterSettings(time_zone="Asia/Kathmandu")) as dc:
        config = dc.config()          # personal access token; dc.basic_config() for username/password

What differs from the Cloud double, as on a real server:
- REST v1 under ``{context path}/rest/api`` (default context ``/confluence``); lists page by
  ``start``/``limit``; ``_links.next`` is relative to ``_links.base`` (it lacks the context path).
- Users are identified by a user key (32 hex digits) and a username; bodies mention
  ``ri:userkey``. Timestamps are written in the server's time zone with its offset.
- ``/rest/api/content/search`` takes CQL: ``type``, ``space``, ``id``, ``label``, ``title``,
  ``lastmodified`` and ``created`` with ``= != > >= < <=``, ``in``/``not in``, ``and``/``or``/``not``,
  parentheses and ``order by``. Dates (``"yyyy-MM-dd HH:mm"``) are read in the server's zone (an
  ambiguous autumn wall time as its first occurrence) and compared to the minute. Search lists
  current content only and caps ``limit`` at 50 when a body is expanded (else 1000). Results are
  ordered by the full modification time, ties by id.
- ``/rest/api/content/scan`` (7.18+, ``scan_endpoint``): current pages by id, cursor-paginated;
  older versions answer 404.
- Auth: a personal access token as ``Bearer``, or basic username:password. With anonymous access
  on, an invalid token (or none) is an anonymous session, not an error: ``user/current`` says
  ``"type": "anonymous"`` and lists are empty. Wrong basic credentials answer 401.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import ssl
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode
from zoneinfo import ZoneInfo

from .api.wire import Response, _slug, _tinyui
from .model import Attachment, BlogPost, Comment, Page, Site, SiteSpec, Space, to_ms
from .server import ConfluenceDouble

REST = "/rest/api"
SEARCH_BODY_LIMIT = 50
SEARCH_LIMIT = 1000
SCAN_LIMIT = 200
_MENTION = re.compile(r'ri:account-id="([^"]+)"')
Content = Page | BlogPost | Comment | Attachment


@dataclass
class DataCenterSettings:
    context_path: str = "/confluence"
    time_zone: str = "Europe/Berlin"
    personal_access_token: str = "double-personal-access-token"  # noqa: S105 - the double's fixed test credential
    password: str = "double-password"  # noqa: S105
    anonymous_access: bool = True
    scan_endpoint: bool = True
    version: str = "8.5.4"


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


ANONYMOUS = object()


def user_key(account_id: str) -> str:
    """A Data Center style user key (32 hex digits), stable for an account."""
    return hashlib.sha256(account_id.encode()).hexdigest()[:32]


def usernames(site: Site) -> dict[str, str]:
    """account id -> a unique login name made of the display name (e.g. ada.okafor)."""
    taken: set[str] = set()
    names: dict[str, str] = {}
    for user in site.users.values():
        plain = unicodedata.normalize("NFKD", user.display_name).encode("ascii", "ignore").decode()
        base = re.sub(r"[^a-z0-9]+", ".", plain.lower()).strip(".") or "user"
        name, n = base, 2
        while name in taken:
            name, n = f"{base}{n}", n + 1
        taken.add(name)
        names[user.account_id] = name
    return names


# ---- CQL ----------------------------------------------------------------------------------------
_TOKEN = re.compile(r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op>!=|>=|<=|=|>|<|~|\(|\)|,)|(?P<word>[^\s"=!<>~(),]+))')
CQL_FIELDS = ("type", "space", "space.key", "id", "label", "title", "lastmodified", "created")
SORT_FIELDS = ("lastmodified", "created", "id", "title")


class CqlError(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(400, f"Could not parse cql : {message}")


def _tokens(cql: str) -> list[tuple[str, str]]:
    out, position = [], 0
    cql = cql.rstrip()
    while position < len(cql):
        match = _TOKEN.match(cql, position)
        if match is None or match.end() == position:
            raise CqlError(f"unexpected character at {position}")
        position = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
    return out


class Cql:
    """A parsed query: ``matches(obj)`` and the ``order`` it asks for."""

    def __init__(self, text: str, facts: Callable[[Content, str], list[str] | datetime | None], zone: ZoneInfo) -> None:
        self._facts = facts
        self._zone = zone
        self._tokens = _tokens(text)
        self._at = 0
        self.order: list[tuple[str, bool]] = []
        self._predicate = self._or()
        if self._peek_word("order"):
            self._at += 1
            if not self._peek_word("by"):
                raise CqlError("expected 'by' after 'order'")
            self._at += 1
            while True:
                name = self._word().lower()
                if name not in SORT_FIELDS:
                    raise CqlError(f"cannot order by {name}")
                descending = False
                if self._peek_word("asc") or self._peek_word("desc"):
                    descending = self._word().lower() == "desc"
                self.order.append((name, descending))
                if not self._take_op(","):
                    break
        if self._at != len(self._tokens):
            raise CqlError(f"unexpected {self._tokens[self._at][1]!r}")

    def matches(self, obj: Content) -> bool:
        return self._predicate(obj)

    # -- grammar: or := and ("or" and)* ; and := not ("and" not)* ; not := "not"? atom
    def _peek_word(self, word: str) -> bool:
        """Keywords are case-insensitive."""
        if self._at >= len(self._tokens):
            return False
        kind, value = self._tokens[self._at]
        return kind == "word" and value.lower() == word

    def _word(self) -> str:
        if self._at >= len(self._tokens) or self._tokens[self._at][0] != "word":
            raise CqlError("expected a word")
        self._at += 1
        return self._tokens[self._at - 1][1]

    def _take_op(self, op: str) -> bool:
        if self._at < len(self._tokens) and self._tokens[self._at] == ("op", op):
            self._at += 1
            return True
        return False

    def _value(self) -> str:
        if self._at >= len(self._tokens) or self._tokens[self._at][0] not in ("string", "word"):
            raise CqlError("expected a value")
        self._at += 1
        return self._tokens[self._at - 1][1]

    def _or(self) -> Callable[[Content], bool]:
        parts = [self._and()]
        while self._peek_word("or"):
            self._at += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda o: any(p(o) for p in parts))

    def _and(self) -> Callable[[Content], bool]:
        parts = [self._not()]
        while self._peek_word("and"):
            self._at += 1
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else (lambda o: all(p(o) for p in parts))

    def _not(self) -> Callable[[Content], bool]:
        if self._peek_word("not"):
            self._at += 1
            inner = self._atom()
            return lambda o: not inner(o)
        return self._atom()

    def _atom(self) -> Callable[[Content], bool]:
        if self._take_op("("):
            inner = self._or()
            if not self._take_op(")"):
                raise CqlError("missing )")
            return inner
        name = self._word().lower()
        if name not in CQL_FIELDS:
            raise CqlError(f"unknown field {name}")
        negate = False
        if self._peek_word("not"):
            self._at += 1
            negate = True
        if self._peek_word("in"):
            self._at += 1
            if not self._take_op("("):
                raise CqlError("expected ( after in")
            values = [self._value()]
            while self._take_op(","):
                values.append(self._value())
            if not self._take_op(")"):
                raise CqlError("missing ) after in list")
            test = self._membership(name, values)
            return (lambda o: not test(o)) if negate else test
        if negate:
            raise CqlError("expected in after not")
        for op in ("=", "!=", ">=", "<=", ">", "<", "~"):
            if self._take_op(op):
                return self._comparison(name, op, self._value())
        raise CqlError(f"expected an operator after {name}")

    def _membership(self, name: str, values: list[str]) -> Callable[[Content], bool]:
        wanted = {v.lower() for v in values}
        return lambda o: any(str(v).lower() in wanted for v in self._facts(o, name) or [])  # type: ignore[union-attr]

    def _comparison(self, name: str, op: str, value: str) -> Callable[[Content], bool]:
        if name in ("lastmodified", "created"):
            bound = self._date(value)
            compare = {"=": lambda m: m == bound, "!=": lambda m: m != bound, ">=": lambda m: m >= bound,
                       ">": lambda m: m > bound, "<": lambda m: m < bound, "<=": lambda m: m <= bound}.get(op)
            if compare is None:
                raise CqlError(f"{op} does not apply to dates")

            def date_test(o: Content) -> bool:
                moment = self._facts(o, name)
                # Compared to the minute: the object's time truncated to its minute.
                return isinstance(moment, datetime) and compare(moment.replace(second=0, microsecond=0))
            return date_test
        if op == "~":
            return lambda o: any(value.lower() in str(v).lower() for v in self._facts(o, name) or [])  # type: ignore[union-attr]
        if op not in ("=", "!="):
            raise CqlError(f"{op} does not apply to {name}")
        same = self._membership(name, [value])
        return same if op == "=" else (lambda o: not same(o))

    def _date(self, text: str) -> datetime:
        for pattern in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
            try:
                naive = datetime.strptime(text, pattern)
            except ValueError:
                continue
            # An ambiguous autumn wall time is read as its first occurrence (fold 0).
            return naive.replace(tzinfo=self._zone, fold=0).astimezone(UTC)
        raise CqlError(f"'{text}' is not a date (use \"yyyy-MM-dd HH:mm\")")


# ---- the API ------------------------------------------------------------------------------------
class DataCenterApi:
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
            return _json(200, {"state": "RUNNING"})
        try:
            if not path.startswith(self.context + REST + "/"):
                raise ApiError(404, f"No such path {path}")
            session = self._session(headers.get("authorization"))
            if method != "GET":
                raise ApiError(405, f"{method} is not served by this double")
            query = _Query(raw_query, path)
            route = path[len(self.context + REST):].rstrip("/")
            with self.site.lock:
                return self._route(route, query, session)
        except ApiError as error:
            return _json(error.status, {"statusCode": error.status, "message": error.message,
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

    def _route(self, route: str, query: _Query, session: Any) -> Response:
        if route == "/user/current":
            return _json(200, self._current_user(session))
        if route == "/user":
            return _json(200, self._user_lookup(query))
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
        raise ApiError(404, f"No such resource {route}")

    # -- users ----------------------------------------------------------------------------------
    def user_json(self, account_id: str | None) -> dict[str, Any]:
        user = self.site.users.get(account_id or "")
        if user is None:
            return {"type": "anonymous", "displayName": "Anonymous",
                    "profilePicture": {"path": f"{self.context}/images/icons/profilepics/anonymous.svg", "width": 48,
                                       "height": 48, "isDefault": True}}
        key = self.keys[user.account_id]
        return {
            "type": "known",
            "username": self.usernames[user.account_id],
            "userKey": key,
            "profilePicture": {"path": f"{self.context}/images/icons/profilepics/default.svg", "width": 48,
                               "height": 48, "isDefault": True},
            "displayName": user.display_name,
            "_links": {"self": f"{self.base_url}{REST}/user?key={key}"},
            "_expandable": {"status": ""},
        }

    def _current_user(self, session: Any) -> dict[str, Any]:
        return self.user_json(None if session is ANONYMOUS else session.account_id)

    def _user_lookup(self, query: _Query) -> dict[str, Any]:
        key, username = query.one("key"), query.one("username")
        account_id = self.by_key.get(key or "") if key else self.by_username.get(username or "")
        if account_id is None:
            raise ApiError(404, "No user with the given key or username")
        return self.user_json(account_id)

    # -- shapes ---------------------------------------------------------------------------------
    def when(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).isoformat(timespec="milliseconds")

    def body(self, obj: Page | BlogPost | Comment) -> str:
        """The storage body with Data Center mentions (user keys instead of account ids)."""
        return _MENTION.sub(lambda m: f'ri:userkey="{self.keys.get(m.group(1), m.group(1))}"', self.site.storage_body(obj))

    def webui(self, obj: Content) -> str:
        if isinstance(obj, Comment):
            container = self._container(obj)
            page_ui = self.webui(container) if container is not None else ""
            return f"{page_ui}?focusedCommentId={obj.id}#comment-{obj.id}"
        if isinstance(obj, Attachment):
            return (f"/pages/viewpageattachments.action?pageId={obj.container_id}"
                    f"&preview=%2F{obj.container_id}%2F{obj.num}%2F{quote(obj.title)}")
        key = self._space(obj).key
        if isinstance(obj, BlogPost):
            return f"/display/{key}/{obj.created_at.astimezone(self.zone):%Y/%m/%d}/{_slug(obj.title)}"
        return f"/display/{key}/{_slug(obj.title)}"

    def _space(self, obj: Content) -> Space:
        if isinstance(obj, Page | BlogPost):
            return self.site.spaces[obj.space_id]
        container = self._container(obj)
        return self.site.spaces[container.space_id] if container is not None else next(iter(self.site.spaces.values()))

    def _container(self, obj: Comment | Attachment) -> Page | BlogPost | None:
        return self.site.pages.get(obj.container_id) or self.site.blog_posts.get(obj.container_id)

    @staticmethod
    def kind(obj: Content) -> str:
        return {Page: "page", BlogPost: "blogpost", Comment: "comment", Attachment: "attachment"}[type(obj)]

    def _brief(self, obj: Content) -> dict[str, Any]:
        return {"id": obj.id, "type": self.kind(obj), "status": obj.status, "title": obj.title,
                "_links": {"webui": self.webui(obj), "self": f"{self.base_url}{REST}/content/{obj.id}"},
                "_expandable": {}}

    def space_json(self, space: Space, expand: frozenset[str] = frozenset()) -> dict[str, Any]:
        d: dict[str, Any] = {"id": int(space.id), "key": space.key, "name": space.name, "type": space.type,
                             "status": space.status}
        if "description.plain" in expand:
            d["description"] = {"plain": {"value": space.description, "representation": "plain", "embeddedContent": []},
                                "_expandable": {"view": ""}}
        if "homepage" in expand and space.homepage_id in self.site.pages:
            d["homepage"] = self._brief(self.site.pages[space.homepage_id])
        if "metadata.labels" in expand:
            d["metadata"] = {"labels": self._labels(space.id), "_expandable": {}}
        d["_links"] = {"webui": f"/display/{space.key}", "self": f"{self.base_url}{REST}/space/{space.key}"}
        d["_expandable"] = {name: "" for name in ("settings", "metadata", "operations", "lookAndFeel", "permissions",
                                                  "icon", "description", "theme", "history", "homepage")
                            if not any(e.split(".")[0] == name for e in expand)}
        return d

    def _labels(self, content_id: str) -> dict[str, Any]:
        labels = self.site.labels_of(content_id)
        return {"results": [{"prefix": lb.prefix, "name": lb.name, "id": lb.id, "label": lb.name} for lb in labels],
                "start": 0, "limit": 200, "size": len(labels), "_links": {}}

    def content_json(self, obj: Content, expand: frozenset[str]) -> dict[str, Any]:
        d = self._brief(obj)
        d.pop("_expandable")
        version = obj.version
        if "space" in expand:
            d["space"] = self.space_json(self._space(obj))
        if "history" in expand:
            creator = obj.author_id if isinstance(obj, Page | BlogPost) else version.author_id if version.number == 1 else None
            d["history"] = {"latest": True, "createdBy": self.user_json(creator),
                            "createdDate": self.when(obj.created_at),
                            "_links": {"self": f"{self.base_url}{REST}/content/{obj.id}/history"},
                            "_expandable": {"lastUpdated": "", "previousVersion": "", "contributors": "", "nextVersion": ""}}
        if "version" in expand:
            d["version"] = {"by": self.user_json(version.author_id), "when": self.when(version.created_at),
                            "message": version.message, "number": version.number, "minorEdit": version.minor_edit,
                            "_links": {"self": f"{self.base_url}{REST}/content/{obj.id}/version/{version.number}"}}
        if "ancestors" in expand:
            d["ancestors"] = [self._brief(a) for a in self._ancestors(obj)]
        if "container" in expand:
            container = self._container(obj) if isinstance(obj, Comment | Attachment) else None
            d["container"] = self._brief(container) if container is not None else self.space_json(self._space(obj))
        if "body.storage" in expand and not isinstance(obj, Attachment):
            d["body"] = {"storage": {"value": self.body(obj), "representation": "storage",
                                     "_expandable": {"content": f"{REST}/content/{obj.id}"}},
                         "_expandable": {"editor": "", "view": "", "export_view": "", "styled_view": ""}}
        if "metadata.labels" in expand or "metadata" in expand:
            metadata: dict[str, Any] = {"labels": self._labels(obj.id), "_expandable": {}}
            if isinstance(obj, Attachment):
                metadata.update({"mediaType": obj.media_type, "comment": obj.comment})
            d["metadata"] = metadata
        d["extensions"] = self._extensions(obj, expand)
        if isinstance(obj, Attachment):
            d["_links"]["download"] = (f"/download/attachments/{obj.container_id}/{quote(obj.title)}"
                                       f"?version={version.number}&modificationDate={to_ms(version.created_at)}&api=v2")
        else:
            d["_links"]["tinyui"] = _tinyui(obj.num)
        d["_expandable"] = {name: "" for name in ("container", "metadata", "operations", "children", "restrictions",
                                                  "history", "ancestors", "body", "version", "descendants", "space")
                            if not any(e.split(".")[0] == name for e in expand)}
        return d

    def _ancestors(self, obj: Content) -> list[Content]:
        chain: list[Content] = []
        if isinstance(obj, Page):
            parent = self.site.pages.get(obj.parent_id or "")
            while parent is not None and len(chain) < 100:
                chain.insert(0, parent)
                parent = self.site.pages.get(parent.parent_id or "")
        elif isinstance(obj, Comment) and obj.parent_comment_id:
            parent_comment = self.site.comments.get(obj.parent_comment_id)
            if parent_comment is not None:
                chain.append(parent_comment)
        return chain

    def _extensions(self, obj: Content, expand: frozenset[str]) -> dict[str, Any]:
        if isinstance(obj, Page):
            return {"position": obj.position if obj.position is not None else "none"}
        if isinstance(obj, Attachment):
            return {"mediaType": obj.media_type, "fileSize": obj.file_size, "comment": obj.comment}
        if not isinstance(obj, Comment):
            return {}
        out: dict[str, Any] = {"location": obj.comment_type}
        if obj.comment_type == "inline":
            if "extensions.inlineProperties" in expand:
                out["inlineProperties"] = {"markerRef": obj.inline_marker_ref,
                                           "originalSelection": obj.inline_original_selection}
            if "extensions.resolution" in expand:
                resolution: dict[str, Any] = {"status": obj.resolution_status}
                if obj.resolution_last_modified_at is not None:
                    resolution["lastModifier"] = self.user_json(obj.resolution_last_modifier_id)
                    resolution["lastModifiedDate"] = self.when(obj.resolution_last_modified_at)
                out["resolution"] = resolution
        return out

    # -- lists ----------------------------------------------------------------------------------
    def _page_of(self, query: _Query, found: list[Any], render: Callable[[Any], dict[str, Any]], cap: int,
                 extra: dict[str, Any] | None = None) -> Response:
        start = query.integer("start", 0)
        limit = min(query.integer("limit", 25), cap)
        if start < 0 or limit < 1:
            raise ApiError(400, "start must be >= 0 and limit >= 1")
        page = found[start:start + limit]
        links: dict[str, str] = {"base": self.base_url, "context": self.context,
                                 "self": f"{self.base_url}{query.path}"}
        if start + limit < len(found):
            pairs = [(k, v) for k, v in query.pairs if k != "start"] + [("start", str(start + limit))]
            links["next"] = f"{query.path[len(self.context):]}?{urlencode(pairs, quote_via=quote, safe=',')}"
        doc = {"results": [render(item) for item in page], "start": start, "limit": limit, "size": len(page),
               **(extra or {}), "_links": links}
        return _json(200, doc)

    def _spaces(self, query: _Query, session: Any) -> Response:
        keys = set(query.many("spaceKey"))
        status, space_type = query.one("status"), query.one("type")
        expand = query.expand()
        found = [] if session is ANONYMOUS else [
            s for s in sorted(self.site.spaces.values(), key=lambda s: s.num)
            if (not keys or s.key in keys) and (not status or s.status == status) and (not space_type or s.type == space_type)]
        return self._page_of(query, found, lambda s: self.space_json(s, expand), 500)

    def current_content(self) -> Iterable[Content]:
        """What search finds: current content; comments and attachments only on current containers
        (trashing a page takes what hangs off it out of the index too)."""
        site = self.site
        for collection in (site.pages, site.blog_posts, site.comments, site.attachments):
            for obj in collection.values():
                if obj.status != "current":
                    continue
                if isinstance(obj, Comment | Attachment):
                    container = self._container(obj)
                    if container is None or container.status != "current":
                        continue
                yield obj

    def facts(self, obj: Content, name: str) -> list[str] | datetime | None:
        if name == "type":
            return [self.kind(obj)]
        if name in ("space", "space.key"):
            return [self._space(obj).key]
        if name == "id":
            return [str(obj.num)]
        if name == "label":
            return [lb.name for lb in self.site.labels_of(obj.id)]
        if name == "title":
            return [obj.title]
        if name == "lastmodified":
            return obj.version.created_at
        if name == "created":
            return obj.created_at
        return None

    def _search(self, query: _Query, session: Any) -> Response:
        text = query.one("cql")
        if not text:
            raise ApiError(400, "cql is required")
        cql = Cql(text, self.facts, self.zone)
        expand = query.expand()
        found = [] if session is ANONYMOUS else [obj for obj in self.current_content() if cql.matches(obj)]
        for name, descending in reversed(cql.order or [("id", False)]):
            found.sort(key=_sort_key(name), reverse=descending)
        cap = SEARCH_BODY_LIMIT if "body.storage" in expand else SEARCH_LIMIT
        return self._page_of(query, found, lambda obj: self.content_json(obj, expand), cap,
                             {"totalSize": len(found), "cqlQuery": text, "searchDuration": 7})

    def _scan(self, query: _Query, session: Any) -> Response:
        if (query.one("type") or "page") != "page":
            raise ApiError(400, "The scan endpoint lists pages only")
        key = query.one("spaceKey")
        cursor = query.one("cursor") or "content:false:null"
        match = re.fullmatch(r"content:false:(null|\d+)", cursor)
        if match is None:
            raise ApiError(400, f"Invalid cursor {cursor}")
        after = -1 if match.group(1) == "null" else int(match.group(1))
        limit = min(query.integer("limit", 25), SCAN_LIMIT)
        expand = query.expand()
        pages = [] if session is ANONYMOUS else sorted(
            (p for p in self.site.pages.values()
             if p.status == "current" and p.num > after and (not key or self.site.spaces[p.space_id].key == key)),
            key=lambda p: p.num)
        page = pages[:limit]
        links = {"base": self.base_url, "context": self.context, "self": f"{self.base_url}{query.path}"}
        doc: dict[str, Any] = {"results": [self.content_json(p, expand) for p in page], "cursor": cursor,
                               "limit": limit, "size": len(page)}
        if len(pages) > limit:
            next_cursor = f"content:false:{page[-1].num}"
            doc["nextCursor"] = next_cursor
            pairs = [(k, v) for k, v in query.pairs if k != "cursor"] + [("cursor", next_cursor)]
            links["next"] = f"{REST}/content/scan?{urlencode(pairs, quote_via=quote, safe=',:')}"
        doc["_links"] = links
        return _json(200, doc)

    def _child_comments(self, content_id: str, query: _Query, session: Any) -> Response:
        container = self.site.pages.get(content_id) or self.site.blog_posts.get(content_id)
        if container is None or session is ANONYMOUS:
            raise ApiError(404, f"No content with id {content_id}")
        locations = set(query.many("location"))
        all_depths = query.one("depth") == "all"
        found = [c for c in (self.site.comments[i] for i in self.site.comments_by_container.get(content_id, ()))
                 if c.status == "current" and (not locations or c.comment_type in locations)
                 and (all_depths or c.parent_comment_id is None)]
        found.sort(key=lambda c: c.num)
        expand = query.expand()
        return self._page_of(query, found, lambda c: self.content_json(c, expand), 100)


def _sort_key(name: str) -> Callable[[Content], Any]:
    if name == "lastmodified":
        return lambda o: (to_ms(o.version.created_at), o.num)
    if name == "created":
        return lambda o: (to_ms(o.created_at), o.num)
    if name == "title":
        return lambda o: (o.title, o.num)
    return lambda o: o.num


class _Query:
    def __init__(self, raw: str, path: str = "") -> None:
        self.pairs = parse_qsl(raw, keep_blank_values=True)
        self.path = path

    def one(self, name: str) -> str | None:
        return next((v for k, v in self.pairs if k == name), None)

    def many(self, name: str) -> list[str]:
        return [part.strip() for k, v in self.pairs if k == name for part in v.split(",") if part.strip()]

    def expand(self) -> frozenset[str]:
        return frozenset(self.many("expand"))

    def integer(self, name: str, default: int) -> int:
        value = self.one(name)
        if value in (None, ""):
            return default
        try:
            return int(value)  # type: ignore[arg-type]
        except ValueError:
            raise ApiError(400, f"{name} must be an integer") from None


def _json(status: int, doc: object) -> Response:
    return Response(status, [("Content-Type", "application/json;charset=UTF-8")],
                    json.dumps(doc, ensure_ascii=True, separators=(",", ":")).encode("ascii"))


class DataCenterDouble(ConfluenceDouble):
    """The double as a Confluence Data Center server (see the module doc).

    ``tls``: serve https with this server context (a certificate from a test CA, for the custom CA
    bundle); plain http otherwise.
    """

    def __init__(self, spec: SiteSpec | None = None, settings: DataCenterSettings | None = None,
                 tls: ssl.SSLContext | None = None, **kwargs: Any) -> None:
        super().__init__(spec, **kwargs)
        self.settings = settings or DataCenterSettings()
        self.usernames = usernames(self.site)
        self.tls = tls

    @property
    def url(self) -> str:
        plain = super().url
        return "https://" + plain.removeprefix("http://") if self.tls is not None else plain

    def start(self) -> DataCenterDouble:
        super().start()
        if self.tls is not None and self._server is not None:
            # Same file descriptor, so the serving loop keeps polling it; accept() now shakes hands.
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        return self

    def _build_api(self) -> DataCenterApi:
        return DataCenterApi(self.site, self.url, self.settings)

    @property
    def base_url(self) -> str:
        return self.url + self.settings.context_path.rstrip("/")

    @property
    def username(self) -> str:
        return self.usernames[self.site.current_user_id]

    def config(self) -> dict:
        return {"site_url": self.base_url,
                "credentials": {"auth_type": "personal_access_token",
                                "personal_access_token": self.settings.personal_access_token,
                                "server_time_zone": self.settings.time_zone}}

    def basic_config(self) -> dict:
        return {"site_url": self.base_url,
                "credentials": {"auth_type": "username_password", "username": self.username,
                                "password": self.settings.password, "server_time_zone": self.settings.time_zone}}

    def account_of(self, key: str) -> str | None:
        """The model's account id behind a Data Center user key."""
        return {user_key(a): a for a in self.site.users}.get(key)

    def local_minute(self, moment: datetime) -> str:
        """How this server writes `moment` in CQL."""
        return moment.astimezone(ZoneInfo(self.settings.time_zone)).strftime("%Y-%m-%d %H:%M")
