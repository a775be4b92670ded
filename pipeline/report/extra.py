"""Sections that read marts of their own: each is one `Section` (its loader and its renderer) in `SECTIONS`.

A section that needs more than the fixed `ReportData` adds a module under `pipeline/report/` with a
`load(con)` that queries its marts and a `render(data)` that draws them, and one row here; the
page draws them in this order after the fixed sections. The loader runs with the marts' schema on
the search path, as `pipeline.marts.load` sets it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from pipeline.report import access, ai_ready, decisions, engagement


@dataclass(frozen=True)
class Section:
    key: str
    load: Callable[[duckdb.DuckDBPyConnection], Any]
    render: Callable[[Any], str]


SECTIONS: tuple[Section, ...] = (
    Section("decisions", decisions.load, decisions.render),
    Section("engagement", engagement.load, engagement.render),
    Section("access", access.load, access.render),
    Section("ai_ready", ai_ready.load, ai_ready.render),
)
