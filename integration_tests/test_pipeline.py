"""The pipeline package without a browser: the summary text, what an incremental demo run reports
against the changes actually made to the site, failure messages, and the command line."""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from confluence_double import ConfluenceDouble, Site, SiteSpec
from integration_tests.site_truth import expected_ids
from pipeline import STREAMS, cli, demo
from pipeline.changes import StreamChange
from pipeline.dbt_runner import DbtResult, run_dbt_build
from pipeline.marts import ReportData
from pipeline.progress import SyncFailure
from pipeline.summary import count_phrase, render
from pipeline.sync import SyncResult, run_sync

pytestmark = pytest.mark.pipeline

SMALL = SiteSpec(spaces=2, pages=150, blog_posts=20, footer_comments=80, inline_comments=20, tasks=60,
                 attachments=20, labels=12, users=10, seed=11, body_bytes=600)


def _report_data(**totals: int) -> ReportData:
    return ReportData(
        totals={"live_content": 0, "comments": 0, "open_tasks": 0, "overdue_tasks": 0, "stale_pages": 0,
                "deleted": 0, **totals},
        volume={"ENG": [(date(2024, 1, 1), 3)]}, space_names={"ENG": "Engineering"},
        contributors=[{"account_id": "a1", "display_name": "Ada Okafor", "created": 4, "updated": 2, "comments": 1,
                       "tasks": 0, "total": 7}],
        labels=[], label_count=0, recent=[], stale_by_space=[], stale=[], stale_total=0, tasks_by_space=[],
        deleted_by_kind=[], deleted=[], deleted_total=0,
    )


def test_summary_lists_every_stream_change_and_the_marts():
    changes = [
        StreamChange("pages", 17, initial=False, rows=1203,
                     categories={"new": 3, "purged": 1, "deleted": 0, "trashed": 2, "archived": 0, "restored": 0,
                                 "updated": 11}),
        StreamChange("tasks", 9, initial=False, rows=300,
                     categories={"new": 0, "completed": 2, "reopened": 0, "updated": 0, "unchanged": 7}),
        StreamChange("spaces", 3, initial=False, rows=3, categories={"added": 0, "removed": 0, "updated": 0}),
    ]
    sync = SyncResult(streams=["pages", "tasks", "spaces"], records={"pages": 17, "tasks": 9, "spaces": 3},
                      changes=changes, elapsed=4.25, warnings=["Stream 'pages': skipped space HR (HTTP 403)."])
    dbt = DbtResult(ok=True, elapsed=20.04, statuses={"pass": 10, "success": 5, "warn": 1})
    data = _report_data(live_content=1180, comments=455, open_tasks=120, overdue_tasks=30, stale_pages=400, deleted=22)
    text = render("Confluence report", sync, dbt, data, "out/report.html",
                  applied={"page edits": 11, "pages purged": 1, "labels added": 0})
    assert text.splitlines() == [
        "Confluence report",
        "",
        "Changes made in Confluence since the last run: 11 page edits, 1 page purged.",
        "",
        "Sync (incremental sync): 29 records in 4.2 s",
        "  pages                 17 received   3 new, 1 purged, 2 trashed, 11 updated",
        "  tasks                  9 received   2 completed, 7 re-read unchanged",
        "  spaces                 3 received   no change",
        "  warning: Stream 'pages': skipped space HR (HTTP 403).",
        "dbt build: 16 nodes (10 pass, 5 success, 1 warn) in 20.0 s",
        "Marts: 1,180 live pages and blog posts, 455 comments, 120 open tasks (30 overdue), 400 stale pages, "
        "22 deleted in Confluence",
        "Top contributor: Ada Okafor (7 contributions)",
        "Report: out/report.html",
    ]


def test_first_sync_summary_says_loaded():
    changes = [StreamChange("pages", 1000, initial=True, rows=998)]
    sync = SyncResult(streams=["pages"], records={"pages": 1000}, changes=changes, elapsed=12.0)
    text = render("R", sync, DbtResult(ok=True, elapsed=1.0, statuses={"pass": 1}), _report_data(), "r.html")
    assert "Sync (first sync): 1,000 records in 12.0 s" in text
    assert "  pages              1,000 received   998 loaded" in text


