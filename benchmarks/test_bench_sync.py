"""Checks that the sync benchmark measures what it says, on a tiny site (values, never times).

Not part of `make test` (pytest's testpaths leave benchmarks/ out); run it with
``.venv/bin/pytest benchmarks``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from benchmarks import attachment_text_scenario, bench_sync
from benchmarks.double_service import endpoint_key
from confluence_double import RequestRecord
from source_confluence.streams.registry import STREAMS

SCALE = 0.002  # 20 spaces, 200 pages, 20 blog posts, 400 comments, 100 tasks, 60 attachments, 1 label


def test_output_counter_counts_records_and_keeps_the_last_state_per_stream():
    counter = bench_sync.OutputCounter(started=0.0)
    lines = [
        b'{"type":"LOG","log":{"level":"INFO","message":"hello"}}',
        b'{"type":"RECORD","record":{"stream":"pages","data":{"id":"1"},"emitted_at":1}}',
        b'{"type":"RECORD","record":{"stream":"pages","data":{"id":"2"},"emitted_at":1}}',
        b'{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"pages"},"stream_state":{"a":1}}}}',
        b'{"type":"RECORD","record":{"stream":"comments","data":{"id":"3"},"emitted_at":1}}',
        b'{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"pages"},"stream_state":{"a":2}},'
        b'"sourceStats":{"recordCount":2.0}}}',
        b'{"type":"TRACE","trace":{"type":"ERROR","error":{"message":"x","failure_type":"system_error"}}}',
    ]
    counter.feed_lines(lines)
    assert counter.records == {"pages": 2, "comments": 1}
    assert counter.state_messages == 2
    assert counter.final_states() == [
        {"type": "STREAM", "stream": {"stream_descriptor": {"name": "pages"}, "stream_state": {"a": 2}}}]
    assert counter.other == {"LOG": 1, "TRACE": 1}
    assert len(counter.problems) == 1


def test_endpoint_keys_and_their_streams():
    def key(path: str, **query: str) -> str:
        return endpoint_key(RequestRecord("GET", path, {k: [v] for k, v in query.items()}, 200))

    walk = key("/wiki/api/v2/pages", **{"space-id": "1", "body-format": "storage", "sort": "-modified-date",
                                        "limit": "250", "cursor": "abc"})
    assert walk == "GET /wiki/api/v2/pages ?body-format,limit,sort=-modified-date,space-id"
    assert bench_sync.stream_of(walk) == "pages"
    assert bench_sync.stream_of(key("/wiki/api/v2/pages", id="5", limit="250")) == (
        "container look-ups (comments, attachments)")
    assert bench_sync.stream_of(key("/wiki/api/v2/blogposts", sort="-modified-date", limit="1")) == "tasks"
    assert bench_sync.stream_of(key("/wiki/rest/api/content/42/child/attachment/att7/download")) == (
        "attachments (file downloads)")
    assert bench_sync.stream_of(key("/wiki/api/v2/labels/123/attachments", limit="250")) == "content_labels"
    assert key("/wiki/api/v2/attachments/att42/labels") == "GET /wiki/api/v2/attachments/{id}/labels ?"
    new_streams = {
        key("/wiki/rest/api/analytics/content/42/views", fromDate="2020-01-01"): "content_views",
        key("/wiki/rest/api/audit", startDate="1", endDate="2"): "audit_records",
        key("/wiki/rest/api/group", limit="200"): "groups",
        key("/wiki/rest/api/group/abc/membersByGroupId", limit="200"): "group_members",
        key("/wiki/api/v2/spaces/7/permissions", limit="250"): "space_permissions",
        key("/wiki/api/v2/space-roles", limit="250"): "space_permissions",
        key("/wiki/api/v2/spaces/7/role-assignments", limit="250"): "space_permissions",
        key("/wiki/api/v2/folders/99"): "folders",
        key("/wiki/rest/api/content/search", cql="id in (1)", expand="restrictions.read"): "content_restrictions",
        key("/wiki/rest/api/content/42/restriction", limit="100"): "content_restrictions",
    }
    assert {endpoint: bench_sync.stream_of(endpoint) for endpoint in new_streams} == new_streams


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out, work = tmp_path_factory.mktemp("results"), tmp_path_factory.mktemp("work")
    args = argparse.Namespace(seed=7, workers=None, env={}, catalog=bench_sync.CATALOG, runs=len(bench_sync.SCENARIOS),
                              change_fraction=0.05, change_seed=1, profile=False, out=str(out), connector_cpus=None,
                              auth="api_token")
    result = bench_sync.bench(SCALE, 0, args, work)
    stored = [json.loads(path.read_text()) for path in out.glob("scale-*.json")]
    assert [set(r["runs"]) for r in stored] == [set(bench_sync.SCENARIOS)]
    return result


def test_full_sync_counts_every_object_of_the_site(result):
    site, full = result["site_before"], result["runs"]["full"]
    assert full["exit_code"] == 0 and not full["problems"]
    records = full["records"]
    assert records["spaces"] == site["spaces"] == 20
    assert records["comments"] == site["comments"]
    assert records["tasks"] == site["tasks"]
    assert records["attachments"] == site["attachments"]
    assert records["blog_posts"] == site["blog_posts"]
    assert 0.9 * site["pages"] <= records["pages"] <= site["pages"]  # archived pages wait for include_archived
    assert records["content_labels"] >= site["label_assignments"] - site["spaces"] * 2  # space labels aside
    assert full["total_records"] == sum(records.values())
    # The request log is counted by endpoint, every endpoint belongs to a stream, nothing is lost.
    requests = full["requests"]
    assert requests["total"] == sum(requests["endpoints"].values()) == sum(full["requests_by_stream"].values())
    assert "other" not in full["requests_by_stream"]
    assert requests["statuses"] == {"200": requests["total"]}
    assert full["connector_peak_rss_mb"] > 0 and full["connector_cpu_s"] > 0 and full["double_cpu_s"] > 0
    # Points come from the connector's own cost lines: one request each as the double counted them.
    total = full["cost"]["total"]
    assert total["requests"] == requests["total"]
    assert total["points"] == total["requests"] + total["objects"] >= full["total_records"] - records["users"]
    assert sum(s["points"] for s in full["cost"]["streams"].values()) == total["points"]


def test_no_change_sync_reads_nothing_and_asks_once_per_partition(result):
    run = result["runs"]["no_change_incremental"]
    assert run["exit_code"] == 0
    # Full-refresh streams emit their snapshot every sync; the incremental ones nothing.
    snapshots = {d.name for d in STREAMS if d.cursor_field is None}
    assert set(run["records"]) <= snapshots | {"users"}
    # Per stream as the connector charges them (`decisions` walks the same endpoints as `pages`).
    requests = {stream: usage["requests"] for stream, usage in run["cost"]["streams"].items()}
    assert requests["pages"] == requests["blog_posts"] == 20  # one per space
    assert requests["tasks"] == 40  # pages and blog posts of each space, newest first
    assert requests["comments"] == 2 and requests["attachments"] == 1
    assert "content_labels" not in requests and "content_labels" not in run["requests_by_stream"]


def test_changed_sync_reads_what_changed(result):
    applied, run = result["changes"]["applied"], result["runs"]["changed"]
    assert run["exit_code"] == 0
    records = run["records"]
    assert records["comments"] == applied["comments_added"]
    assert records["attachments"] == applied["attachments_added"] + applied["attachments_trashed"]
    assert records["pages"] >= applied["pages_edited"] + applied["pages_created"]
    assert records["blog_posts"] >= applied["blog_posts_edited"] + applied["blog_posts_created"]
    assert records["tasks"] >= applied["tasks_completed"]
    assert result["site_after"]["comments"] == result["site_before"]["comments"] + applied["comments_added"]


def test_report_has_a_row_per_run(result, tmp_path: Path):
    (tmp_path / "scale-0.002_latency-0.json").write_text(json.dumps(result))
    table = bench_sync.report(tmp_path)
    for scenario in bench_sync.SCENARIOS:
        assert f"| {scenario} |" in table
    assert "points per stream" in table and f"{result['runs']['full']['cost']['total']['points']:,}" in table


def test_attachment_text_run_downloads_each_attachment_at_most_once(result):
    run = result["runs"][attachment_text_scenario.SCENARIO]
    assert run["exit_code"] == 0 and not run["problems"]
    assert set(run["records"]) == {"attachments"}
    assert run["records"]["attachments"] == result["site_after"]["attachments"]
    downloads = run["requests_by_stream"]["attachments (file downloads)"]
    assert 0 < downloads <= run["records"]["attachments"]
    assert run["requests"]["statuses"] == {"200": run["requests"]["total"]}


def test_a_connectors_child_processes_count_in_its_cpu_and_tree_rss():
    # The body pool's workers are children of the connector: their CPU and memory are the sync's.
    import os
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import subprocess, sys
        child = ("import time; block = bytearray(80 * 2**20); end = time.process_time() + 0.6\\n"
                 "while time.process_time() < end: pass\\ntime.sleep(0.8)")
        subprocess.run([sys.executable, "-c", child], check=True)
    """)
    process = subprocess.Popen([sys.executable, "-c", script])  # noqa: S603 - our own interpreter and script
    sampler = bench_sync.RssSampler(process.pid, interval=0.05)
    sampler.start()
    _, _, usage = os.wait4(process.pid, 0)
    sampler.done.set()
    assert usage.ru_utime + usage.ru_stime >= 0.6  # the child's CPU, reaped by the parent
    assert sampler.own_cpu_s < 0.5  # the parent's own CPU leaves the child's out
    assert sampler.tree_peak_kb >= 80 * 1024  # the child's memory, summed with the parent's
    assert sampler.tree_peak_kb > max(kb for _, kb in sampler.samples) + 60 * 1024
