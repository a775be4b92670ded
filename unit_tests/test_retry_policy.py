"""The retry policy, with computed waits and a fake clock: no test sleeps.

Rate limits are bounded by waiting time (all workers pausing together), other failures by a count,
and a wait asked for beyond the limit ends the sync at once, naming the wait."""

from __future__ import annotations

import json
import math

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ResponseAction
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.http.rate_gate import RateGate, describe_wait, parse_retry_after, rate_limit_pause
from source_confluence.http.retry_policy import (
    CDK_EXTRA_SLEEP_SECONDS,
    ConfluenceBackoffStrategy,
    ConfluenceErrorHandler,
    ResponseNotes,
    RetryLimits,
)
from unit_tests.fake_clock import FakeClock

LIMITS = RetryLimits(max_retries=8, rate_limit_wait=600.0, backoff_base=1.0, max_backoff=60.0, read_timeout=120.0)
URL = "https://example.atlassian.net/wiki/api/v2/pages?space-id=1&cursor=c2VjcmV0"



def gate_and_clock() -> tuple[RateGate, FakeClock]:
    clock = FakeClock(start=1000.0)
    return RateGate(clock=clock, sleep=clock.sleep), clock


def response(status: int, headers: dict[str, str] | None = None, body: bytes = b"{}", url: str = URL,
             request: requests.PreparedRequest | None = None) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer.headers.update(headers or {})
    answer._content = body
    answer.request = request or requests.Request("GET", url).prepare()
    return answer


def run_until_given_up(strategy: ConfluenceBackoffStrategy, make_response, limit: int = 10_000):
    """The waits the strategy grants one request before it gives up, and the error it gives up with."""
    request = requests.Request("GET", URL).prepare()
    waits: list[float] = []
    for attempt in range(1, limit):
        try:
            waits.append(strategy.backoff_time(make_response(request), attempt))
        except AirbyteTracedException as error:
            return waits, error
    raise AssertionError("the strategy never gave up")


# -- Retry-After, uncapped -----------------------------------------------------------------------

@pytest.mark.parametrize(("header", "expected"), [
    ("5", 5.0), ("0", 0.0), ("2.5", 2.5), ("-3", 0.0), ("12000", 12000.0),
    ("9223372036854775807", 9223372036854775807.0), ("1e400", math.inf),
    ("soon", None), ("nan", None), ("", None), (None, None),
])
def test_retry_after_is_parsed_without_a_cap(header, expected):
    assert parse_retry_after(header) == expected


def test_retry_after_http_dates_are_relative_to_now_even_in_year_9999():
    assert parse_retry_after("Thu, 01 Jan 1970 00:10:00 GMT", now=0.0) == 600.0
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now=0.0) == 253402300799.0
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now=50.0) == 0.0


@pytest.mark.parametrize(("seconds", "text"), [
    (0.5, "0.5 s"), (45, "45 s"), (725, "12 min 5 s"), (600, "10 min"), (3600, "1 h"), (12000, "3 h 20 min"),
    (187200, "2 d 4 h"), (9223372036854775807, "more than a year"), (math.inf, "more than a year"),
])
def test_waits_are_described_as_a_person_reads_them(seconds, text):
    assert describe_wait(seconds) == text


@pytest.mark.parametrize(("headers", "expected"), [
    ({"X-RateLimit-Remaining": "0", "X-RateLimit-Interval-Seconds": "2"}, 2.0),
    ({"X-RateLimit-Remaining": "0", "Retry-After": "1", "X-RateLimit-Interval-Seconds": "60"}, 1.0),
    ({"X-RateLimit-Remaining": "0"}, 1.0),
    ({"X-RateLimit-Remaining": "0", "X-RateLimit-Interval-Seconds": "9223372036854775807"}, 9223372036854775807.0),
    ({"X-RateLimit-Remaining": "3", "X-RateLimit-Interval-Seconds": "2"}, None),
    ({"X-RateLimit-Remaining": "soon"}, None),
    ({}, None),
])
def test_data_center_rate_limit_headers(headers, expected):
    assert rate_limit_pause(headers) == expected


# -- rate limits: bounded by waiting time, not by a count ------------------------------------------

def test_ten_429s_in_a_row_are_all_waited_out():
    # Before: the CDK's count of 8 retries ended the sync after ~16 s of 429s.
    gate, _ = gate_and_clock()
    strategy = ConfluenceBackoffStrategy(gate, LIMITS)
    request = requests.Request("GET", URL).prepare()
    waits = [strategy.backoff_time(response(429, {"Retry-After": "1"}, request=request), n) for n in range(1, 11)]
    assert waits == [1.0] * 10


