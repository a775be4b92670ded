"""Console entry point: `source-confluence spec|check|discover|read ...`."""

from __future__ import annotations

import atexit
import ctypes
import os
import sys

from source_confluence.entrypoint import launch
from source_confluence.source import SourceConfluence

# glibc mallopt(3) parameters
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_LARGE_BUFFER_BYTES = 128 * 1024


def keep_large_buffers_out_of_the_heap() -> None:
    """Every page of 250 results is a response of about 1 MB, decoded and freed again. After the
    first such buffer is freed, glibc raises its mmap threshold and serves the next ones from its
    heaps, where they fragment: resident memory then grows with the length of the sync (+36 MB
    over a 100,000-page site, see benchmarks/RESULTS.md). A fixed threshold keeps large buffers
    mmapped, so they go back to the system when freed. A no-op off glibc, and when the
    MALLOC_*_THRESHOLD_ environment variables already decide."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return  # not glibc (e.g. musl): nothing to tune
    mallopt(_M_MMAP_THRESHOLD, _LARGE_BUFFER_BYTES)
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        mallopt(_M_TRIM_THRESHOLD, _LARGE_BUFFER_BYTES)


def end_without_teardown() -> None:
    """End a process whose command has finished: its exit handlers run (logging, temporary files,
    worker threads and processes) and its output is flushed, but Python's own finalisation, which
    frees each of the ~1,270 modules and every object one by one for a process about to vanish, is
    skipped (about 0.2 s of CPU, a tenth of a short sync's; benchmarks/RESULTS.md, "Start-up").
    Only after a command that returned: an error still leaves through Python's exit, with its code."""
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def run() -> None:
    keep_large_buffers_out_of_the_heap()
    launch(SourceConfluence(), sys.argv[1:])
    end_without_teardown()


if __name__ == "__main__":
    run()
