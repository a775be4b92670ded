"""The extraction worker: a child process that reads files sent on its stdin and answers their text
on its stdout, under limits that the parsing libraries cannot impose on themselves.

`python -m source_confluence.extraction.worker <address-space bytes> <cpu seconds>` caps its own
address space (RLIMIT_AS: a parser that balloons gets MemoryError) and, per file, its CPU time
(RLIMIT_CPU, raised before each file: a parser that spins is killed by SIGXCPU). The parent
(runner.py) adds a wall-clock timeout and restarts the worker after any death.

Frames are a 4-byte big-endian length and that many bytes: a request is a JSON header
({"declared": media type, "wanted": [media types]}) then the file; the answer is one JSON object
{"status": ..., "text": ...}.
"""

from __future__ import annotations

import json
import os
import resource
import struct
import sys
from collections.abc import Iterable
from typing import IO

from source_confluence.extraction import detect
from source_confluence.extraction.readers import Encrypted, Refused, read_text

OK = "ok"
ENCRYPTED = "encrypted"
UNSUPPORTED = "unsupported_type"


def extract(declared: str | None, wanted: Iterable[str], content: bytes) -> tuple[str, str | None]:
    """(text_status, text_content) of one file; never raises for what is in the file."""
    real = detect.real_type(content, declared)
    if real == detect.ENCRYPTED_OFFICE:
        return ENCRYPTED, None
    if real is None or real not in set(wanted):
        return UNSUPPORTED, None
    try:
        return OK, read_text(real, content)
    except Encrypted:
        return ENCRYPTED, None
    except Refused as refused:
        return f"failed: {refused}", None
    except MemoryError:
        return "failed: the file needs more memory than allowed", None
    except RecursionError:
        return "failed: the file nests too deeply", None
    except Exception as error:  # noqa: BLE001 - a broken file is a status, whatever the library raises
        return f"failed: {_describe(real, error)}", None


def _describe(real: str, error: Exception) -> str:
    # The library's words, short; the file's own bytes are never quoted back.
    detail = str(error).splitlines()[0][:120] if str(error) else ""
    kind = real.rsplit("/", 1)[-1].rsplit(".", 1)[-1]
    return f"unreadable {kind} ({type(error).__name__}{': ' + detail if detail else ''})"


def read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (length,) = struct.unpack(">I", head)
    body = stream.read(length)
    return body if len(body) == length else None


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(struct.pack(">I", len(payload)))
    stream.write(payload)
    stream.flush()


def _limit_cpu(seconds: int) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(used.ru_utime + used.ru_stime) + seconds
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def serve(address_space: int, cpu_seconds: int, source: IO[bytes], sink: IO[bytes]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    while (header := read_frame(source)) is not None:
        content = read_frame(source)
        if content is None:
            return
        request = json.loads(header)
        _limit_cpu(cpu_seconds)
        status, text = extract(request.get("declared"), request.get("wanted") or (), content)
        del content
        write_frame(sink, json.dumps({"status": status, "text": text}).encode())


def main() -> None:
    # The answers get a private copy of stdout; fd 1 itself then points at stderr (discarded by the
    # parent), so nothing a library prints can corrupt a frame.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(int(sys.argv[1]), int(sys.argv[2]), sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
