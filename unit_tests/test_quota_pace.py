"""Rate-limit headers (http/quota_headers.py) and the pace the shared gate keeps from them
(http/rate_gate.py): slow every worker before a 429, never crash on a bad header."""

from __future__ import annotations

import logging

import requests
from hypothesis import given
from hypothesis import strategies as st
from requests.auth import HTTPBasicAuth

from source_confluence.config import ConfigError, parse_config
from source_confluence.http.quota_headers import QuotaReading, read_quota_headers, structured_items
from source_confluence.http.rate_gate import RateGate
from source_confluence.http.transport import Transport
from unit_tests.fake_clock import FakeClock

NOW = 1_800_000_000.0



def test_the_points_quota_headers_are_read():
    reading = read_quota_headers({
        "Beta-RateLimit-Policy": '"tenant-app-quota";q=100100;w=3600',
        "Beta-RateLimit": '"tenant-app-quota";r=17842;t=2107',
        "X-Beta-RateLimit-NearLimit": "true",
    }, NOW)
    (quota,) = reading.quotas
    assert (quota.remaining, quota.limit, quota.reset_seconds, quota.in_points) == (17842, 100100, 2107, True)
    assert quota.low and reading.near_limit
    unbeta = read_quota_headers({"RateLimit-Policy": '"a";q=10;w=60, "b";q=1000;w=3600',
                                 "RateLimit": '"a";r=9;t=5, "b";r=100;t=30'}, NOW)
    assert [(q.remaining, q.limit) for q in unbeta.quotas] == [(9, 10), (100, 1000)]


def test_the_request_counters_of_cloud_and_data_center_are_read():
    cloud = read_quota_headers({"X-RateLimit-Limit": "350", "X-RateLimit-Remaining": "20",
                                "X-RateLimit-Reset": "2027-01-15T08:00:30Z", "X-RateLimit-NearLimit": "true"},
                               NOW)
    (quota,) = cloud.quotas
    assert not quota.in_points and quota.limit == 350 and quota.low and cloud.near_limit
    datacenter = read_quota_headers({"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "2",
                                     "X-RateLimit-Interval-Seconds": "1", "X-RateLimit-FillRate": "4"}, NOW)
    assert datacenter.refill_seconds_per_request == 0.25
    assert datacenter.quotas[0].reset_seconds == 1.0


def test_missing_or_broken_headers_say_nothing():
    assert read_quota_headers({}, NOW) == QuotaReading()
    broken = read_quota_headers({"Beta-RateLimit": '"q";r=abc;t=-3, ;;;, "x";t=1', "Beta-RateLimit-Policy": "garbage",
                                 "X-RateLimit-Remaining": "NaN", "X-RateLimit-Reset": "tomorrow"}, NOW)
    assert broken.quotas == ()
    assert structured_items('"a";q=1, b;w=2, =;=') == {"a": {"q": "1"}, "b": {"w": "2"}}


@given(st.dictionaries(st.sampled_from(["Beta-RateLimit", "Beta-RateLimit-Policy", "RateLimit", "RateLimit-Policy",
                                        "X-RateLimit-Remaining", "X-RateLimit-Limit", "X-RateLimit-Reset",
                                        "X-RateLimit-NearLimit", "X-RateLimit-FillRate",
                                        "X-RateLimit-Interval-Seconds"]), st.text(max_size=40)))
def test_no_header_value_crashes_the_reading_or_the_gate(headers: dict[str, str]):
    reading = read_quota_headers(headers, NOW)
    pause = RateGate().pace(reading)
    assert pause is None or pause >= 0


def test_a_low_points_quota_spreads_what_is_left_over_the_time_to_its_reset():
    clock = FakeClock()
    gate = RateGate(clock=clock, sleep=clock.sleep)
    gate.cap_points_per_hour(None, in_flight=2)
    gate.charge(51)
    plenty = read_quota_headers({"Beta-RateLimit-Policy": '"g";q=10000;w=60', "Beta-RateLimit": '"g";r=9000;t=30'})
    assert gate.pace(plenty) is None
    gate.charge(100)  # the largest answer so far: 100 points; two may be in flight -> 200 kept back
    gate.wait()
    assert clock.slept == []  # plenty left: no pace at all
    low = read_quota_headers({"Beta-RateLimit-Policy": '"g";q=10000;w=60', "Beta-RateLimit": '"g";r=1200;t=20'})
    assert gate.pace(low) is None
    gate.charge(100)  # 100 points at 20 s per 1000 usable points (1200 - 200) -> the next request waits 2 s
    gate.wait()
    assert abs(sum(clock.slept) - 2.0) < 1e-6
    spent = read_quota_headers({"Beta-RateLimit-Policy": '"g";q=10000;w=60', "Beta-RateLimit": '"g";r=80;t=12.5'})
    assert gate.pace(spent) == 12.5  # less than the answers in flight may cost: wait for the reset


