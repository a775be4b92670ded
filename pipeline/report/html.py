"""Small HTML helpers every part of the report shares: escaping attributes, numbers, times, links."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any


def attr(value: Any) -> str:
    return escape(str(value), quote=True)


def fmt_int(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def fmt_time(value: datetime | date | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def text_width(text: str) -> float:
    """Rough width in pixels of 12 px sans-serif text; enough to space legend entries."""
    return 7.0 * len(text)


def link(title: str | None, url: str | None) -> str:
    text = escape(title or "(untitled)")
    return f'<a href="{attr(url)}">{text}</a>' if url else text
