"""The Cloud double's wire format: limits and allowed values, errors in the v2 and v1 shapes, compact
ASCII JSON, opaque cursors and the short links Confluence builds from ids and titles."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from urllib.parse import quote_plus

MAX_LIMIT = 250
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
    return dumps_ascii(doc)


# ASCII-only output: the C encoder is several times faster than with ensure_ascii=False on large
# bodies, and clients decode \u escapes to the same strings.
encode_json = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def dumps_ascii(doc: object) -> bytes:
    return encode_json(doc).encode("ascii")


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def encode_cursor(doc: object) -> str:
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(text: str) -> object:
    padded = text + "=" * (-len(text) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


def tiny_link(num: int) -> str:
    raw = num.to_bytes(8, "little").rstrip(b"\0") or b"\0"
    return "/x/" + base64.b64encode(raw).decode().rstrip("=").replace("/", "-").replace("+", "_")


_PLAIN_TITLE = re.compile(r"[A-Za-z0-9_.~ -]*")


def title_slug(title: str) -> str:
    """quote_plus(title), with a fast path for titles that only need spaces replaced."""
    return title.replace(" ", "+") if _PLAIN_TITLE.fullmatch(title) else quote_plus(title)