def test_rate_limit_retries_stop_after_the_waiting_budget_not_a_count():
    gate, _ = gate_and_clock()
    strategy = ConfluenceBackoffStrategy(gate, LIMITS)
    waits, error = run_until_given_up(strategy, lambda request: response(429, {"Retry-After": "30"}, request=request))
    # Each retry costs 30 s asked + the CDK's extra second: 19 fit in 600 s (19 * 31 + 30 > 600).
    assert waits == [30.0] * 19
    assert sum(waits) + len(waits) * CDK_EXTRA_SLEEP_SECONDS == 589.0
    assert error.failure_type == FailureType.transient_error
    assert "kept rate limiting" in error.message and "/wiki/api/v2/pages" in error.message
    assert "10 min" in error.message and "cursor" not in error.message  # the path, never the query


def test_a_429_storm_without_retry_after_backs_off_exponentially_within_the_budget():
    gate, _ = gate_and_clock()
    strategy = ConfluenceBackoffStrategy(gate, LIMITS)
    waits, _ = run_until_given_up(strategy, lambda request: response(429, request=request))
    assert 0.5 <= waits[0] <= 1.0 and 4.0 <= waits[3] <= 8.0 and max(waits) <= 60.0
    # What the CDK sleeps in all (each wait plus its extra second) stays within the budget, give or
    # take the last extra second.
    assert sum(waits) + len(waits) * CDK_EXTRA_SLEEP_SECONDS <= 600.0 + CDK_EXTRA_SLEEP_SECONDS
    assert len(waits) > LIMITS.max_retries


def test_a_429_closes_the_shared_gate_for_every_worker():
    gate, clock = gate_and_clock()
    assert ConfluenceBackoffStrategy(gate, LIMITS).backoff_time(response(429, {"Retry-After": "20"}), 1) == 20.0
    gate.wait()
    assert sum(clock.slept) == 20.0
    # A 503 retry of another worker waits out the pause it would otherwise jump.
    gate.close_for(3)
    assert ConfluenceBackoffStrategy(gate, LIMITS).backoff_time(response(503), 1) == 3.0


def test_a_retry_after_up_to_the_top_of_the_hour_is_waited_when_the_limit_allows_it():
    gate, _ = gate_and_clock()
    hour = RetryLimits(8, 3600.0, 1.0, 60.0, 120.0)
    assert ConfluenceBackoffStrategy(gate, hour).backoff_time(response(429, {"Retry-After": "2400"}), 1) == 2400.0
    assert gate.remaining() == 2400.0


# -- a wait beyond the limit ends the sync at once --------------------------------------------------

@pytest.mark.parametrize(("header", "described"), [
    ("12000", "3 h 20 min"), ("601", "10 min 1 s"), ("9223372036854775807", "more than a year"),
    ("1e400", "more than a year"), ("Fri, 31 Dec 9999 23:59:59 GMT", "more than a year"),
])
def test_a_retry_after_beyond_the_limit_ends_the_sync_at_once_naming_the_wait(header, described):
    gate, clock = gate_and_clock()
    strategy = ConfluenceBackoffStrategy(gate, LIMITS)
    with pytest.raises(AirbyteTracedException) as refused:
        strategy.backoff_time(response(429, {"Retry-After": header}), 1)
    error = refused.value
    assert error.failure_type == FailureType.transient_error
    assert f"asked the connector to wait {described}" in error.message
    assert "/wiki/api/v2/pages" in error.message and "cursor" not in error.message
    assert "checkpointed" in error.message and "10 min" in error.message
    # Nobody sleeps through it: the gate stays open, and every worker's next request fails the same way.
    assert gate.remaining() == 0.0
    with pytest.raises(AirbyteTracedException) as stopped:
        gate.wait()
    assert stopped.value.message == error.message and stopped.value is not error
    assert clock.slept == []


def test_a_503_with_a_retry_after_beyond_the_limit_ends_the_sync_too():
    gate, _ = gate_and_clock()
    with pytest.raises(AirbyteTracedException, match="3 h 20 min"):
        ConfluenceBackoffStrategy(gate, LIMITS).backoff_time(response(503, {"Retry-After": "12000"}), 1)


# -- other failures: a count --------------------------------------------------------------------

