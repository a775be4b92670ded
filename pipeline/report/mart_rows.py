"""Reading a mart that may not be there: sections added after a warehouse was built (or whose streams
were never synced) must draw an empty state, not fail the report."""

from __future__ import annotations

from typing import Any

import duckdb


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]] | None:
    """The query's rows as dicts, or None when a table it reads does not exist."""
    try:
        cursor = con.execute(sql, params or [])
    except duckdb.CatalogException:
        return None
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
