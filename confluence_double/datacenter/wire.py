"""Data Center v1 on the wire: settings of the server, errors in the v1 shape, query parameters, JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from ..api.wire import Response
from ..model import Attachment, BlogPost, Comment, Page

REST = "/rest/api"
SEARCH_BODY_LIMIT = 50
SEARCH_LIMIT = 1000
SCAN_LIMIT = 200
MENTION = re.compile(r'ri:account-id="([^"]+)"')
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


class V1Query:
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


def json_response(status: int, doc: object) -> Response:
    return Response(status, [("Content-Type", "application/json;charset=UTF-8")],
                    json.dumps(doc, ensure_ascii=True, separators=(",", ":")).encode("ascii"))