def test_count_phrase_singular_and_plural():
    assert count_phrase(1, "pages purged") == "1 page purged"
    assert count_phrase(1, "blog post edits") == "1 blog post edit"
    assert count_phrase(2, "pages purged") == "2 pages purged"
    assert count_phrase(12_000, "new comments") == "12,000 new comments"


# -- incremental demo run -----------------------------------------------------------------------
def _snapshot(site: Site) -> dict[str, dict[str, tuple]]:
    return {
        "pages": {i: (p.status, p.version.number) for i, p in site.pages.items()},
        "blog_posts": {i: (b.status, b.version.number) for i, b in site.blog_posts.items()},
        "comments": {i: (c.status, c.version.number) for i, c in site.comments.items()},
        "attachments": {i: (a.status, a.version.number) for i, a in site.attachments.items()},
        "tasks": {i: (t.status,) for i, t in site.tasks.items()},
    }


def _expected_content_changes(before: dict, after: dict, synced: set[str]) -> Counter:
    """Categories of a content stream worked out from the site model alone."""
    expected: Counter = Counter()
    for key, (status, version) in after.items():
        if key not in before:
            expected["new"] += 1
        elif status == "trashed" and before[key][0] != "trashed":
            expected["trashed"] += 1
        elif version != before[key][1]:
            expected["updated"] += 1
    expected["purged"] = len(synced - set(after))
    return expected


def test_second_demo_run_reports_exactly_the_scripted_changes(tmp_path):
    directory = tmp_path / "demo"
    db = directory / demo.DB_FILE
    out = io.StringIO()
    first, state, run, applied = demo.prepare_site(directory, SMALL, out=out)
    assert (run, applied) == (1, None)
    with first:
        initial = run_sync(demo.demo_config(first), db, out=out)
    assert initial.initial and initial.records["pages"] == len(expected_ids(first.site)["pages"])
    demo.finish_run(state, initial.records)
    synced = expected_ids(first.site)
    before = _snapshot(first.site)

    second, state, run, applied = demo.prepare_site(directory, SMALL, out=out)
    # The site was regenerated, found identical to what run 1 synced, and changed by batch 2.
    assert run == 2 and applied == demo.BATCH
    after = _snapshot(second.site)
    with second:
        result = run_sync(demo.demo_config(second), db, out=out)
    changes = {c.stream: c for c in result.changes}
    assert not result.initial

    for stream in ("pages", "blog_posts", "attachments"):
        expected = _expected_content_changes(before[stream], after[stream], synced[stream])
        got = {k: v for k, v in changes[stream].categories.items() if v}
        assert got == {k: v for k, v in expected.items() if v}, stream
    assert changes["pages"].categories["new"] == demo.BATCH["new pages"]
    assert changes["pages"].categories["purged"] == demo.BATCH["pages purged"]
    assert changes["pages"].categories["trashed"] == demo.BATCH["pages trashed"]

    new_comments = set(after["comments"]) - set(before["comments"])
    gone_comments = synced["comments"] - set(after["comments"])
    assert changes["comments"].categories["new"] == len(new_comments) == demo.BATCH["new comments"]
    assert changes["comments"].categories["removed"] == len(gone_comments)

    completed = {i for i, (status,) in after["tasks"].items() if status == "complete" and before["tasks"][i] == ("incomplete",)}
    assert changes["tasks"].categories["completed"] == len(completed) == demo.BATCH["tasks completed"]

    labels_after = expected_ids(second.site)["content_labels"]
    # content_labels is appended: a removed label arrives as a tombstone row, the rest re-read unchanged.
    assert changes["content_labels"].categories == {
        "new": len(labels_after - synced["content_labels"]),
        "removed": len(synced["content_labels"] - labels_after),
        "unchanged": len(labels_after & synced["content_labels"]),
    }
    assert changes["content_labels"].categories["new"] == demo.BATCH["labels added"]
    assert changes["spaces"].describe() == "no change"
    # The batch changes no group, member, grant or audit event: the groups snapshot is replaced unchanged,
    # and the members and grants every round reads again (the demo's interval is 0) are all unchanged.
    assert changes["groups"].describe() == "no change"
    for stream in ("group_members", "space_permissions"):
        assert changes[stream].categories == {"removed": 0, "new": 0, "unchanged": len(synced[stream])}, stream
    assert changes["audit_records"].categories["new"] == 0
    # Every edit, new page and new comment is one new version (trashing and purging make none to read).
    assert changes["content_versions"].categories["new"] >= demo.BATCH["page edits"] + demo.BATCH["new pages"]

    # The tables keep what every sync loaded: the latest row of each page is the site's page, and a
    # purged or trashed page keeps its live row from run 1 beside the deleted one.
    purged = synced["pages"] - set(after["pages"])
    trashed = {i for i, (status, _) in after["pages"].items() if status == "trashed" and before["pages"][i][0] == "current"}
    con = duckdb.connect(str(db), read_only=True)
    try:
        live_pages = con.execute("select count(*) from (select status from main.pages "
                                 "qualify row_number() over (partition by id order by _airbyte_extracted_at desc) = 1) "
                                 "where status = 'current'").fetchone()[0]
        kept = dict(con.execute("select id, list(status order by _airbyte_extracted_at) from main.pages "
                                "where id in (select unnest(?)) group by id", [sorted(purged | trashed)]).fetchall())
    finally:
        con.close()
    assert live_pages == sum(1 for p in second.site.pages.values() if p.status == "current")
    assert len(purged) == demo.BATCH["pages purged"] and len(trashed) == demo.BATCH["pages trashed"]
    assert kept == {**dict.fromkeys(purged, ["current", "deleted"]), **dict.fromkeys(trashed, ["current", "trashed"])}

    # A third run replays batches 2 and 3 on a fresh site and carries on incrementally.
    third, state, run, applied = demo.prepare_site(directory, SMALL, out=out)
    assert run == 3 and "starting over" not in out.getvalue()
    assert [entry["run"] for entry in state.runs] == [1, 2, 3]


