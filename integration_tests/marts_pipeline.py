"""The end-to-end marts pipeline, shared by the test modules that compare marts with their truth:
the double's site (`marts_scenario.SPEC`) synced by the connector through PyAirbyte into DuckDB,
mutated, synced again incrementally, then built with ``dbt build`` at a fixed reference time.

Session-scoped (registered by integration_tests/conftest.py), so the several modules checking its
marts share one run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from confluence_double import ConfluenceDouble
from integration_tests.access_mart_truth import Streams
from integration_tests.history_mart_truth import version_records
from integration_tests.mart_truth import MartTruth, Window
from integration_tests.marts_scenario import AS_OF, MEETING_NOTES, SPEC, STALE_AFTER_DAYS, Mutations, apply_mutations
from integration_tests.site_access_records import site_streams
from integration_tests.sync_history import FirstSync, Landed
from pipeline import FULL_REFRESH_STREAMS, STREAMS
from pipeline.sync import INCREMENTAL_WRITE_STRATEGY

REPO = Path(__file__).resolve().parents[1]
CONNECTOR = Path(sys.executable).with_name("source-confluence")  # the console script of the running venv
# The streams are loaded as the project's pipeline loads them: the incremental ones appended (every
# version read stays in the table), the snapshot streams in a full-refresh pass with the replace
# strategy, so a label removed in Confluence also leaves the table.
INCREMENTAL_STREAMS = [s for s in STREAMS if s not in FULL_REFRESH_STREAMS]
SNAPSHOT_STREAMS = list(FULL_REFRESH_STREAMS)
RATIO_TOLERANCE = 1e-6
OTHER_TIME_ZONE = "America/New_York"
OTHER_TIME_ZONE_SCHEMA = "new_york"  # suffix of the schema those models are built in
POPULAR_VIEWS = 30
"""`engagement_popular_views` for this build: generated pages get up to 40 views."""


@dataclass
class Pipeline:
    connection: duckdb.DuckDBPyConnection
    schema: str
    truth: MartTruth
    first_window: Window
    second_window: Window
    mutations: Mutations
    build_results: dict[str, str]
    """unique id -> status of every node of the `dbt build`."""
    access: Streams
    """The site model as the access truth's records."""
    first_versions: dict[str, datetime]
    """Each page's and blog post's version time when the first sync read it."""

    @property
    def other_time_zone_schema(self) -> str:
        return f"{self.schema}_{OTHER_TIME_ZONE_SCHEMA}"

    def rows(self, relation: str, schema: str | None = None) -> list[dict[str, Any]]:
        sql = f'select * from "{schema or self.schema}"."{relation}"'  # noqa: S608 - names fixed by this module
        cursor = self.connection.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _sync(source: Any, cache: Any) -> Window:
    # Loads are stamped to the millisecond: widen the window by one on each side.
    start = _utc_now() - timedelta(milliseconds=1)
    source.select_streams(INCREMENTAL_STREAMS)
    source.read(cache=cache, write_strategy=INCREMENTAL_WRITE_STRATEGY)
    source.select_streams(SNAPSHOT_STREAMS)
    # A full snapshot stream: replace, so labels removed (or on content no longer current) leave the table.
    source.read(cache=cache, force_full_refresh=True, write_strategy="replace")
    return Window(start, _utc_now() + timedelta(milliseconds=1))


