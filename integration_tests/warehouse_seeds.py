"""The dbt tests' raw data: CSV seeds in dbt_project/integration_tests/seeds/<dataset>/, loaded by
`dbt seed` the way the real loaders write the raw tables.

* :func:`seed` -- one dataset into one schema, every row appended (PyAirbyte's DuckDB cache: schema
  ``main``, no ``_airbyte_generation_id``).
* :func:`load_by_sync` -- from seeded tables into a raw schema the way Airbyte's destinations load
  in append + dedup mode: sync by sync (one sync per distinct ``_airbyte_extracted_at``), each load
  replacing the row of its primary key, with ``_airbyte_generation_id``, and a callback after each
  sync (where a real deployment runs ``dbt build``).

The seeds' columns are the stream schemas' (source_confluence/schemas/*.json); the types are in
dbt_project/integration_tests/dbt_project.yml.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SEEDS_PROJECT = REPO / "dbt_project" / "integration_tests"
SCHEMAS_DIR = REPO / "source_confluence" / "schemas"
STREAMS = ("spaces", "users", "pages", "blog_posts", "comments", "tasks", "content_labels", "attachments")
# The access streams (issue 13): a connection may not sync them (audit_records needs admin rights,
# folders are Cloud only); their models read a missing raw table as empty.
ACCESS_STREAMS = ("groups", "group_members", "space_permissions", "content_restrictions", "folders", "audit_records")
# Streams a dataset may leave out (a sync without them has no table; the dbt project builds anyway).
OPTIONAL_STREAMS = ("content_versions", "decisions", "content_views", *ACCESS_STREAMS)
PRIMARY_KEYS = {"users": "account_id", "content_views": "content_id"}  # every other stream: id
LOADER_COLUMNS = ["_airbyte_raw_id", "_airbyte_extracted_at"]
GENERATION_ID = 3

RunDbt = Callable[[list[str], dict[str, str]], Any]


def seed_file(dataset: str, stream: str) -> Path:
    return SEEDS_PROJECT / "seeds" / dataset / f"{stream}.csv"


def seed_rows(dataset: str, stream: str) -> list[dict[str, str]]:
    with seed_file(dataset, stream).open(newline="") as handle:
        return list(csv.DictReader(handle))


def dataset_streams(dataset: str) -> list[str]:
    """The dataset's streams: every one of STREAMS, and the optional ones it has a file for."""
    return [*STREAMS, *(s for s in OPTIONAL_STREAMS if seed_file(dataset, s).exists())]


def _schema(stream: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / f"{stream}.json").read_text())


def check_seed_columns(dataset: str) -> list[str]:
    """Problems with a dataset's files: columns other than the stream schema's (in its order) plus
    the loader's, or a required field left empty."""
    problems = []
    for stream in dataset_streams(dataset):
        schema = _schema(stream)
        with seed_file(dataset, stream).open(newline="") as handle:
            header = next(csv.reader(handle))
        expected = [name.lower() for name in schema["properties"]] + LOADER_COLUMNS
        if header != expected:
            problems.append(f"{dataset}/{stream}.csv: columns {header}, expected {expected}")
        for number, row in enumerate(seed_rows(dataset, stream), start=2):
            empty = [name for name in [*schema.get("required", []), *LOADER_COLUMNS] if not row.get(name)]
            if empty:
                problems.append(f"{dataset}/{stream}.csv line {number}: required {empty} empty")
    return problems


def seed(run_dbt: RunDbt, dataset: str, schema: str, env: dict[str, str]) -> None:
    """`dbt seed` one dataset into `schema`; run_dbt(args, env) runs the dbt CLI on SEEDS_PROJECT."""
    problems = check_seed_columns(dataset)
    if problems:
        raise ValueError("\n".join(problems))
    run_dbt(
        ["seed", "--full-refresh"],
        {**env, "CONFLUENCE_DBT_SCHEMA": schema, "CONFLUENCE_TEST_DATASET": dataset},
    )


def load_by_sync(connection: Any, seed_schema: str, raw_schema: str, after_sync: Callable[[bool], None],
                 streams: Sequence[str] = STREAMS) -> int:
    """Replay the seeded tables of `streams` into `raw_schema` sync by sync, append + dedup (DB-API
    connection, PostgreSQL). ``after_sync(is_last)`` runs after each sync. Returns the number of syncs."""
    with connection.cursor() as cur:
        cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{raw_schema}"')
        for stream in streams:
            cur.execute(f'DROP TABLE IF EXISTS "{raw_schema}"."{stream}"')
            cur.execute(
                f'CREATE TABLE "{raw_schema}"."{stream}" AS SELECT *, cast(null as bigint) AS "_airbyte_generation_id" '  # noqa: S608 - fixed names
                f'FROM "{seed_schema}"."{stream}" WHERE false'
            )
        union = " UNION ".join(f'SELECT "_airbyte_extracted_at" FROM "{seed_schema}"."{s}"' for s in streams)  # noqa: S608
        cur.execute(f"SELECT DISTINCT t._airbyte_extracted_at FROM ({union}) AS t ORDER BY 1")  # noqa: S608 - fixed names
        syncs = [row[0] for row in cur.fetchall()]
    connection.commit()
    for number, sync in enumerate(syncs, start=1):
        with connection.cursor() as cur:
            for stream in streams:
                key = PRIMARY_KEYS.get(stream, "id")
                loaded = f'FROM "{seed_schema}"."{stream}" WHERE "_airbyte_extracted_at" = %s'
                cur.execute(f'DELETE FROM "{raw_schema}"."{stream}" WHERE "{key}" IN (SELECT "{key}" {loaded})', (sync,))  # noqa: S608
                # Two rows of one key in a sync: the later one (higher raw id) replaces the earlier.
                cur.execute(
                    f'INSERT INTO "{raw_schema}"."{stream}" SELECT DISTINCT ON ("{key}") *, {GENERATION_ID} {loaded} '  # noqa: S608
                    f'ORDER BY "{key}", "_airbyte_raw_id" DESC',
                    (sync,),
                )
        connection.commit()
        after_sync(number == len(syncs))
    return len(syncs)