def test_the_near_limit_flag_alone_slows_a_quota_without_a_policy():
    gate = RateGate()
    gate.cap_points_per_hour(None, in_flight=1)
    reading = read_quota_headers({"Beta-RateLimit": '"g";r=5000;t=100', "X-RateLimit-NearLimit": "true"})
    assert reading.quotas[0].limit is None and not reading.quotas[0].low
    assert gate.pace(reading) is None
    assert gate._per_point == 100 / (5000 - 1)


def test_max_points_per_hour_caps_the_connectors_own_pace():
    clock = FakeClock()
    gate = RateGate(clock=clock, sleep=clock.sleep)
    gate.cap_points_per_hour(3600, in_flight=4)  # one point per second
    gate.wait()
    gate.charge(1 + 9)
    gate.wait()
    assert abs(sum(clock.slept) - 10.0) < 1e-6
    assert parse_config({"site_url": "https://x.atlassian.net", "max_points_per_hour": 65000,
                         "credentials": {"auth_type": "api_token", "email": "a@b.c", "api_token": "t"}}
                        ).max_points_per_hour == 65000
    for bad in (10, "many", 1.5, True):
        try:
            parse_config({"site_url": "https://x.atlassian.net", "max_points_per_hour": bad,
                          "credentials": {"auth_type": "api_token", "email": "a@b.c", "api_token": "t"}})
        except ConfigError as error:
            assert error.field == "max_points_per_hour" and "max_points_per_hour" in (error.message or "")
        else:
            raise AssertionError(f"{bad!r} was accepted")


def test_the_transport_charges_the_gate_and_pauses_for_a_spent_quota(caplog):
    gate = RateGate()
    transport = Transport("https://example.atlassian.net", HTTPBasicAuth("a", "b"), logging.getLogger("t"),
                          gate=gate, max_rate_limit_wait_seconds=60.0)
    answer = requests.Response()
    answer.headers.update({"Beta-RateLimit-Policy": '"g";q=1000;w=3600', "Beta-RateLimit": '"g";r=0;t=3000'})
    transport._observe_rate_limit(answer)
    assert gate.remaining() == 0.0  # longer than the wait allowed: the 429 that follows decides
    answer.headers["Beta-RateLimit"] = '"g";r=0;t=20'
    with caplog.at_level(logging.INFO, logger="t"):
        transport._observe_rate_limit(answer)
    assert 19.0 < gate.remaining() <= 20.0
    assert "points quota is nearly used up" in caplog.text
    assert transport.ledger.total().requests == 2


def test_a_spent_quota_without_its_policy_header_still_pauses():
    # Observed on Atlassian's servers: once the quota is spent the policy header goes missing and only
    # `Beta-RateLimit: ...;r=0;t=<seconds>` is left. That alone must pause every worker until the reset.
    gate = RateGate()
    gate.cap_points_per_hour(None, in_flight=4)
    assert gate.pace(read_quota_headers({"Beta-RateLimit": '"tenant-app-quota";r=0;t=42'})) == 42.0
    assert gate.pace(read_quota_headers({"Beta-RateLimit": '"tenant-app-quota";r=0'})) is None  # no reset time: the 429 decides


def test_a_pace_never_holds_a_request_longer_than_the_rate_limit_wait_allowed():
    clock = FakeClock()
    gate = RateGate(clock=clock, sleep=clock.sleep)
    gate.cap_points_per_hour(None, in_flight=1, longest_wait=5.0)
    gate.pace(read_quota_headers({"Beta-RateLimit-Policy": '"g";q=100000;w=3600', "Beta-RateLimit": '"g";r=101;t=3000'}))
    assert gate.pacing
    gate.charge(251)  # 30 s per point: the pace asks for over two hours
    gate.wait()
    assert sum(clock.slept) == 5.0  # the rest is left to the server's 429 and its Retry-After