def test_batches_are_reproducible_from_their_times():
    at = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    sites = []
    for _ in range(2):
        site = ConfluenceDouble(SMALL).site
        demo.apply_batch(site, 2, at)
        sites.append(site)
    assert demo.fingerprint(sites[0]) == demo.fingerprint(sites[1])
    edited = [p for p in sites[0].pages.values() if p.version.created_at >= at]
    assert len(edited) == demo.BATCH["page edits"] + demo.BATCH["new pages"] + demo.BATCH["pages trashed"] + sum(
        1 for t in sites[0].tasks.values() if t.completed_at and t.completed_at >= at and t.container_type == "page")
    later = ConfluenceDouble(SMALL).site
    demo.apply_batch(later, 2, datetime(2026, 7, 2, tzinfo=UTC))
    assert demo.fingerprint(later) != demo.fingerprint(sites[0])  # the times are part of the state


# -- failures ------------------------------------------------------------------------------------
def test_a_failed_sync_names_the_stream_the_request_and_what_to_do(tmp_path):
    with ConfluenceDouble(SMALL) as double:
        double.faults.add(status=400, count=None, path_prefix="/wiki/api/v2/footer-comments")
        with pytest.raises(SyncFailure) as caught:
            run_sync(double.config(), tmp_path / "c.duckdb", streams=["comments"], out=io.StringIO())
    failure = caught.value
    assert failure.stream == "comments"
    assert failure.request == "HTTP 400 for /wiki/api/v2/footer-comments"
    assert failure.failure_type == "system_error"
    assert failure.log_file and Path(failure.log_file).exists()
    text = failure.describe().splitlines()
    assert text[0] == "The sync failed in stream 'comments'."
    assert text[1] == "  What happened: Confluence rejected a request of stream 'comments' (HTTP 400: Bad Request)."
    assert text[2] == "  Request:       HTTP 400 for /wiki/api/v2/footer-comments"
    assert text[3].startswith("  What to do:    Run again")


def test_a_space_the_account_cannot_read_is_a_warning_not_a_failure(tmp_path):
    with ConfluenceDouble(SMALL) as double:
        double.faults.add(status=403, count=None, path_prefix="/wiki/api/v2/pages")
        result = run_sync(double.config(), tmp_path / "c.duckdb", streams=["pages"], out=io.StringIO())
        keys = sorted(s.key for s in double.site.spaces.values())
    assert result.records == {"pages": 0}
    assert len(result.warnings) == len(keys)
    for key, warning in zip(keys, sorted(result.warnings), strict=True):
        assert warning.startswith(f"Stream 'pages': skipped space {key} ") and "HTTP 403" in warning


