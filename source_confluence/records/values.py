"""Values as the API sends them, made safe to read: an optional string, a nested object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def optional_str(value: Any) -> str | None:
    """The value as text; None when it is absent or empty."""
    return None if value is None or value == "" else str(value)


def mapping_of(value: Any) -> Mapping[str, Any]:
    """A nested object, or an empty one when the API sent something else in its place."""
    return value if isinstance(value, Mapping) else {}
