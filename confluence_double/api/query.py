"""Query parameters with Confluence's parsing rules, and one request as the handlers see it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from .wire import MAX_LIMIT, ApiError


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


@dataclass
class Call:
    """One request as the handlers see it."""

    path: str
    query: Query
    body: bytes
    id: str | None
    number: str | None = None  # a second path parameter (a version number)