def run_dbt(args: list[str], db_path: Path, schema: str, work_dir: Path, env: Mapping[str, str] | None = None) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    dbt_vars = {"as_of": AS_OF.strftime("%Y-%m-%d %H:%M:%S"), "stale_after_days": STALE_AFTER_DAYS,
                "meeting_notes_label": MEETING_NOTES, "engagement_popular_views": POPULAR_VIEWS}
    command = [str(dbt), *args, "--project-dir", str(REPO / "dbt_project"), "--profiles-dir", str(REPO / "dbt_project"),
               "--target", "duckdb", "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
               "--vars", json.dumps(dbt_vars)]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "CONFLUENCE_"))}
    full_env.update({"CONFLUENCE_DUCKDB_PATH": str(db_path), "CONFLUENCE_DBT_SCHEMA": schema,
                     "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false", **(env or {})})
    result = subprocess.run(command, env=full_env, cwd=work_dir, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        pytest.fail(f"dbt {args[0]} failed ({result.returncode}):\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    work_dir = tmp_path_factory.mktemp("marts_e2e")
    db_path = work_dir / "confluence.duckdb"
    with pytest.MonkeyPatch.context() as patch, ConfluenceDouble(SPEC) as double:
        # Without these PyAirbyte tries to reach its connector registry and telemetry.
        patch.setenv("AIRBYTE_OFFLINE_MODE", "1")
        patch.setenv("DO_NOT_TRACK", "1")
        import airbyte  # only now: offline mode is read once, at import

        assert airbyte.constants.AIRBYTE_OFFLINE_MODE, "airbyte was imported before offline mode was set"
        # Deletion check, restriction reconciliation, label and access rounds on every sync, so the second
        # sync already finds the purged items, the lifted restriction, a label put on a page without a
        # new version and a removed group member or space permission; page views on (two requests per page).
        config = {**double.config(), "deletion_check_interval_hours": 0,
                  "restriction_reconciliation_interval_hours": 0, "label_reconciliation_interval_hours": 0,
                  "access_reconciliation_interval_hours": 0, "page_views": True}
        source = airbyte.get_source("source-confluence", config=config, local_executable=str(CONNECTOR))
        with airbyte.caches.DuckDBCache(db_path=db_path, schema_name="main") as cache:
            first = FirstSync.capture(double.site)
            first_versions = {c.id: c.version.created_at
                              for c in [*double.site.pages.values(), *double.site.blog_posts.values()]}
            first_window = _sync(source, cache)
            mutations = apply_mutations(double.site)
            second_window = _sync(source, cache)
    schema = f"marts_e2e_{uuid.uuid4().hex[:8]}"
    run_dbt(["build"], db_path, schema, work_dir)
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    build_results = {r["unique_id"]: r["status"] for r in results}
    # The same models built on a machine whose local time zone is not UTC (see the test using them).
    other_dir = work_dir / "other_tz"
    other_dir.mkdir()
    # `build` limited to models and snapshots: staging reads the history snapshots, which `run` skips.
    run_dbt(["build", "--select", "+confluence__recent_updates", "--resource-type", "model", "--resource-type", "snapshot"],
            db_path, f"{schema}_{OTHER_TIME_ZONE_SCHEMA}", other_dir, {"TZ": OTHER_TIME_ZONE})
    landed = Landed.of(double.site, first)
    truth = MartTruth(landed, as_of=AS_OF, stale_after_days=STALE_AFTER_DAYS, meeting_notes_label=MEETING_NOTES)
    truth.content_versions = version_records(truth)
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        yield Pipeline(connection, schema, truth, first_window, second_window, mutations, build_results,
                       site_streams(landed), first_versions)
    finally:
        connection.close()


# ---- comparison ------------------------------------------------------------------------------------


def keyed(rows: Iterable[Mapping[str, Any]], key: tuple[str, ...]) -> dict[tuple, Mapping[str, Any]]:
    out: dict[tuple, Mapping[str, Any]] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        assert k not in out, f"duplicate key {k}"
        out[k] = row
    return out


def _same(column: str, got: Any, want: Any, ratios: set[str]) -> bool:
    if isinstance(want, Window):
        return got in want
    if want is None or got is None:
        return got is want
    if isinstance(want, bool):
        return isinstance(got, bool) and got == want
    if column in ratios:
        return abs(float(got) - float(want)) <= RATIO_TOLERANCE
    return got == want


def assert_rows_match(mart: str, actual: Mapping[tuple, Mapping[str, Any]], expected: Mapping[tuple, Mapping[str, Any]],
                      ratios: Iterable[str] = ()) -> None:
    ratio_columns = set(ratios)
    missing = sorted(expected.keys() - actual.keys(), key=str)
    extra = sorted(actual.keys() - expected.keys(), key=str)
    wrong = []
    for key in sorted(expected.keys() & actual.keys(), key=str):
        for column, want in expected[key].items():
            got = actual[key][column]
            if not _same(column, got, want, ratio_columns):
                wrong.append(f"{key} {column}: dbt {got!r}, expected {want!r}")
    assert not (missing or extra or wrong), (
        f"{mart}: {len(actual)} rows, expected {len(expected)}; missing {len(missing)}: {missing[:5]}; "
        f"unexpected {len(extra)}: {extra[:5]}; {len(wrong)} wrong values:\n" + "\n".join(wrong[:25]))
    assert len(actual) == len(expected)
