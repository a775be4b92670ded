"""content_restrictions reconciles each space in a partition of its own, over real HTTP on both
flavours of the double: a first sync of a six-space site emits exactly the rows that the single-
partition reconciliation (release before issue 16's per-space partitions) emitted on the same seed
(integration_tests/restrictions_per_space_before.json), reads each content's restrictions once, and
saves every space's turn."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from confluence_double import ConfluenceDouble, SiteSpec
from confluence_double.datacenter import DataCenterDouble
from integration_tests.conftest import final_state, sync

STREAMS = ("pages", "blog_posts", "content_restrictions")
SPEC = SiteSpec(spaces=6, pages=150, blog_posts=30, footer_comments=6, inline_comments=3, tasks=3, attachments=3,
                labels=3, users=8, seed=41, body_bytes=200, folders=0, restricted=24)
BEFORE = Path(__file__).with_name("restrictions_per_space_before.json")
SEARCH = "/rest/api/content/search"


@pytest.fixture
def cloud() -> Iterator[ConfluenceDouble]:
    with ConfluenceDouble(SPEC) as server:
        yield server


@pytest.fixture
def datacenter() -> Iterator[DataCenterDouble]:
    with DataCenterDouble(SPEC) as server:
        yield server


def comparable(output: Any) -> list[list[Any]]:
    """The restriction rows, sorted, without `updated_at` (the sync's start, which differs per run)."""
    rows = [m.record.data for m in output.records if m.record.stream == "content_restrictions"]
    return sorted([r["id"], r["content_id"], r["content_type"], r["space_id"], r["operation"], r["principal_type"],
                   r["principal_id"], r.get("principal_name"), r.get("deleted_at")] for r in rows)


def searched_ids(double: ConfluenceDouble) -> Counter[str]:
    """How often each content id was in a restriction search (`id in (...)`)."""
    ids: Counter[str] = Counter()
    for request in double.requests:
        if request.path.endswith(SEARCH):
            for cql in request.query.get("cql", []):
                if cql.startswith("id in ("):
                    ids.update(cql.removeprefix("id in (").removesuffix(")").split(","))
    return ids


@pytest.mark.parametrize("flavour", ["cloud", "datacenter"])
def test_a_first_sync_in_space_partitions_emits_what_the_single_partition_did(flavour, request):
    double = request.getfixturevalue(flavour)
    output = sync(double, STREAMS, num_workers=4)
    assert not output.errors
    rows = comparable(output)
    assert rows == json.loads(BEFORE.read_text())[flavour]
    assert len({row[3] for row in rows}) >= 3  # restricted content in several spaces
    counts = searched_ids(double)
    assert counts and max(counts.values()) == 1  # each content's restrictions read once
    state = next(s for s in final_state(output) if s.stream.stream_descriptor.name == "content_restrictions")
    cursor = state.stream.stream_state.__dict__["states"][0]["cursor"]
    assert sorted(cursor["container_cursors"]["reconciled_spaces"]) == sorted(double.site.spaces)