def test_unknown_stream_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(SyncFailure) as caught:
        run_sync({"site_url": "https://example.atlassian.net"}, tmp_path / "x.duckdb", streams=["pages", "wikis"])
    assert caught.value.message == "Unknown stream(s): wikis."
    assert all(s in caught.value.advice for s in STREAMS)
    assert not (tmp_path / "x.duckdb").exists()


def test_dbt_build_failure_names_the_failing_nodes(tmp_path):
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()  # no raw tables: the staging models cannot build
    result = run_dbt_build(db, tmp_path / "dbt", out=io.StringIO())
    assert not result.ok
    # The source tests on the raw tables fail first, saying why; everything downstream is skipped.
    assert any(f.startswith("test.confluence.source_not_null_confluence_") and "does not exist" in f
               for f in result.failures)
    assert len(result.failures) == result.statuses["error"] and result.statuses["skipped"] > 0
    assert result.log_file is not None and result.log_file.exists()


def test_cli_run_explains_a_missing_config(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["run", "--config", str(tmp_path / "missing.json"), "--duckdb", str(tmp_path / "c.duckdb")])
    assert "not found" in str(caught.value) and "sample_config.json" in str(caught.value)


def test_cli_run_reports_a_sync_failure_with_exit_code_1(tmp_path, capsys):
    config = tmp_path / "config.json"
    with ConfluenceDouble(SMALL) as double:
        double.faults.add(status=401, count=None, path_prefix="/wiki/api/v2/spaces")
        config.write_text(json.dumps(double.config()))
        code = cli.main(["run", "--config", str(config), "--duckdb", str(tmp_path / "c.duckdb"),
                         "--report", str(tmp_path / "r.html"), "--work-dir", str(tmp_path / "w"), "--streams", "spaces"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "The sync failed" in printed and "credentials.api_token" in printed
    assert not (tmp_path / "r.html").exists()



def test_progress_counts_records_and_prints_streams_as_they_finish():
    from airbyte_cdk.models import (
        AirbyteErrorTraceMessage,
        AirbyteLogMessage,
        AirbyteMessage,
        AirbyteRecordMessage,
        AirbyteStreamStatus,
        AirbyteStreamStatusTraceMessage,
        AirbyteTraceMessage,
        FailureType,
        Level,
        StreamDescriptor,
        TraceType,
        Type,
    )

    from pipeline.progress import SyncProgress, diagnose

    def record(stream: str) -> AirbyteMessage:
        return AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(stream=stream, data={"id": "1"}, emitted_at=1))

    def status(stream: str, value: AirbyteStreamStatus) -> AirbyteMessage:
        return AirbyteMessage(type=Type.TRACE, trace=AirbyteTraceMessage(
            type=TraceType.STREAM_STATUS, emitted_at=1,
            stream_status=AirbyteStreamStatusTraceMessage(stream_descriptor=StreamDescriptor(name=stream), status=value)))

    out = io.StringIO()
    progress = SyncProgress(out=out, live=True, interval=0.01)
    progress.start()
    for message in [record("pages"), record("pages"), record("comments"), status("pages", AirbyteStreamStatus.COMPLETE)]:
        progress.observe(message)
    progress.observe(AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(
        level=Level.WARN, message="Stream 'pages': skipped space HR (HTTP 403).\nTraceback ...")))
    progress.observe(AirbyteMessage(type=Type.TRACE, trace=AirbyteTraceMessage(
        type=TraceType.ERROR, emitted_at=1, error=AirbyteErrorTraceMessage(
            message="Confluence is rate limiting the connector (HTTP 429). Lower num_workers if this persists.",
            internal_message="HTTP 429 for /wiki/api/v2/pages: Too Many Requests",
            failure_type=FailureType.transient_error, stream_descriptor=StreamDescriptor(name="pages")))))
    time.sleep(0.05)
    progress.stop()
    assert dict(progress.counts) == {"pages": 2, "comments": 1}
    assert progress.warnings == ["Stream 'pages': skipped space HR (HTTP 403)."]
    text = out.getvalue()
    assert "\r\033[K" in text  # the live line is rewritten in place
    assert "  pages                   2 records  done at" in text
    assert text.endswith(" | comments 1\n") and "3 records" in text.splitlines()[-1]
    failure = diagnose(progress.errors, "fallback")
    assert (failure.stream, failure.request) == ("pages", "HTTP 429 for /wiki/api/v2/pages")
    assert "lower num_workers" in failure.advice