def test_server_errors_retry_eight_times_with_jittered_exponential_backoff():
    gate, _ = gate_and_clock()
    strategy = ConfluenceBackoffStrategy(gate, LIMITS)
    waits, error = run_until_given_up(strategy, lambda request: response(503, request=request))
    assert len(waits) == 8
    assert 0.5 <= waits[0] <= 1.0 and 4.0 <= waits[3] <= 8.0 and 30.0 <= waits[7] <= 60.0
    assert "answered HTTP 503 for /wiki/api/v2/pages 9 times in a row" in error.message
    assert error.failure_type == FailureType.transient_error


def test_rate_limits_do_not_use_up_the_retries_of_server_errors():
    gate, _ = gate_and_clock()
    strategy = ConfluenceBackoffStrategy(gate, LIMITS)
    request = requests.Request("GET", URL).prepare()
    for attempt in range(1, 21):
        strategy.backoff_time(response(429, {"Retry-After": "0"}, request=request), attempt)
    for attempt in range(21, 29):
        assert strategy.backoff_time(response(502, request=request), attempt) > 0
    with pytest.raises(AirbyteTracedException, match="9 times in a row"):
        strategy.backoff_time(response(502, request=request), 29)


def test_each_request_has_its_own_budget():
    gate, _ = gate_and_clock()
    strategy = ConfluenceBackoffStrategy(gate, LIMITS)
    run_until_given_up(strategy, lambda request: response(500, request=request))
    assert strategy.backoff_time(response(500), 1) > 0  # another request starts afresh


def test_the_cdk_bounds_never_cut_ours_short():
    # The CDK sleeps at least one second per retry, so a request makes at most this many attempts.
    most_attempts = 1 + LIMITS.max_retries + math.ceil(LIMITS.rate_limit_wait / CDK_EXTRA_SLEEP_SECONDS)
    assert LIMITS.cdk_max_tries > most_attempts
    assert LIMITS.cdk_max_time > LIMITS.rate_limit_wait + (LIMITS.max_retries + 1) * (120.0 + 60.0)


# -- answers that look like success -------------------------------------------------------------

@pytest.mark.parametrize(("body", "expect_list", "problem"), [
    (b"", False, "empty body"), (b"", True, "empty body"), (b"null", True, "instead of an object"),
    (b'"ok"', False, "instead of an object"), (b"{}", True, "not a list of results"),
    (b'{"message": "maintenance"}', True, "not a list of results"), (b"[]", True, "not a list of results"),
    (b'{"results": [], "_links": {', True, "invalid JSON"),
])
def test_a_broken_2xx_answer_is_retried_as_transient_naming_the_path(body, expect_list, problem):
    notes = ResponseNotes()
    handler = ConfluenceErrorHandler("https://example.atlassian.net", LIMITS, expect_list=expect_list, notes=notes)
    answer = response(200, {"Content-Type": "application/json"}, body)
    resolution = handler.interpret_response(answer)
    assert resolution.response_action == ResponseAction.RETRY
    assert resolution.failure_type == FailureType.transient_error
    assert problem in resolution.error_message and "/wiki/api/v2/pages" in resolution.error_message
    assert "cursor" not in resolution.error_message
    # After the last retry, the strategy's message says the same.
    gate, _ = gate_and_clock()
    _, error = run_until_given_up(ConfluenceBackoffStrategy(gate, LIMITS, notes),
                                  lambda request: _with(response(200, body=body, request=request), handler))
    assert problem in error.message and "9 times in a row" in error.message


def _with(answer: requests.Response, handler: ConfluenceErrorHandler) -> requests.Response:
    handler.interpret_response(answer)
    return answer


@pytest.mark.parametrize("body", [b'{"results": [], "_links": {}}', b'[{"id": "cloud"}]', b'{"accountId": "x"}'])
def test_well_formed_answers_succeed(body):
    expect_list = json.loads(body) == {"results": [], "_links": {}}
    handler = ConfluenceErrorHandler("https://example.atlassian.net", LIMITS, expect_list=expect_list)
    assert handler.interpret_response(response(200, {"Content-Type": "application/json"}, body)).response_action \
        == ResponseAction.SUCCESS


def test_an_html_page_is_a_config_error_naming_the_path():
    handler = ConfluenceErrorHandler("https://example.atlassian.net", LIMITS)
    resolution = handler.interpret_response(response(200, {"Content-Type": "text/html"}, b"<html></html>"))
    assert resolution.response_action == ResponseAction.FAIL
    assert resolution.failure_type == FailureType.config_error
    assert "/wiki/api/v2/pages with an HTML page" in resolution.error_message
