"""Running the dbt project in tests and reading what it built, on DuckDB and PostgreSQL: the dbt CLI
with artifacts kept per test module, the warehouse a test queries, and the loopback PostgreSQL
(scripts/ensure_postgres.sh) with the schemas a module creates and drops."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
ENSURE_POSTGRES = REPO / "scripts" / "ensure_postgres.sh"
PG_SETTINGS = ("CONFLUENCE_PG_HOST", "CONFLUENCE_PG_PORT", "CONFLUENCE_PG_USER", "CONFLUENCE_PG_PASSWORD",
               "CONFLUENCE_PG_DBNAME")

Query = Callable[[str], tuple[list[str], list[tuple]]]


def _dbt_executable() -> str:
    beside_python = Path(sys.executable).with_name("dbt")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("dbt")
    if not found:
        pytest.fail("dbt is not installed: pip install -e '.[pipeline]'")
    return found


def run_dbt(
    args: list[str], *, env: dict[str, str], work_dir: Path, check: bool = True, project: Path = DBT_PROJECT
) -> subprocess.CompletedProcess:
    """Run the dbt CLI on the project (or the seeds' project) with artifacts and logs kept in work_dir."""
    command = [
        _dbt_executable(), *args,
        "--project-dir", str(project),
        "--profiles-dir", str(DBT_PROJECT),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
    ]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    full_env.update({"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false", **env})
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        command, env=full_env, cwd=work_dir, capture_output=True, text=True, timeout=600, check=False
    )
    if check and result.returncode != 0:
        pytest.fail(f"dbt {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return result


def _normalise(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


@dataclass
class Warehouse:
    name: str
    schema: str
    work_dir: Path
    _query: Query

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """Rows of a query; `{s}` in the SQL stands for the schema the models were built in."""
        columns, rows = self._query(sql.format(s=self.schema))
        return [dict(zip(columns, (_normalise(v) for v in row), strict=True)) for row in rows]

    def one(self, sql: str) -> dict[str, Any]:
        rows = self.rows(sql)
        assert len(rows) == 1, rows
        return rows[0]

    def artifact(self, name: str) -> dict[str, Any]:
        return json.loads((self.work_dir / "target" / name).read_text())


def duckdb_query(path: Path) -> Query:
    """Queries on a DuckDB file, each on a read-only connection of its own (dbt may write between them)."""
    import duckdb

    def query(sql: str) -> tuple[list[str], list[tuple]]:
        con = duckdb.connect(str(path), read_only=True)
        try:
            cursor = con.execute(sql)
            return [d[0] for d in cursor.description], cursor.fetchall()
        finally:
            con.close()

    return query


def postgres_settings() -> dict[str, str]:
    """Starts (or finds) the loopback PostgreSQL and returns its CONFLUENCE_PG_* settings; skips the
    module when CONFLUENCE_SKIP_POSTGRES=1."""
    if os.environ.get("CONFLUENCE_SKIP_POSTGRES") == "1":
        pytest.skip("CONFLUENCE_SKIP_POSTGRES=1")
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        ["bash", str(ENSURE_POSTGRES)],  # noqa: S607 - bash from PATH
        capture_output=True, text=True, timeout=900, check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"scripts/ensure_postgres.sh failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    settings = {}
    for line in result.stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            key, _, value = line.removeprefix("export ").partition("=")
            settings[key] = value
    missing = set(PG_SETTINGS) - set(settings)
    if missing:
        pytest.fail(f"scripts/ensure_postgres.sh did not print {sorted(missing)}:\n{result.stdout}")
    return settings


def postgres_connection(settings: dict[str, str]) -> Any:
    import psycopg2

    return psycopg2.connect(host=settings["CONFLUENCE_PG_HOST"], port=int(settings["CONFLUENCE_PG_PORT"]),
                            user=settings["CONFLUENCE_PG_USER"], password=settings["CONFLUENCE_PG_PASSWORD"],
                            dbname=settings["CONFLUENCE_PG_DBNAME"])


def postgres_query(connection: Any) -> Query:
    def query(sql: str) -> tuple[list[str], list[tuple]]:
        connection.rollback()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [d[0] for d in cursor.description], cursor.fetchall()

    return query


def drop_schemas(connection: Any, schemas: Iterable[str]) -> None:
    """Drops the schemas a module created, and closes its connection."""
    connection.rollback()
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    connection.commit()
    connection.close()
