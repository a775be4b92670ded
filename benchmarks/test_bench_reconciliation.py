"""Checks that the reconciliation benchmark measures what it says, on a tiny site (values, never times)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench_reconciliation

SCALE = 0.002


def test_a_round_of_every_reconciliation_costs_the_site_and_a_quiet_sync_none_of_it(tmp_path: Path):
    result = bench_reconciliation.bench_reconciliation(SCALE, tmp_path)
    runs, site = result["runs"], result["site"]
    assert all(run["exit_code"] == 0 for run in runs.values())
    every = runs["reconcile_everything"]["cost"]["streams"]
    quiet = runs["no_change"]["cost"]["streams"]
    # Every key due: the access rounds, the restriction reconciliation and the label rounds read.
    for stream in ("group_members", "space_permissions", "content_restrictions", "content_labels"):
        assert every[stream]["points"] > 0 and stream not in quiet, stream
    # The deletion check lists every page id (1 point each) on top of the walk's probe.
    assert every["pages"]["objects"] >= quiet["pages"]["objects"] + site["pages"] * 0.9
    assert runs["reconcile_everything"]["cost"]["total"]["points"] > 3 * runs["no_change"]["cost"]["total"]["points"]
    table = bench_reconciliation.report(tmp_path)
    assert "| group_members | " in table and "| total | " in table
