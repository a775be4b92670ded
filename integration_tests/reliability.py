"""Shared by the reliability suites (faults, bad input, kill and resume, security).

Every run goes through the connector's entrypoint against a double whose credentials are distinctive
strings, and a `LeakGuard` keeps everything the run printed, logged or raised, so each test can end
by proving that no secret appears anywhere in it.
"""

from __future__ import annotations

import base64
import json
import logging
import traceback
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pytest
from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteMessageSerializer,
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    FailureType,
    Type,
)
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput

from confluence_double import ConfluenceDouble, SiteSpec
from integration_tests.conftest import ALL_STREAMS, records_by_stream
from integration_tests.conftest import sync as conftest_sync
from integration_tests.site_truth import expected_ids, referenced_accounts, version_authors
from source_confluence.http import transport

EMAIL = "reliability-bot@example.com"
API_TOKEN = "ATATT3x-reliability-7f3a9c-never-print-me"
SECRETS = (
    API_TOKEN,
    base64.b64encode(f"{EMAIL}:{API_TOKEN}".encode()).decode(),  # what basic auth puts on the wire
)
FAULT_SITE = SiteSpec(spaces=2, pages=120, blog_posts=20, footer_comments=60, inline_comments=20, tasks=40,
                      attachments=20, labels=10, users=8, seed=11, body_bytes=800)
PAGE_SIZE = 25
"""Small pages: every walk spans several requests, so faults land mid-walk, after checkpoints."""


def secret_double(spec: SiteSpec = FAULT_SITE, **kwargs: Any) -> ConfluenceDouble:
    return ConfluenceDouble(spec, email=EMAIL, api_token=API_TOKEN, **kwargs)


class LeakGuard:
    """Collects every output of a test's runs; `assert_clean` searches it all for the secrets."""

    def __init__(self, secrets: Iterable[str] = SECRETS) -> None:
        self.secrets = list(secrets)
        self.texts: list[str] = []

    def keep(self, output: EntrypointOutput) -> EntrypointOutput:
        for message in output._messages or []:
            self.texts.append(json.dumps(AirbyteMessageSerializer.dump(message)))
        return output

    def add(self, *texts: str) -> None:
        self.texts.extend(texts)

    def assert_clean(self) -> None:
        for secret in self.secrets:
            for text in self.texts:
                assert secret not in text, f"a secret leaked into the output: ...{_around(text, secret)}..."


def _around(text: str, secret: str) -> str:
    at = text.index(secret)
    return text[max(at - 80, 0):at].replace(secret, "<SECRET>") + "<SECRET>"


def leak_guard(capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
               secrets: Iterable[str] = SECRETS) -> Iterator[LeakGuard]:
    """Fixture body: every log message (raw, before the CDK's filter), everything written to stdout
    and stderr, and every message and trace of the runs, searched for the secrets.

    A record's `extra` fields (the CDK puts request headers there at debug level) only ever reach the
    output through the CDK's formatter, which filters secrets; test_security proves that on the
    console script's real `--debug` output."""
    caplog.set_level(logging.DEBUG)
    guard = LeakGuard(secrets)
    yield guard
    out, err = capfd.readouterr()
    guard.add(out, err)
    for record in caplog.records:
        guard.add(record.getMessage())
        if record.exc_info and record.exc_info[1] is not None:
            guard.add("".join(traceback.format_exception(*record.exc_info)))
    guard.assert_clean()


def run(guard: LeakGuard, double: ConfluenceDouble, streams: Iterable[str] = ALL_STREAMS,
        state: list[AirbyteStateMessage] | None = None, expect_failure: bool = False, **config: Any) -> EntrypointOutput:
    config.setdefault("page_size", PAGE_SIZE)
    config.setdefault("num_workers", 2)
    return guard.keep(conftest_sync(double, list(streams), state, expect_failure=expect_failure, **config))


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short backoff base and read timeout, through the transport's module defaults (no config field)."""
    monkeypatch.setattr(transport, "BACKOFF_BASE_SECONDS", 0.01)
    monkeypatch.setattr(transport, "REQUEST_TIMEOUT", (5.0, 1.5))


def truth(double: ConfluenceDouble, streams: Iterable[str] = ALL_STREAMS, first_sync: bool = True) -> dict[str, set[str]]:
    streams = list(streams)
    ids = expected_ids(double.site, first_sync=first_sync)
    ids["users"] = referenced_accounts(double.site)
    if "content_versions" in streams:
        ids["users"] |= version_authors(double.site)
    return {stream: ids[stream] for stream in streams}


def assert_complete(output: EntrypointOutput, double: ConfluenceDouble, streams: Iterable[str] = ALL_STREAMS) -> None:
    assert not output.errors, [error.trace.error.message for error in output.errors]
    records = records_by_stream(output)
    for stream, ids in truth(double, streams).items():
        assert set(records.get(stream, {})) == ids, stream


def errors_of(output: EntrypointOutput) -> list[tuple[FailureType, str]]:
    return [(m.trace.error.failure_type, m.trace.error.message) for m in output.errors]


def assert_failed_clearly(output: EntrypointOutput, failure_type: FailureType, *phrases: str) -> str:
    """The run ended with a trace error of `failure_type` whose message has every phrase; returns it."""
    errors = errors_of(output)
    assert errors, "the run failed silently (no trace error)"
    matching = [message for kind, message in errors if kind == failure_type and all(p in message for p in phrases)]
    assert matching, errors
    # Nothing may surface as a bare crash: the last error the platform sees has a failure type too.
    assert all(kind is not None for kind, _ in errors)
    return matching[0]


def last_states(messages: Iterable[AirbyteMessage]) -> list[AirbyteStateMessage]:
    """Per stream, the last state message: what the platform hands back to the next run."""
    latest: dict[str, AirbyteStateMessage] = {}
    for message in messages:
        if message.type == Type.STATE:
            latest[message.state.stream.stream_descriptor.name] = message.state
    return list(latest.values())


def emitted_ids(messages: Iterable[AirbyteMessage]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for message in messages:
        if message.type == Type.RECORD:
            data = message.record.data
            out.setdefault(message.record.stream, set()).add(data.get("id") or data.get("account_id"))
    return out


def stream_state(output: EntrypointOutput, stream: str) -> Mapping[str, Any] | None:
    """The last state a run emitted for `stream`, as plain JSON."""
    for state in last_states(output.state_messages):
        if state.stream.stream_descriptor.name == stream:
            return AirbyteStateMessageSerializer.dump(state)["stream"]["stream_state"]
    return None
