"""HTTP plumbing: Retry-After parsing and capping, jittered backoff, host pinning."""

from __future__ import annotations

import email.utils
import logging
import time

import pytest
import requests
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from requests.auth import HTTPBasicAuth

from source_confluence.transport import (
    MAX_RETRY_AFTER_SECONDS,
    ConfluenceBackoffStrategy,
    RateGate,
    Transport,
    parse_retry_after,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        ("0", 0.0),
        ("2.5", 2.5),
        ("9223372036854775807", MAX_RETRY_AFTER_SECONDS),
        ("-3", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_seconds(header, expected):
    assert parse_retry_after(header) == expected


def test_retry_after_http_date_is_relative_to_now_and_capped():
    now = time.time()
    soon = email.utils.formatdate(now + 30, usegmt=True)
    later = email.utils.formatdate(now + 86400, usegmt=True)
    assert 28 <= parse_retry_after(soon, now=now) <= 30
    assert parse_retry_after(later, now=now) == MAX_RETRY_AFTER_SECONDS


def _response(status: int, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    return response


def test_rate_limit_closes_the_shared_gate_for_every_worker():
    gate = RateGate()
    wait = ConfluenceBackoffStrategy(gate).backoff_time(_response(429, {"Retry-After": "1"}), attempt_count=1)
    assert wait == 1.0
    started = time.monotonic()
    gate.wait()
    assert time.monotonic() - started >= 0.9


def test_server_errors_back_off_exponentially_with_jitter():
    strategy = ConfluenceBackoffStrategy(RateGate(), base_seconds=1.0, max_seconds=60.0)
    waits = [strategy.backoff_time(_response(503), attempt) for attempt in (1, 2, 3, 4)]
    assert 0.5 <= waits[0] <= 1.0 and 4.0 <= waits[3] <= 8.0
    assert len({strategy.backoff_time(_response(502), 6) for _ in range(20)}) > 1  # jittered
    assert all(strategy.backoff_time(_response(500), 30) <= 60.0 for _ in range(10))


def test_links_to_another_host_are_refused():
    transport = Transport("https://example.atlassian.net", HTTPBasicAuth("a", "b"), logging.getLogger("t"))
    assert transport.absolute_url("/wiki/api/v2/pages?cursor=x") == "https://example.atlassian.net/wiki/api/v2/pages?cursor=x"
    with pytest.raises(AirbyteTracedException) as caught:
        transport.absolute_url("https://evil.example.com/wiki/api/v2/pages")
    assert "another host" in caught.value.message
    with pytest.raises(AirbyteTracedException):
        transport.absolute_url("//evil.example.com/steal")
