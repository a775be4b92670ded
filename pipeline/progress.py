"""What a running sync shows: records per stream, rate and elapsed time while it runs, and on failure
which stream and which request failed and what to do, taken from the connector's trace messages."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

# The connector names the request in its messages as "HTTP 403 for /wiki/api/v2/pages".
_REQUEST = re.compile(r"HTTP (?P<status>\d{3}) for (?P<path>/[^\s:'\"]*)")
_STATUS = re.compile(r"HTTP (?P<status>\d{3})")


@dataclass(frozen=True)
class TraceError:
    """One TRACE ERROR message of the connector."""

    message: str
    internal_message: str
    failure_type: str | None
    stream: str | None


@dataclass
class SyncFailure(Exception):
    """A failed sync, explained for the person running it."""

    message: str
    stream: str | None = None
    request: str | None = None
    advice: str = ""
    failure_type: str | None = None
    failed_streams: tuple[str, ...] = ()
    log_file: str | None = None

    def __str__(self) -> str:
        return self.message

    def describe(self) -> str:
        where = f"stream '{self.stream}'" if self.stream else "the connector"
        lines = [f"The sync failed in {where}.", f"  What happened: {self.message}"]
        if self.request:
            lines.append(f"  Request:       {self.request}")
        others = [s for s in self.failed_streams if s != self.stream]
        if others:
            lines.append(f"  Also failed:   {', '.join(others)}")
        lines.append(f"  What to do:    {self.advice}")
        if self.log_file:
            lines.append(f"  Connector log: {self.log_file}")
        return "\n".join(lines)


def advice_for(status: int | None, failure_type: str | None, text: str) -> str:
    lowered = text.lower()
    if status == 401 or "credentials" in lowered:
        return ("Check credentials.email and credentials.api_token in the config (create a new API token at "
                "https://id.atlassian.com/manage-profile/security/api-tokens), then run again.")
    if status == 403:
        return ("The account may not read this: grant it view permission on the space, or leave the space "
                "(space_keys) or the stream (--streams) out, then run again.")
    if status == 404:
        return "The object is gone or hidden from the account; check site_url and space_keys, then run again."
    if status == 429 or "rate limit" in lowered:
        return ("Confluence is rate limiting the account: lower num_workers in the config (e.g. to 2) and run "
                "again; incremental streams continue from their last saved state.")
    if failure_type == "config_error":
        return "Correct the setting named above in the config file and run again."
    if failure_type == "transient_error":
        return "A temporary problem: run again; incremental streams continue from their last saved state."
    return ("Run again; if it fails the same way, send the connector log below to the connector's maintainers "
            "with the request shown above.")


def diagnose(errors: list[TraceError], fallback: str, log_file: str | None = None) -> SyncFailure:
    """The failure a person needs to see: the first stream-level error, else the first error at all."""
    failed = tuple(dict.fromkeys(e.stream for e in errors if e.stream))
    primary = next((e for e in errors if e.stream), errors[0] if errors else None)
    if primary is None:
        return SyncFailure(message=fallback, advice=advice_for(None, None, fallback), log_file=log_file)
    texts = (primary.internal_message, primary.message)
    match = next((m for m in (_REQUEST.search(t) for t in texts) if m), None)
    request = f"HTTP {match['status']} for {match['path']}" if match else None
    status_match = match or next((m for m in (_STATUS.search(t) for t in texts) if m), None)
    status = int(status_match["status"]) if status_match else None
    return SyncFailure(
        message=primary.message or primary.internal_message,
        stream=primary.stream,
        request=request,
        advice=advice_for(status, primary.failure_type, " ".join(texts)),
        failure_type=primary.failure_type,
        failed_streams=failed,
        log_file=log_file,
    )


def _enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


@dataclass
class SyncProgress:
    """Counts what the connector sends and shows it while the sync runs.

    ``observe`` is called for every message on PyAirbyte's reading thread; a ticker thread prints.
    On a terminal the status line is rewritten in place; elsewhere (CI logs, pipes) a line is printed
    every ``log_every`` seconds, so logs stay short.
    """

    out: TextIO
    live: bool = False
    interval: float = 0.5
    log_every: float = 10.0
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[TraceError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    finished: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._line_open = False
        self._last_logged = self.started

    # -- messages ------------------------------------------------------------------------------
    def observe(self, message: Any) -> None:
        kind = _enum_value(message.type)
        if kind == "RECORD":
            with self._lock:
                self.counts[message.record.stream] += 1
        elif kind == "TRACE":
            self._observe_trace(message.trace)
        elif kind == "LOG":
            level = _enum_value(message.log.level)
            if level in ("WARN", "WARNING"):
                # Only the first line: a warning's stack trace is for the log file, not the screen.
                self.warnings.append(message.log.message.splitlines()[0])

    def _observe_trace(self, trace: Any) -> None:
        kind = _enum_value(trace.type)
        if kind == "ERROR" and trace.error is not None:
            error = trace.error
            descriptor = error.stream_descriptor
            self.errors.append(TraceError(
                message=error.message or "",
                internal_message=error.internal_message or "",
                failure_type=_enum_value(error.failure_type) if error.failure_type else None,
                stream=descriptor.name if descriptor else None,
            ))
        elif kind == "STREAM_STATUS" and trace.stream_status is not None:
            status = _enum_value(trace.stream_status.status)
            name = trace.stream_status.stream_descriptor.name
            if status == "COMPLETE":
                elapsed = time.monotonic() - self.started
                self.finished[name] = elapsed
                self._announce(f"  {name:<15} {self.counts[name]:>9,} records  done at {elapsed:6.1f} s")

    # -- display -------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def status_line(self) -> str:
        elapsed = time.monotonic() - self.started
        with self._lock:
            counts = dict(self.counts)
        rate = sum(counts.values()) / elapsed if elapsed > 0 else 0.0
        streams = " | ".join(f"{name} {n:,}" for name, n in counts.items())
        return f"  {elapsed:6.1f} s  {sum(counts.values()):>9,} records  {rate:8,.0f}/s  {streams}"

    def _announce(self, text: str) -> None:
        with self._lock:
            if self._line_open:
                self.out.write("\r\033[K")
                self._line_open = False
            self.out.write(text + "\n")
            self.out.flush()

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            now = time.monotonic()
            if self.live:
                line = self.status_line()
                with self._lock:
                    self.out.write("\r\033[K" + line)
                    self.out.flush()
                    self._line_open = True
            elif now - self._last_logged >= self.log_every:
                self._last_logged = now
                self._announce(self.status_line())

    def start(self) -> None:
        self.started = time.monotonic()
        self._last_logged = self.started
        self._thread = threading.Thread(target=self._tick, name="sync-progress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._announce(self.status_line())
