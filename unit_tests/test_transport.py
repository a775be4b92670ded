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
    ConfluenceHttpError,
    RateGate,
    Transport,
    origin_of,
    parse_retry_after,
    rate_limit_pause,
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


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Interval-Seconds": "2"}, 2.0),
        ({"X-RateLimit-Remaining": "0", "Retry-After": "1", "X-RateLimit-Interval-Seconds": "60"}, 1.0),
        ({"X-RateLimit-Remaining": "0"}, 1.0),
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Interval-Seconds": "9223372036854775807"}, MAX_RETRY_AFTER_SECONDS),
        ({"X-RateLimit-Remaining": "3", "X-RateLimit-Interval-Seconds": "2"}, None),
        ({"X-RateLimit-Remaining": "soon"}, None),
        ({}, None),
    ],
)
def test_data_center_rate_limit_headers(headers, expected):
    assert rate_limit_pause(headers) == expected


def test_a_retry_waits_out_a_pause_another_worker_started():
    gate = RateGate()
    gate.close_for(3)
    strategy = ConfluenceBackoffStrategy(gate, base_seconds=0.01)
    assert 2.5 < strategy.backoff_time(_response(503), attempt_count=1) <= 3
    # Zero would hand the retry to the CDK's own schedule; the strategy keeps it.
    assert ConfluenceBackoffStrategy(RateGate()).backoff_time(_response(429, {"Retry-After": "0"}), 1) > 0


def test_origin_includes_scheme_and_port():
    assert origin_of("https://example.atlassian.net/wiki") == origin_of("https://Example.atlassian.net:443/x")
    assert origin_of("https://example.atlassian.net") != origin_of("http://example.atlassian.net")
    assert origin_of("http://127.0.0.1:8080") != origin_of("http://127.0.0.1:8081")


def test_http_errors_carry_the_failure_type_the_status_implies():
    assert ConfluenceHttpError(401, "/wiki/api/v2/pages", "x").failure_type.value == "config_error"
    assert "Reconnect" in ConfluenceHttpError(401, "/p", "x").message
    assert ConfluenceHttpError(403, "/p", "x").failure_type.value == "config_error"
    assert ConfluenceHttpError(400, "/p", "Invalid cursor").failure_type.value == "system_error"
    assert str(ConfluenceHttpError(404, "/wiki/x", "gone")) == "HTTP 404 for /wiki/x: gone"
