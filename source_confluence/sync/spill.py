"""A collector's scratch database on disk, for what it holds from the first phase of a sync to the second.

What the content walks hand to the streams that run last (the parsed decisions, the changed content
for labels and restrictions) grows with the site; held in memory to the end of the first phase, it
doubled the connector's peak RSS from 0.1x to 1x (issue 16). Each collector keeps it instead in a
private SQLite database (stdlib `sqlite3`) in a new temporary directory (`tempfile`, mode 0700,
under `TMPDIR`), created at the first write and removed by `close()` at the end of the read, also
when it fails; at the latest when the collector is garbage-collected or the process exits.

Scratch only, since nothing in it outlives the process: no journal, no fsync, and one transaction
from the first write to the end, never committed (a commit per write cost 30-90 us a row on a busy
machine, about 5 us without); reads in it see its writes, and SQLite writes pages to the file only
when its 1 MiB cache is full. Not thread-safe: the collector serializes its calls under its own
lock (the connection may be used from any thread).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

FILE = "spill.sqlite"
PRAGMAS = ("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;"
           " PRAGMA cache_size = -1024;")
"""No journal nor fsync nor file locks (scratch, one connection), and a 1 MiB page cache (the default
is 2 MiB per connection)."""


class Spill:
    def __init__(self, schema: str) -> None:
        self._schema = schema
        self._db: sqlite3.Connection | None = None
        self._removal: weakref.finalize[[sqlite3.Connection, str], Spill] | None = None
        self.directory: str | None = None
        """The temporary directory while the database exists (None before the first write and after close)."""

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one statement (no rows, and no file, when nothing was written yet)."""
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise _unusable(error) from error

    def batches(self, sql: str, size: int = 1000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of one statement, `size` at a time (never all at once). No write may come while
        they are read."""
        if self._db is None:
            return
        try:
            cursor = self._db.execute(sql)
            while rows := cursor.fetchmany(size):
                yield rows
        except sqlite3.Error as error:
            raise _unusable(error) from error

    def write(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """One statement per row, in order."""
        try:
            self._open().executemany(sql, rows)
        except (OSError, sqlite3.Error) as error:  # e.g. the disk under TMPDIR is full
            raise _unusable(error) from error

    def close(self) -> None:
        """Closes and removes the database; a later write starts an empty one."""
        removal, self._removal, self._db, self.directory = self._removal, None, None, None
        if removal is not None:
            removal()

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            directory = tempfile.mkdtemp(prefix="source-confluence-")
            try:
                db = sqlite3.connect(os.path.join(directory, FILE), isolation_level=None, check_same_thread=False)
            except BaseException:
                shutil.rmtree(directory, ignore_errors=True)
                raise
            self._removal = weakref.finalize(self, _remove, db, directory)
            db.executescript(PRAGMAS + self._schema)
            db.execute("BEGIN")
            self._db, self.directory = db, directory
        return self._db


def _unusable(error: BaseException) -> AirbyteTracedException:
    where = tempfile.gettempdir()
    return AirbyteTracedException(
        message=f"The connector could not use its scratch files in the temporary directory {where} (TMPDIR): "
                f"{error}. A sync keeps there what the content streams hand to the streams that run last "
                "(tens of MB for 100,000 pages): free space there or point TMPDIR at a writable disk, then sync again.",
        internal_message=f"scratch database: {error!r}", failure_type=FailureType.system_error)


def _remove(db: sqlite3.Connection, directory: str) -> None:
    try:
        db.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
