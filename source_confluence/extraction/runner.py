"""The parent's side of the extraction worker (worker.py): starts it on first use, sends it one
file at a time, waits at most a wall-clock timeout, and after a timeout or a death (CPU limit,
the kernel's OOM killer) kills it and reports a status, starting a fresh one for the next file.

Why a process: pypdf, python-docx, openpyxl and python-pptx have no memory or time bounds of their
own, and a thread cannot be stopped; a process can be limited (RLIMIT_AS, RLIMIT_CPU) and killed.
"""

from __future__ import annotations

import json
import os
import select
import signal
import struct
import subprocess  # nosec B404
import sys
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass

from source_confluence.extraction.worker import write_frame

WALL_SECONDS = 120.0
CPU_SECONDS = 60
BASE_ADDRESS_SPACE = 1024 * 1024 * 1024
"""The worker's address-space cap before the file's share: the interpreter and the libraries."""
ADDRESS_SPACE_PER_FILE_BYTE = 8
"""Room per byte of the largest file: the file, its unpacked parts and the parsed document."""


@dataclass(frozen=True)
class Extracted:
    status: str
    text: str | None = None


class ExtractionRunner:
    """One worker process, used by one file at a time (thread-safe)."""

    def __init__(self, max_bytes: int, wall_seconds: float | None = None, cpu_seconds: int | None = None,
                 address_space: int | None = None) -> None:
        self._wall = WALL_SECONDS if wall_seconds is None else wall_seconds
        self._cpu = CPU_SECONDS if cpu_seconds is None else cpu_seconds
        self._address_space = address_space or BASE_ADDRESS_SPACE + ADDRESS_SPACE_PER_FILE_BYTE * max_bytes
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self.started = 0
        """How many worker processes were started (tests: a hostile file costs one)."""

    def extract(self, declared: str | None, wanted: Collection[str], content: bytes) -> Extracted:
        with self._lock:
            process = self._ensure()
            header = json.dumps({"declared": declared, "wanted": sorted(wanted)}).encode()
            try:
                assert process.stdin is not None  # noqa: S101 - Popen with stdin=PIPE
                write_frame(process.stdin, header)
                write_frame(process.stdin, content)
            except (BrokenPipeError, OSError):
                return self._died(process)
            return self._answer(process)

    def close(self) -> None:
        with self._lock:
            if self._process is not None:
                self._stop(self._process)

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            command = [sys.executable, "-m", "source_confluence.extraction.worker", str(self._address_space), str(self._cpu)]
            # stderr is dropped: libraries warn about broken files there, and the connector's stdout
            # (the Airbyte protocol) must stay clean; the worker's stdout is a pipe to this process.
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,  # noqa: S603  # nosec B603
                                             stderr=subprocess.DEVNULL)
            self.started += 1
        return self._process

    def _answer(self, process: subprocess.Popen[bytes]) -> Extracted:
        assert process.stdout is not None  # noqa: S101 - Popen with stdout=PIPE
        fd = process.stdout.fileno()
        deadline = time.monotonic() + self._wall
        try:
            head = _read_exact(fd, 4, deadline)
            if head is None:
                return self._died(process)
            (length,) = struct.unpack(">I", head)
            frame = _read_exact(fd, length, deadline)
        except TimeoutError:
            self._stop(process)
            return Extracted(f"failed: reading the file took longer than {self._wall:g} s")
        if frame is None:
            return self._died(process)
        answer = json.loads(frame)
        return Extracted(str(answer["status"]), answer.get("text"))

    def _died(self, process: subprocess.Popen[bytes]) -> Extracted:
        code = self._stop(process)
        if code == -signal.SIGXCPU:
            return Extracted(f"failed: reading the file used more than {self._cpu} s of CPU")
        if code == -signal.SIGKILL:
            return Extracted("failed: the reader was killed (out of memory)")
        return Extracted(f"failed: the reader stopped (exit code {code})")

    def _stop(self, process: subprocess.Popen[bytes]) -> int | None:
        if process.poll() is None:
            process.kill()
        code = process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        if self._process is process:
            self._process = None
        return code


def _read_exact(fd: int, size: int, deadline: float) -> bytes | None:
    """`size` bytes from the worker's pipe, None at its end (it died); TimeoutError past `deadline`."""
    parts: list[bytes] = []
    left = size
    while left:
        readable, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not readable:
            raise TimeoutError
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def child_pid(runner: ExtractionRunner) -> int | None:
    """The worker's process id, or None when none runs (tests)."""
    process = runner._process
    return process.pid if process is not None and process.poll() is None else None


__all__ = ["Extracted", "ExtractionRunner", "child_pid"]
