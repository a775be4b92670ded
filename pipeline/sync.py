"""Runs the connector through PyAirbyte into a DuckDB cache file (raw tables in schema ``main``).

PyAirbyte keeps each stream's state in the cache, so running again against the same file is an
incremental sync. It asks for incremental mode on every stream, which the connector refuses for
streams without a cursor, so those are read in a second, full-refresh pass that replaces their
tables (a full snapshot each time, which is also what the dbt project expects of a replace load).

The incremental streams are appended, not merged on the primary key (PyAirbyte's default): a merge
lets a trashed or purged version replace the live row it follows, so the warehouse would forget
that it ever held the live object, its title and its author. dbt's staging models keep the latest
row per id.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pipeline import FULL_REFRESH_STREAMS, STREAMS
from pipeline.changes import ChangeTracker, StreamChange
from pipeline.progress import SyncFailure, SyncProgress, diagnose

CONNECTOR = "source-confluence"
RAW_SCHEMA = "main"
INCREMENTAL_WRITE_STRATEGY = "append"


@dataclass
class SyncResult:
    streams: list[str]
    records: dict[str, int]
    """Records the connector sent, per stream."""
    changes: list[StreamChange]
    elapsed: float
    warnings: list[str] = field(default_factory=list)

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    @property
    def initial(self) -> bool:
        return all(change.initial for change in self.changes)


def prepare_environment(log_dir: Path | None = None) -> None:
    """Must run before ``import airbyte``: PyAirbyte reads these at import time."""
    # Without offline mode PyAirbyte tries to reach its connector registry and fails here.
    os.environ["AIRBYTE_OFFLINE_MODE"] = "1"
    os.environ["DO_NOT_TRACK"] = "1"
    # Our own progress line replaces PyAirbyte's live view.
    os.environ["NO_LIVE_PROGRESS"] = "1"
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        os.environ["AIRBYTE_LOGGING_ROOT"] = str(log_dir)
    # Google client libraries that PyAirbyte imports warn about Python 3.11's end of support.
    warnings.filterwarnings("ignore", category=FutureWarning, message=".*Python version.*")


def connector_executable() -> Path:
    """The console script installed next to the running interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / CONNECTOR
    if beside.exists():
        return beside
    found = shutil.which(CONNECTOR)
    if found is None:
        raise SyncFailure(
            message=f"The connector's console script `{CONNECTOR}` is not installed.",
            advice="Run `make install` (or `pip install -e .`) and try again.",
        )
    return Path(found)


def select_streams(streams: Sequence[str] | None) -> list[str]:
    if not streams:
        return list(STREAMS)
    unknown = [s for s in streams if s not in STREAMS]
    if unknown:
        raise SyncFailure(
            message=f"Unknown stream(s): {', '.join(unknown)}.",
            advice=f"Choose among: {', '.join(STREAMS)}.",
        )
    return [s for s in STREAMS if s in streams]


def _observe(source: Any, progress: SyncProgress) -> None:
    """Sees every message before PyAirbyte does.

    PyAirbyte calls ``_peek_airbyte_message`` for each message the connector sends (its hook for
    logs and errors). It swallows exceptions raised there and drops the message, so the observer
    never raises.
    """
    original = source._peek_airbyte_message

    def peek(message: Any, **kwargs: Any) -> None:
        with contextlib.suppress(Exception):
            progress.observe(message)
        original(message, **kwargs)

    source._peek_airbyte_message = peek


def run_sync(
    config: Mapping[str, Any],
    db_path: Path,
    streams: Sequence[str] | None = None,
    out: TextIO | None = None,
    live: bool | None = None,
) -> SyncResult:
    """Syncs ``streams`` (default: all) into ``db_path``; raises ``SyncFailure`` explaining a failure."""
    out = out or sys.stdout
    selected = select_streams(streams)
    executable = connector_executable()
    prepare_environment()
    import airbyte
    from airbyte.caches import DuckDBCache

    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tracker = ChangeTracker(db_path, selected, RAW_SCHEMA)
    tracker.before()
    progress = SyncProgress(out=out, live=out.isatty() if live is None else live)
    chatter = io.StringIO()  # PyAirbyte's own prints; shown only when something fails
    started = time.monotonic()
    progress.start()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="pyairbyte-") as scratch,
            contextlib.redirect_stdout(chatter),
            contextlib.redirect_stderr(chatter),
        ):
            source = airbyte.get_source(CONNECTOR, config=dict(config), local_executable=executable, streams=selected)
            _observe(source, progress)
            with DuckDBCache(db_path=str(db_path), schema_name=RAW_SCHEMA, cache_dir=Path(scratch)) as cache:
                incremental = [s for s in selected if s not in FULL_REFRESH_STREAMS]
                full_refresh = [s for s in selected if s in FULL_REFRESH_STREAMS]
                # skip_validation: the connector validates the config itself, naming fields without
                # echoing their values (PyAirbyte's JSON-schema messages may echo a token).
                if incremental:
                    source.read(cache=cache, streams=incremental, write_strategy=INCREMENTAL_WRITE_STRATEGY,
                                skip_validation=True)
                if full_refresh:
                    source.read(cache=cache, streams=full_refresh, force_full_refresh=True,
                                write_strategy="replace", skip_validation=True)
    except SyncFailure:
        tracker.close()
        raise
    except Exception as error:
        tracker.close()
        log_file = getattr(error, "log_file", None)
        fallback = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        failure = diagnose(progress.errors, fallback, str(log_file) if log_file else None)
        if not progress.errors:
            tail = chatter.getvalue().strip().splitlines()[-15:]
            if tail:
                failure.message += "\n  PyAirbyte said:\n    " + "\n    ".join(tail)
        raise failure from error
    finally:
        progress.stop()
    try:
        changes = tracker.after(dict(progress.counts))
    finally:
        tracker.close()
    return SyncResult(
        streams=selected,
        records={s: progress.counts.get(s, 0) for s in selected},
        changes=changes,
        elapsed=time.monotonic() - started,
        warnings=list(dict.fromkeys(progress.warnings)),
    )
