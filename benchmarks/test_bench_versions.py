"""Checks that the content_versions benchmark measures what it says, on a tiny site (values, never times).

Run with ``.venv/bin/pytest benchmarks`` (not part of `make test`).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench_versions

SCALE = 0.002


def test_split_requests_tells_version_lists_from_walks():
    endpoints = {"GET /wiki/api/v2/pages/{id}/versions ?limit,sort=-modified-date": 7,
                 "GET /wiki/api/v2/footer-comments/{id}/versions ?limit,sort=-modified-date": 2,
                 "GET /wiki/api/v2/pages ?limit,sort=-modified-date,space-id,status": 3,
                 "GET /wiki/api/v2/inline-comments ?limit,sort=-modified-date": 1,
                 "GET /wiki/api/v2/spaces ?description-format,limit": 1}
    assert bench_versions.split_requests(endpoints) == {"version_lists": 9, "walks": 4, "other": 1}


def test_versions_bench_reads_every_history_then_only_what_changed(tmp_path: Path):
    result = bench_versions.bench_versions(SCALE, tmp_path, change_fraction=0.05)
    runs, site, changes = result["runs"], result["site_before"], result["changes"]
    assert all(run["exit_code"] == 0 for run in runs.values())
    full = runs["versions_all"]
    # One version list per object read (archived pages wait for include_archived), one record per version.
    objects = site["pages"] + site["blog_posts"] + site["comments"] + site["attachments"]
    assert 0.9 * objects <= full["version_lists"] <= objects <= full["records"]
    assert full["walks"] >= 2 * site["spaces"] + 3
    none = runs["versions_no_change"]
    assert none["version_lists"] == 0 and none["records"] == 0 and none["walks"] == 2 * site["spaces"] + 3
    changed = runs["versions_changed"]
    touched = sum(n for kind, n in changes.items() if kind not in ("total", "labels_assigned"))
    # One version list per changed object (an object changed twice is read once: two new versions).
    assert 0.9 * touched <= changed["version_lists"] <= touched <= changed["records"] <= 2 * touched
    assert "versions_all" in bench_versions.report(tmp_path)
