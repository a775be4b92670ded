"""What a sync changed, per stream, by comparing the cache's tables before and after it.

Before the sync the latest row of every key of every raw table (its key and compared columns) is
copied into an in-memory DuckDB database (the cache file is attached read-only and detached again,
so PyAirbyte finds it unlocked). After it, the rows the sync wrote (newer ``_airbyte_extracted_at``
than anything before; the latest per key) are classified against that copy. Incremental streams are
appended, so a key is new when it had no row before; the full-refresh streams are replaced, so
their change is the difference of two snapshots.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline import FULL_REFRESH_STREAMS

# stream -> (key column, columns compared)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "spaces": ("id", ("name", "status")),
    "pages": ("id", ("status", "version_number")),
    "blog_posts": ("id", ("status", "version_number")),
    "comments": ("id", ("status", "version_number", "resolution_status")),
    "attachments": ("id", ("status", "version_number")),
    "tasks": ("id", ("status", "updated_at")),
    "users": ("account_id", ("display_name", "account_status")),
    "content_labels": ("id", ("deleted_at",)),
    "content_versions": ("id", ()),
    "content_restrictions": ("id", ("deleted_at",)),
    "folders": ("id", ("title", "parent_id", "status", "deleted_at")),
    "groups": ("id", ("name",)),
    "group_members": ("id", ("deleted_at",)),
    "audit_records": ("id", ()),
    "space_permissions": ("id", ("deleted_at",)),
    "decisions": ("id", ("state", "text", "deleted_at")),
    "content_views": ("content_id", ("views", "viewers")),
}

# Categories of content with a status, first match wins. `r` is the row the sync wrote, `b` the row
# before it (all nulls when the key is new). A purge tombstone carries no version number.
_CONTENT_CASES = (
    ("new", "b.k is null"),
    ("purged", "r.status = 'deleted' and r.version_number is null"),
    ("deleted", "r.status = 'deleted' and b.status is distinct from 'deleted'"),
    ("trashed", "r.status = 'trashed' and b.status is distinct from 'trashed'"),
    ("archived", "r.status = 'archived' and b.status is distinct from 'archived'"),
    ("restored", "r.status = 'current' and b.status in ('trashed', 'archived', 'deleted')"),
    ("updated", "true"),
)
# Streams read in rounds (sync/rounds.py): a row gone arrives as a tombstone; a row read again is unchanged.
_ROUND_CASES = (
    ("removed", "r.deleted_at is not null"),
    ("new", "b.k is null or b.deleted_at is not null"),
    ("unchanged", "true"),
)
CASES: dict[str, tuple[tuple[str, str], ...]] = {
    "pages": _CONTENT_CASES,
    "blog_posts": _CONTENT_CASES,
    "comments": (
        ("new", "b.k is null"),
        ("removed", "r.status = 'deleted' and r.version_number is null"),
        ("resolved", "r.resolution_status = 'resolved' and b.resolution_status is distinct from 'resolved'"),
        ("updated", "true"),
    ),
    "attachments": _CONTENT_CASES,
    # Tasks are re-read with their changed page, so most rows of an incremental sync are unchanged.
    "tasks": (
        ("new", "b.k is null"),
        ("completed", "r.status = 'complete' and b.status = 'incomplete'"),
        ("reopened", "r.status = 'incomplete' and b.status = 'complete'"),
        ("updated", "r.updated_at is distinct from b.updated_at"),
        ("unchanged", "true"),
    ),
    # A label removed arrives as a tombstone row; a pair read again by a label's round is unchanged.
    "content_labels": _ROUND_CASES,
    # Likewise a member removed from a group, a space permission revoked (each group's and space's round).
    "group_members": _ROUND_CASES,
    "space_permissions": _ROUND_CASES,
    "users": (
        ("new", "b.k is null"),
        ("updated", "r.display_name is distinct from b.display_name or r.account_status is distinct from b.account_status"),
        ("unchanged", "true"),
    ),
    # Versions and audit events never change once written; re-reads are the same rows.
    "content_versions": (("new", "b.k is null"), ("unchanged", "true")),
    "audit_records": (("new", "b.k is null"), ("unchanged", "true")),
    # A lifted restriction arrives as a tombstone (deleted_at set); restrictions of changed content are re-read.
    "content_restrictions": (
        ("lifted", "r.deleted_at is not null and b.deleted_at is null"),
        ("new", "r.deleted_at is null and (b.k is null or b.deleted_at is not null)"),
        ("unchanged", "true"),
    ),
    "folders": (
        ("new", "b.k is null"),
        ("deleted", "r.deleted_at is not null and b.deleted_at is null"),
        ("updated", "r.title is distinct from b.title or r.parent_id is distinct from b.parent_id "
                    "or r.status is distinct from b.status"),
        ("unchanged", "true"),
    ),
    # Decisions are re-parsed from every changed body; one gone from its body arrives as a tombstone.
    "decisions": (
        ("removed", "r.deleted_at is not null and b.deleted_at is null"),
        ("new", "r.deleted_at is null and (b.k is null or b.deleted_at is not null)"),
        ("updated", "r.state is distinct from b.state or r.text is distinct from b.text"),
        ("unchanged", "true"),
    ),
    "content_views": (
        ("new", "b.k is null"),
        ("updated", "r.views is distinct from b.views or r.viewers is distinct from b.viewers"),
        ("unchanged", "true"),
    ),
}


@dataclass
class StreamChange:
    stream: str
    records: int
    """Records the connector sent in this sync."""
    initial: bool
    """No table before this sync: everything is new."""
    categories: dict[str, int] = field(default_factory=dict)
    """Incremental streams: rows by category; full-refresh streams: added / removed / updated."""
    rows: int = 0
    """Distinct keys (objects) in the table after the sync; appended tables hold more rows than that."""

    @property
    def changed(self) -> int:
        return sum(n for name, n in self.categories.items() if name != "unchanged")

    def describe(self) -> str:
        """e.g. '12 updated, 3 new, 1 purged' or 'no change'."""
        if self.initial:
            return f"{self.rows:,} loaded"
        parts = [f"{n:,} {name}" for name, n in self.categories.items() if n and name != "unchanged"]
        unchanged = self.categories.get("unchanged", 0)
        if unchanged:
            parts.append(f"{unchanged:,} re-read unchanged")
        return ", ".join(parts) if parts else "no change"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class ChangeTracker:
    """``before()`` ahead of the sync, ``after(received)`` once the cache is closed again."""

    def __init__(self, db_path: Path, streams: Iterable[str], schema: str = "main") -> None:
        self._db_path = Path(db_path)
        self._streams = [s for s in streams if s in COLUMNS]
        self._schema = schema
        self._memory = duckdb.connect(":memory:")
        self._had_table: dict[str, bool] = {}

    def _attach(self) -> bool:
        if not self._db_path.exists():
            return False
        path = str(self._db_path).replace("'", "''")
        self._memory.execute(f"attach '{path}' as cache (read_only)")
        return True

    def _detach(self) -> None:
        self._memory.execute("detach cache")

    def _tables(self) -> set[str]:
        rows = self._memory.execute(
            "select table_name from information_schema.tables where table_catalog = 'cache' and table_schema = ?",
            [self._schema],
        ).fetchall()
        return {name for (name,) in rows}

    def _columns(self, stream: str) -> set[str]:
        rows = self._memory.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = 'cache' and table_schema = ? and table_name = ?",
            [self._schema, stream],
        ).fetchall()
        return {name for (name,) in rows}

    def _source(self, stream: str) -> str:
        return f"cache.{_quote(self._schema)}.{_quote(stream)}"

    def _select(self, stream: str) -> str:
        key, compared = COLUMNS[stream]
        present = self._columns(stream)
        # PyAirbyte creates every column of the stream's schema; a missing one still reads as null.
        cols = [f"{_quote(c) if c in present else 'null'} as {_quote(c)}" for c in compared]
        return ", ".join([f"{_quote(key)} as k", *cols, "_airbyte_extracted_at as extracted_at"])

    def _latest(self, stream: str, where: str = "true") -> str:
        """The latest row of every key (appended tables hold one row per load), as a subquery."""
        return (f"(select * from (select {self._select(stream)} from {self._source(stream)}) "  # noqa: S608 - quoted
                f"where {where} qualify row_number() over (partition by k order by extracted_at desc) = 1)")

    def before(self) -> None:
        if not self._attach():
            self._had_table = dict.fromkeys(self._streams, False)
            return
        try:
            tables = self._tables()
            for stream in self._streams:
                self._had_table[stream] = stream in tables
                if stream in tables:
                    self._memory.execute(
                        f"create or replace table {_quote('before_' + stream)} as "  # noqa: S608 - quoted identifiers
                        f"select * from {self._latest(stream)}"
                    )
        finally:
            self._detach()

    def after(self, received: dict[str, int]) -> list[StreamChange]:
        if not self._attach():
            return []
        try:
            tables = self._tables()
            changes = []
            for stream in self._streams:
                if stream not in tables:
                    continue
                changes.append(self._classify(stream, received.get(stream, 0)))
            return changes
        finally:
            self._detach()

    def _classify(self, stream: str, received: int) -> StreamChange:
        key = _quote(COLUMNS[stream][0])
        rows = self._memory.execute(f"select count(distinct {key}) from {self._source(stream)}").fetchone()[0]  # noqa: S608
        if not self._had_table.get(stream):
            return StreamChange(stream, received, initial=True, rows=rows)
        before = _quote("before_" + stream)
        if stream in FULL_REFRESH_STREAMS:
            after = self._latest(stream)
            _, compared = COLUMNS[stream]
            differs = " or ".join(f"r.{_quote(c)} is distinct from b.{_quote(c)}" for c in compared) or "false"
            added, removed, updated = self._memory.execute(
                f"select count(*) filter (where b.k is null), count(*) filter (where r.k is null), "  # noqa: S608
                f"count(*) filter (where r.k is not null and b.k is not null and ({differs})) "
                f"from {after} r full outer join {before} b on r.k = b.k"
            ).fetchone()
            return StreamChange(stream, received, initial=False, rows=rows,
                                categories={"added": added, "removed": removed, "updated": updated})
        cases = CASES[stream]
        label = "case " + " ".join(f"when {cond} then '{name}'" for name, cond in cases) + " end"
        since = f"extracted_at > coalesce((select max(extracted_at) from {before}), '-infinity')"  # noqa: S608 - quoted
        written = self._latest(stream, since)
        found = dict(self._memory.execute(
            f"select {label} as category, count(*) from {written} r left join {before} b on r.k = b.k "  # noqa: S608
            f"group by 1"
        ).fetchall())
        categories = {name: found.get(name, 0) for name, _ in cases}
        return StreamChange(stream, received, initial=False, rows=rows, categories=categories)

    def close(self) -> None:
        self._memory.close()
