"""Fault injection against the double over real HTTP.

Each case makes the server misbehave mid-sync and then compares what the connector emitted with the
site: a case ends either with every record, or with a trace error of the right failure type
(config_error for what the user must fix, transient_error or system_error otherwise) and state up to
the last complete page, from which a later sync fills the gap. Every case also proves that no secret
reached any output (see `reliability.leak_guard`).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http import rate_limiting

from integration_tests.conftest import records_by_stream
from integration_tests.reliability import (
    assert_complete,
    assert_failed_clearly,
    fast_retries,  # noqa: F401 - fixture
    last_states,
    leak_guard,
    run,
    secret_double,
    stream_state,
    truth,
)
from source_confluence.http import transport

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("fast_retries")]
PAGES = "/wiki/api/v2/pages"
MID_WALK = {"cursor": None}
"""Only requests for a second or later page: the fault lands after a checkpoint."""


@pytest.fixture(autouse=True)
def guard(capfd, caplog):
    yield from leak_guard(capfd, caplog)


@pytest.fixture
def cdk_sleeps(monkeypatch) -> list[float]:
    """The CDK's retry sleeps, recorded instead of slept: its retry loop sleeps through the
    module-level `time` of `rate_limiting`, the seam replaced here."""
    slept: list[float] = []
    monkeypatch.setattr(rate_limiting, "time", SimpleNamespace(sleep=slept.append))
    return slept


@pytest.fixture
def site() -> Iterator:
    with secret_double() as double:
        yield double


def statuses(site, path: str = PAGES) -> list[int]:
    return [r.status for r in site.requests if r.path == path]


def retry_gaps(site, status: int) -> list[float]:
    """Seconds between each `status` answer and the next request for the same URL."""
    log = site.requests
    gaps = []
    for index, failed in enumerate(log):
        if failed.status != status:
            continue
        retry = next(r for r in log[index + 1:] if r.path == failed.path and r.query == failed.query)
        gaps.append(retry.at - failed.at)
    return gaps


# -- rate limiting -------------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_retry_after_is_honoured_in_both_forms(guard, site, form):
    def header() -> str:
        return "1" if form == "seconds" else email.utils.formatdate(time.time() + 2, usegmt=True)

    site.faults.add(status=429, count=1, headers={"Retry-After": header()}, path_prefix=PAGES, query=MID_WALK)
    output = run(guard, site, ["pages"], num_workers=1)
    assert_complete(output, site, ["pages"])
    [gap] = retry_gaps(site, 429)
    # The CDK adds one second to every wait a strategy asks for.
    assert gap >= 1.9 if form == "seconds" else gap >= 1.0
    assert gap < 8


@pytest.mark.parametrize(("asked", "described"), [
    ("12000", "3 h 20 min"), ("9223372036854775807", "more than a year"),
    ("Fri, 31 Dec 9999 23:59:59 GMT", "more than a year"), ("1e400", "more than a year"),
])
def test_a_retry_after_beyond_the_limit_ends_the_sync_promptly_and_loses_nothing(guard, site, asked, described):
    # Before: every retry slept the 300 s cap, up to ~45 minutes before failing.
    site.latency_ms = 20  # every worker still has pages to read when the first 429 arrives
    streams = ["pages", "blog_posts", "comments"]
    site.faults.add(status=429, count=None, headers={"Retry-After": asked}, path_prefix=PAGES, query=MID_WALK)
    started = time.monotonic()
    output = run(guard, site, streams, expect_failure=True, num_workers=3, page_size=10)
    assert time.monotonic() - started < 20
    message = assert_failed_clearly(output, FailureType.transient_error, f"asked the connector to wait {described}",
                                    PAGES, "checkpointed")
    assert "cursor" not in message
    # No request was retried after the refusal: each refused URL was asked for once.
    assert set(_refusals_per_url(site).values()) == {1}
    _assert_resumable(guard, site, output, streams)


def test_ten_429s_in_a_row_on_one_request_are_waited_out(guard, site, cdk_sleeps):
    # Before: the CDK's count of 8 retries ended the sync after ~16 s of 429s.
    site.faults.add(status=429, count=10, headers={"Retry-After": "1"}, path_prefix=PAGES, query=MID_WALK)
    output = run(guard, site, ["pages"], num_workers=1)
    assert_complete(output, site, ["pages"])
    assert statuses(site).count(429) == 10
    assert cdk_sleeps == [2.0] * 10  # Retry-After plus the CDK's extra second, each time


def test_a_rate_limit_that_never_lifts_ends_after_the_waiting_budget(guard, site, cdk_sleeps):
    site.faults.add(status=429, count=None, headers={"Retry-After": "1"}, path_prefix=PAGES, query=MID_WALK)
    output = run(guard, site, ["pages"], expect_failure=True, num_workers=1, max_rate_limit_wait_minutes=1)
    assert_failed_clearly(output, FailureType.transient_error, "kept rate limiting", "1 min", PAGES)
    # 30 retries of 1 s + the CDK's second fill the minute; the 31st refusal ends the sync.
    assert cdk_sleeps == [2.0] * 30
    assert max(_refusals_per_url(site).values()) == 31
    _assert_resumable(guard, site, output, ["pages"])


def test_a_429_storm_on_every_endpoint_is_ridden_out(guard, site):
    site.faults.add(status=429, count=8, headers={"Retry-After": "0"}, path_prefix="/wiki/api/v2/")
    output = run(guard, site, num_workers=3)
    assert_complete(output, site)
    assert sum(r.status == 429 for r in site.requests) == 8


def test_a_429_pauses_every_worker_not_just_the_one_refused(guard, site):
    # The first content request is refused while every other partition has seconds of work ahead
    # (small pages, 40 ms per answer).
    site.latency_ms = 40
    site.faults.add(status=429, count=1, headers={"Retry-After": "1"}, path_prefix=PAGES)
    # Small pages keep every worker busy through the pause.
    output = run(guard, site, ["pages", "blog_posts", "comments", "attachments"], num_workers=4, page_size=5)
    assert_complete(output, site, ["pages", "blog_posts", "comments", "attachments"])
    [limited] = [r for r in site.requests if r.status == 429]
    assert [r for r in site.requests if r.at > limited.at + 1.0], "the other workers had finished already"
    # Requests already on the wire arrive within milliseconds; none may start during the pause.
    during = [r for r in site.requests if limited.at + 0.4 < r.at < limited.at + 0.95]
    assert during == []


def test_data_center_rate_limit_headers_slow_everyone_down(guard, site):
    # Data Center announces an empty token bucket on a successful answer; the next request of any
    # worker waits one refill interval instead of running into a 429.
    fired: list[float] = []
    site.latency_ms = 40  # with small pages, every worker has seconds of work ahead
    site.faults.add(kind="with_headers", count=1, path_prefix=PAGES,
                    action=lambda: fired.append(time.monotonic()),
                    headers={"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0",
                             "X-RateLimit-Interval-Seconds": "1", "X-RateLimit-FillRate": "10"})
    streams = ["pages", "blog_posts", "comments", "attachments"]
    output = run(guard, site, streams, num_workers=3, page_size=5)
    assert_complete(output, site, streams)
    [empty] = fired
    # Requests already on the wire arrive within milliseconds; none may start during the pause.
    assert [r for r in site.requests if empty + 0.4 < r.at < empty + 0.9] == []
    assert [r for r in site.requests if r.at >= empty + 0.9], "the sync stopped after the rate-limited answer"
    assert output.is_in_logs("X-RateLimit-Remaining: 0")


def test_data_center_429_waits_for_retry_after_not_the_whole_interval(guard, site):
    site.faults.add(status=429, count=2, path_prefix=PAGES, query=MID_WALK,
                    headers={"Retry-After": "0", "X-RateLimit-Remaining": "0", "X-RateLimit-Interval-Seconds": "60"})
    started = time.monotonic()
    output = run(guard, site, ["pages"], num_workers=1)
    assert_complete(output, site, ["pages"])
    assert time.monotonic() - started < 20


# -- server errors, timeouts, broken connections and bodies ---------------------------------------

@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_bursts_are_retried(guard, site, status):
    site.faults.add(status=status, count=2, path_prefix=PAGES, query=MID_WALK)
    output = run(guard, site, ["pages", "blog_posts"])
    assert_complete(output, site, ["pages", "blog_posts"])
    assert statuses(site).count(status) == 2


def test_persistent_server_errors_end_in_a_transient_error_and_lose_nothing(guard, site, monkeypatch):
    monkeypatch.setattr(transport, "MAX_RETRIES", 2)
    site.faults.add(status=503, count=None, path_prefix="/wiki/api/v2/footer-comments", query=MID_WALK)
    output = run(guard, site, ["pages", "comments"], expect_failure=True)
    assert_failed_clearly(output, FailureType.transient_error, "503")
    # The stream that could be read was read in full.
    assert set(records_by_stream(output)["pages"]) == truth(site, ["pages"])["pages"]
    _assert_resumable(guard, site, output, ["pages", "comments"])


def test_read_timeouts_are_retried(guard, site):
    # The read timeout is 1.5 s here (fast_retries); the stalled answers would take 10 s each.
    rule = site.faults.add(kind="delay", seconds=10.0, count=2, path_prefix=PAGES, query=MID_WALK)
    started = time.monotonic()
    output = run(guard, site, ["pages"])
    assert_complete(output, site, ["pages"])
    assert rule.hits == 2
    assert time.monotonic() - started < 15  # waiting for the stalled answers would take 20 s


@pytest.mark.parametrize("kind", ["reset", "reset_mid_body"])
def test_connection_resets_are_retried(guard, site, kind):
    site.faults.add(kind=kind, count=2, path_prefix=PAGES, query=MID_WALK)
    site.faults.add(kind=kind, count=1, path_prefix="/wiki/api/v2/footer-comments")
    output = run(guard, site, ["pages", "comments"])
    assert_complete(output, site, ["pages", "comments"])
    assert [rule.hits for rule in site.faults.rules] == [2, 1]


@pytest.mark.parametrize("kind", ["truncated_json", "invalid_json"])
def test_broken_json_bodies_are_retried(guard, site, kind):
    site.faults.add(kind=kind, count=2, path_prefix=PAGES, query=MID_WALK)
    site.faults.add(kind=kind, count=1, path_prefix="/wiki/api/v2/users-bulk")
    output = run(guard, site)
    assert_complete(output, site)
    assert [rule.hits for rule in site.faults.rules] == [2, 1]


def test_json_that_stays_broken_ends_in_a_transient_error(guard, site, monkeypatch):
    monkeypatch.setattr(transport, "MAX_RETRIES", 1)
    site.faults.add(kind="invalid_json", count=None, path_prefix=PAGES, query=MID_WALK)
    output = run(guard, site, ["pages"], expect_failure=True)
    assert_failed_clearly(output, FailureType.transient_error, "invalid JSON")
    _assert_resumable(guard, site, output, ["pages"])


@pytest.mark.parametrize("body", ["", "null", "{}", '{"message": "maintenance"}', "[]"])
def test_an_empty_or_shapeless_200_is_retried(guard, site, body):
    # Before: taken as success, then "ValueError: unexpected list response shape" failed the stream.
    site.faults.add(status=200, count=2, body=body, path_prefix=PAGES, query=MID_WALK)
    site.faults.add(status=200, count=1, body=body, path_prefix="/wiki/api/v2/footer-comments")
    output = run(guard, site, ["pages", "comments"])
    assert_complete(output, site, ["pages", "comments"])
    assert [rule.hits for rule in site.faults.rules] == [2, 1]


def test_an_empty_200_that_persists_ends_in_a_transient_error_naming_the_path(guard, site, monkeypatch):
    monkeypatch.setattr(transport, "MAX_RETRIES", 2)
    site.faults.add(status=200, count=None, body="", path_prefix=PAGES, query=MID_WALK)
    output = run(guard, site, ["pages"], expect_failure=True)
    message = assert_failed_clearly(output, FailureType.transient_error, "empty body", PAGES, "3 times in a row")
    assert "?" not in message and "cursor" not in message  # the path only, never the query
    _assert_resumable(guard, site, output, ["pages"])


# -- answers the user must act on ------------------------------------------------------------------

def test_html_login_page_is_a_config_error_with_state_up_to_the_last_page(guard, site):
    site.faults.add(kind="html_login_page", count=None, path_prefix=PAGES, query=MID_WALK)
    output = run(guard, site, ["pages"], expect_failure=True)
    message = assert_failed_clearly(output, FailureType.config_error, "HTML page instead of JSON")
    assert "site_url" in message
    _assert_resumable(guard, site, output, ["pages"])


def test_token_revoked_mid_sync_asks_to_reconnect_and_keeps_its_checkpoints(guard, site):
    site.faults.add(status=401, count=None, path_prefix="/wiki/", query=MID_WALK)
    output = run(guard, site, ["pages", "blog_posts", "comments"], expect_failure=True)
    assert_failed_clearly(output, FailureType.config_error, "HTTP 401", "Reconnect")
    # Every partition checkpointed its first page before the 401: the next sync continues from there.
    pages_state = stream_state(output, "pages")
    assert pages_state and all(entry["cursor"].get("resume") for entry in pages_state["states"])
    _assert_resumable(guard, site, output, ["pages", "blog_posts", "comments"])


def test_a_forbidden_space_is_skipped_with_a_warning_naming_it(guard, site):
    forbidden = sorted(site.site.spaces.values(), key=lambda s: s.id)[0]
    site.faults.add(status=403, count=None, query={"space-id": forbidden.id})
    site.faults.add(status=403, count=None, path_prefix=f"/wiki/api/v2/spaces/{forbidden.id}/")
    streams = ["spaces", "pages", "blog_posts", "tasks"]
    output = run(guard, site, streams)
    assert not output.errors
    records = records_by_stream(output)
    model = site.site
    expected = truth(site, streams)
    assert set(records["spaces"]) == expected["spaces"]
    assert set(records["pages"]) == {i for i in expected["pages"] if model.pages[i].space_id != forbidden.id}
    assert set(records["blog_posts"]) == {i for i in expected["blog_posts"] if model.blog_posts[i].space_id != forbidden.id}
    assert set(records["tasks"]) == {i for i in expected["tasks"] if model.tasks[i].space_id != forbidden.id}
    assert records["pages"] and records["tasks"]
    for stream in ("pages", "blog_posts", "tasks"):
        assert output.is_in_logs(f"Stream '{stream}': skipped space {forbidden.key} .*HTTP 403")
    # The skipped space has no state, so a later sync (once access is granted) reads it from the start.
    partitions = [entry["partition"] for entry in stream_state(output, "pages")["states"]]
    assert {"space_id": forbidden.id} not in partitions


def test_content_deleted_between_listing_and_fetching_is_skipped(guard, site):
    model = site.site
    first = run(guard, site, ["comments"], deletion_check_interval_hours=0)
    assert_complete(first, site, ["comments"])
    # Two resolved inline comments on two pages: the deletion check's id scan lists both, then the
    # connector reads each page's inline comments. One page is purged between the two steps.
    inline = [c for c in model.comments.values()
              if c.comment_type == "inline" and c.status == "current" and c.container_type == "page"
              and c.resolution_status != "resolved"]
    doomed = inline[0]
    kept = next(c for c in inline if c.container_id != doomed.container_id)
    model.resolve_inline_comment(doomed.id)
    model.resolve_inline_comment(kept.id)
    site.faults.add(kind="with_headers", count=1, path_prefix=f"{PAGES}/{doomed.container_id}/inline-comments",
                    action=lambda: model.purge_page(doomed.container_id))
    second = run(guard, site, ["comments"], last_states(first.state_messages), deletion_check_interval_hours=0)
    assert not second.errors
    assert 404 in statuses(site, f"{PAGES}/{doomed.container_id}/inline-comments")
    changed = records_by_stream(second)["comments"]
    assert changed[kept.id]["resolution_status"] == "resolved"
    assert doomed.id not in changed
    # The next deletion check turns the purged page's comments into tombstones: nothing is lost.
    third = run(guard, site, ["comments"], last_states(second.state_messages), deletion_check_interval_hours=0)
    tombstones = records_by_stream(third)["comments"]
    assert doomed.id in tombstones and tombstones[doomed.id]["status"] == "deleted"


# -- pagination ------------------------------------------------------------------------------------

def test_an_expired_cursor_mid_walk_restarts_the_walk_and_misses_nothing(guard, site):
    site.faults.add(status=400, count=1, path_prefix=PAGES, query=MID_WALK,
                    body='{"errors":[{"status":400,"code":"INVALID_REQUEST_PARAMETER","title":"Invalid cursor"}]}')
    output = run(guard, site, ["pages"])
    assert_complete(output, site, ["pages"])
    assert output.is_in_logs("rejected")


def test_an_expired_cursor_in_saved_state_restarts_the_walk(guard, site):
    interrupted = _interrupted_state(guard, site, ["pages", "tasks"])
    site.faults.add(status=400, count=None, query=MID_WALK,
                    body='{"errors":[{"status":400,"code":"INVALID_REQUEST_PARAMETER","title":"Invalid cursor"}]}')
    site.faults.add(status=400, count=None, path_prefix="/wiki/api/v2/tasks", query=MID_WALK)
    resumed = run(guard, site, ["pages", "tasks"], interrupted.states, page_size=250)
    assert not resumed.errors, [e.trace.error.message for e in resumed.errors]
    got = records_by_stream(resumed)
    expected = truth(site, ["pages", "tasks"])
    for stream in ("pages", "tasks"):
        assert interrupted.ids.get(stream, set()) | set(got[stream]) == expected[stream], stream


# -- helpers ---------------------------------------------------------------------------------------

class _Interrupted:
    def __init__(self, states, ids) -> None:
        self.states = states
        self.ids = ids


def _interrupted_state(guard, site, streams) -> _Interrupted:
    """A first sync stopped after its first page everywhere, as a platform would keep it."""
    rule = site.faults.add(status=401, count=None, query=MID_WALK)
    failed = run(guard, site, streams, expect_failure=True)
    site.faults.clear()
    assert rule.hits > 0
    states = last_states(failed.state_messages)
    for stream in streams:
        assert any(entry["cursor"].get("resume") for entry in stream_state(failed, stream)["states"]), stream
    ids = {s: set(r) for s, r in records_by_stream(failed).items()}
    return _Interrupted(states, ids)


def _refusals_per_url(site) -> dict[str, int]:
    counts: dict[str, int] = {}
    for request in site.requests:
        if request.status == 429:
            url = request.path + "?" + "&".join(f"{k}={v}" for k, v in sorted(request.query.items()))
            counts[url] = counts.get(url, 0) + 1
    return counts


def _assert_resumable(guard, site, failed, streams) -> None:
    """After the failure is gone, a sync from the failed run's last states completes the site."""
    site.faults.clear()
    resumed = run(guard, site, streams, last_states(failed.state_messages))
    assert not resumed.errors
    before, after = records_by_stream(failed), records_by_stream(resumed)
    for stream, ids in truth(site, streams).items():
        assert set(before.get(stream, {})) | set(after.get(stream, {})) == ids, stream

