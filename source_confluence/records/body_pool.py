"""A page of results' bodies -> their texts (and decisions) in worker processes, so that a full sync
uses a second core.

The connector is one Python process with one GIL: converting bodies to text, and parsing decisions
out of the same bodies, is a third of a full sync's CPU and ran on the core that also builds and
serializes every record. Both are pure functions of a body and the user names (records/body_text.py,
records/decisions.py), so a content partition hands its whole page to a worker in one message
(``convert_page``) and waits, letting the GIL go to the threads that build records meanwhile.

The workers are forked when the ``read`` starts (``start_shared_pool``), from its only thread,
before the CDK starts its own: a fork of a threaded process could inherit a lock another thread held
(the CDK's print buffer), while a fork of this one inherits none and imports nothing. The workers
write nothing to the Airbyte message stream (their stdout is /dev/null), die with the connector
(``PR_SET_PDEATHSIG``), and are stopped and waited for when the read ends (``close_shared_pool``,
also after an error). If a worker dies (the OOM killer, a signal), the pool is given up, a warning
logged, and every later page converted in the calling thread: the same texts, on one core.

Used only where it can pay: two or more usable cores (``os.sched_getaffinity``), a first sync or a
full refresh of content bodies (source.py; an incremental sync reads few pages, whose conversion
costs less than a fork), and pages of at least ``MIN_POOLED_BODIES`` bodies.
``SOURCE_CONFLUENCE_BODY_WORKERS`` sets the number of workers; ``0`` turns the pool off.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.records.body_text import storage_to_texts, word_count
from source_confluence.records.builders import CountedTexts, storage_value
from source_confluence.records.decisions import FoundDecision, decisions_in_storage

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

WORKERS_ENV = "SOURCE_CONFLUENCE_BODY_WORKERS"
BODY_STREAMS = frozenset({"pages", "blog_posts", "comments"})
"""The streams whose pages of results go through the pool."""
MIN_POOLED_BODIES = 32
"""Below this many bodies a page is converted in place: the round trip would cost about what it saves."""

_LOGGER = logging.getLogger("airbyte")


@dataclass(frozen=True, slots=True)
class ConvertedPage:
    texts: list[str | None]
    """The body_text of each body, in order."""
    word_counts: list[int]
    """The word count of each text, in order (counted here, off the connector's GIL)."""
    decisions: list[tuple[FoundDecision, ...]] | None
    """The decisions of each body, in order; None when they were not asked for."""


def convert_page(bodies: Sequence[str | None], names: Mapping[str, str] | None, with_decisions: bool) -> ConvertedPage:
    """What a worker does with a page (and what the calling thread does without a pool)."""
    texts = storage_to_texts(bodies, names)
    decisions = [tuple(decisions_in_storage(body, names)) for body in bodies] if with_decisions else None
    return ConvertedPage(texts, [word_count(text) for text in texts], decisions)


def page_texts(items: Sequence[Mapping[str, Any]], names: Mapping[str, str],
               with_decisions: bool = False) -> tuple[CountedTexts, dict[str, tuple[FoundDecision, ...]] | None]:
    """``builders.body_texts`` of a page of results through the shared pool, and with `with_decisions`
    the decisions of each body too (storage body -> its decisions). The texts carry their word counts."""
    values = [value for value in map(storage_value, items) if value]
    pool = shared_pool()
    page = pool.convert(values, names, with_decisions) if pool is not None else convert_page(values, names,
                                                                                              with_decisions)
    texts = CountedTexts(dict(zip(values, page.texts, strict=True)), dict(zip(values, page.word_counts, strict=True)))
    decisions = dict(zip(values, page.decisions, strict=True)) if page.decisions is not None else None
    return texts, decisions


def usable_cores(cpu_max: str = "/sys/fs/cgroup/cpu.max") -> int:
    """Cores this process may use: its CPU affinity (e.g. a container's cpuset), capped by a cgroup v2
    CPU quota (a Kubernetes CPU limit, which leaves the affinity at every core of the node)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    try:
        quota, period = open(cpu_max).read().split()[:2]  # noqa: SIM115 - a one-line kernel file
        if quota != "max":
            cores = min(cores, max(1, int(int(quota) / int(period))))
    except (OSError, ValueError):  # no cgroup v2 quota
        pass
    return cores


def default_workers() -> int:
    """``SOURCE_CONFLUENCE_BODY_WORKERS`` if set, else one worker per usable core but the connector's
    own (which builds and serializes the records); 0 (no pool) on one core."""
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if configured:
        if configured.isdigit():
            return int(configured)
        raise AirbyteTracedException(
            message=f"The environment variable {WORKERS_ENV} must be a whole number of body conversion worker "
                    f"processes (0 turns the pool off), not {configured!r}: correct or unset it.",
            failure_type=FailureType.config_error)
    cores = usable_cores()
    return cores - 1 if cores >= 2 else 0


_PR_SET_PDEATHSIG = 1


def _start_worker(parent: int) -> None:
    """A worker's first step, in the forked child."""
    try:  # die with the connector, even if it is killed
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool's pipes still end it with the connector
        pass
    if os.getppid() != parent:  # the connector died before the line above
        os._exit(0)
    # The inherited heap is the connector's: the worker's collector then leaves it alone instead of
    # walking it (and copying its pages) at every collection.
    gc.freeze()
    # The connector's stdout is the Airbyte message stream: the worker's is /dev/null, at both levels.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the worker's whole life
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 - not the inherited object (and its buffer)


class BodyPool:
    """Converts pages of bodies in worker processes once started. Thread-safe."""

    def __init__(self, workers: int | None = None, min_bodies: int | None = None) -> None:
        self._workers = default_workers() if workers is None else workers
        self._min_bodies = MIN_POOLED_BODIES if min_bodies is None else min_bodies
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self.pooled_pages = 0
        """How many pages a worker converted (tests, benchmarks)."""

    def start(self) -> None:
        """Forks the workers now (call it while the process has one thread); a no-op without workers."""
        if self._workers < 1:
            return
        with self._lock:
            if self._executor is not None:
                return
            try:
                executor = _new_executor(self._workers)
                executor.submit(os.getpid).result()  # a fork context starts every worker on the first task
            except (OSError, RuntimeError) as error:  # e.g. no memory to fork: convert in place
                _LOGGER.warning("The body conversion workers could not start (%s); bodies are converted in "
                                "the connector's process, on one core.", error)
                return
            self._executor = executor

    def convert(self, bodies: Sequence[str | None], names: Mapping[str, str] | None,
                with_decisions: bool = False) -> ConvertedPage:
        executor = self._executor if len(bodies) >= self._min_bodies else None
        if executor is None:
            return convert_page(bodies, names, with_decisions)
        from concurrent.futures.process import BrokenProcessPool

        plain_names = dict(names) if names is not None else None  # a plain dict pickles cheaply
        try:
            page: ConvertedPage = executor.submit(convert_page, list(bodies), plain_names, with_decisions).result()
        except BrokenProcessPool as error:
            self._give_up(executor, error)
            return convert_page(bodies, names, with_decisions)
        self.pooled_pages += 1
        return page

    def close(self) -> None:
        """Stops the workers and waits for them: none outlives the read."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _give_up(self, executor: ProcessPoolExecutor, error: BaseException) -> None:
        with self._lock:
            if self._executor is not executor:
                return  # another thread gave up first
            self._executor = None
        _LOGGER.warning("A body conversion worker died (%s); the sync goes on converting bodies in the "
                        "connector's process, on one core.", error)
        executor.shutdown(wait=True, cancel_futures=True)


def _new_executor(workers: int) -> ProcessPoolExecutor:
    # Imported here: a read without bodies does not pay for multiprocessing's imports.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(os.getpid(),))


_shared: BodyPool | None = None
_shared_lock = threading.Lock()


def start_shared_pool() -> None:
    """Starts the pool the content partitions use (``convert_page`` in place until then, and after
    ``close_shared_pool``). Call it before the read starts its threads."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = BodyPool()
            _shared.start()


def shared_pool() -> BodyPool | None:
    with _shared_lock:
        return _shared


def close_shared_pool() -> None:
    """Ends the shared pool's workers (the end of a read)."""
    global _shared
    with _shared_lock:
        pool, _shared = _shared, None
    if pool is not None:
        pool.close()
