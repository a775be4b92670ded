"""Checks that the side-by-side harness runs both contenders on the same tiny site (values, never
times). Fetches the pinned official wheel from PyPI on first use (`pip download --require-hashes`)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from benchmarks import bench_side_by_side, bench_sync, official_manifest

SCALE = 0.002  # 20 spaces, 200 pages (6 of them archived), 20 blog posts


@pytest.fixture(scope="module")
def published() -> dict:
    return official_manifest.published_manifest(official_manifest.fetch_wheel())


def test_the_adaptation_changes_paths_and_pagination_only(published: dict) -> None:
    adapted = official_manifest.adapt(published)
    streams = adapted["definitions"]["streams"]
    assert published["definitions"]["streams"]["pages"]["retriever"]["requester"]["path"] == "content?type=page"
    assert {name: streams[name]["retriever"]["requester"]["path"] for name in official_manifest.V2_PATHS} == {
        "pages": "pages", "blog_posts": "blogposts", "space": "spaces"}
    assert streams["pages"]["retriever"]["requester"]["request_parameters"] == {"body-format": "storage"}
    assert streams["pages"]["retriever"]["paginator"]["pagination_strategy"]["page_size"] == 250
    assert streams["pages"]["retriever"]["record_selector"] == published["definitions"]["streams"]["pages"][
        "retriever"]["record_selector"]
    assert adapted["definitions"]["base_requester"]["url_base"] == "{{ config['site_url'] }}/wiki/api/v2/"


def test_both_contenders_read_the_same_site(tmp_path: Path) -> None:
    # A variant is this connector's code from another directory (here the same code: the same records).
    args = argparse.Namespace(seed=7, workers=None, rounds=2, baseline=None, out=str(tmp_path / "out"),
                              variants=[f"same code={bench_sync.ROOT}"])
    result = bench_side_by_side.side_by_side(SCALE, 0, args, tmp_path)
    runs = result["runs"]
    assert list(runs) == ["connector", "official manifest", "same code"]
    assert [run["exit_code"] for runs_of in runs.values() for run in runs_of] == [0] * 6
    assert runs["same code"][1]["records"] == runs["connector"][1]["records"]
    official = runs["official manifest"][0]
    assert official["records"] == {"blog_posts": 20, "pages": 200, "space": 20}  # archived pages included
    assert official["requests"]["total"] == 3  # one request of 250 per list
    assert runs["connector"][0]["records"] == {"blog_posts": 20, "pages": 194, "spaces": 20}
    medians = result["medians"]
    assert medians["official manifest"]["total_records"] == 240
    assert "| 0.002x | 0 ms | connector | 2 |" in bench_side_by_side.report(tmp_path / "out")
