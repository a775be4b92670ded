"""HTTP plumbing: host pinning and HTTP errors (the retry policy is in test_retry_policy)."""

from __future__ import annotations

import logging

import pytest
import requests
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from requests.auth import HTTPBasicAuth

from source_confluence.http.rate_gate import RateGate
from source_confluence.http.transport import ConfluenceHttpError, Transport, origin_of


def test_links_to_another_host_are_refused():
    transport = Transport("https://example.atlassian.net", HTTPBasicAuth("a", "b"), logging.getLogger("t"))
    assert transport.absolute_url("/wiki/api/v2/pages?cursor=x") == "https://example.atlassian.net/wiki/api/v2/pages?cursor=x"
    with pytest.raises(AirbyteTracedException) as caught:
        transport.absolute_url("https://evil.example.com/wiki/api/v2/pages")
    assert "another host" in caught.value.message
    with pytest.raises(AirbyteTracedException):
        transport.absolute_url("//evil.example.com/steal")


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


def test_a_data_center_pause_beyond_the_limit_is_not_taken():
    gate = RateGate()
    transport = Transport("https://wiki.example.com", HTTPBasicAuth("a", "b"), logging.getLogger("t"), gate=gate,
                          max_rate_limit_wait_seconds=60.0)
    answer = requests.Response()
    answer.headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-Interval-Seconds": "3600"})
    transport._observe_rate_limit(answer)
    assert gate.remaining() == 0.0  # the next answer decides: a 429 asking for an hour ends the sync
    answer.headers["X-RateLimit-Interval-Seconds"] = "30"
    transport._observe_rate_limit(answer)
    assert 29.0 < gate.remaining() <= 30.0
