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
    assert bench_sync.stream_of(key("/wiki/api/v2/labels/123/attachments", limit="250")) == "content_labels"
    assert key("/wiki/api/v2/attachments/att42/labels") == "GET /wiki/api/v2/attachments/{id}/labels ?"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out, work = tmp_path_factory.mktemp("results"), tmp_path_factory.mktemp("work")
    args = argparse.Namespace(seed=7, workers=None, env={}, catalog=bench_sync.CATALOG, runs=len(bench_sync.SCENARIOS),
                              change_fraction=0.05, change_seed=1, profile=False, out=str(out), connector_cpus=None)
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


def test_no_change_sync_reads_nothing_and_asks_once_per_partition(result):
    run = result["runs"]["no_change_incremental"]
    assert run["exit_code"] == 0
    assert set(run["records"]) <= {"spaces", "users"}
    by_stream = run["requests_by_stream"]
    assert by_stream["pages"] == by_stream["blog_posts"] == 20  # one per space
    assert by_stream["tasks"] == 40  # pages and blog posts of each space, newest first
    assert by_stream["comments"] == 2 and by_stream["attachments"] == 1
    assert "content_labels" not in by_stream


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


def test_attachment_text_run_downloads_each_attachment_at_most_once(result):
    run = result["runs"][attachment_text_scenario.SCENARIO]
    assert run["exit_code"] == 0 and not run["problems"]
    assert set(run["records"]) == {"attachments"}
    assert run["records"]["attachments"] == result["site_after"]["attachments"]
    downloads = run["requests_by_stream"]["attachments (file downloads)"]
    assert 0 < downloads <= run["records"]["attachments"]
    assert run["requests"]["statuses"] == {"200": run["requests"]["total"]}
