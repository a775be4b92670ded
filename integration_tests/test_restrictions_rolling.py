"""content_restrictions over the Cloud double, syncing hourly through a simulated day: each space is
reconciled once in the interval at its own turn (no sync lists more than its share of the spaces + 1),
and a restriction lifted on an unchanged page is tombstoned in its space's turn, within the interval.
The sync's clock (`ReadContext.now`) is moved forward; the double serves the same site throughout."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import source_confluence.source as source_module
from confluence_double import ConfluenceDouble, SiteSpec
from integration_tests.access_truth import principal_id
from integration_tests.conftest import final_state, records_by_stream, sync

STREAMS = ("pages", "blog_posts", "content_restrictions")
SPACES = 4
SPEC = SiteSpec(spaces=SPACES, pages=80, blog_posts=12, footer_comments=4, inline_comments=2, tasks=2, attachments=2,
                labels=2, users=6, seed=29, body_bytes=200, folders=0, restricted=16)


@pytest.fixture
def cloud() -> Iterator[ConfluenceDouble]:
    with ConfluenceDouble(SPEC) as server:
        yield server


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Syncs from now on start at `moment` (the source reads its clock once, at the start of a read)."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206 - datetime's own signature
            return moment if tz is not None else moment.replace(tzinfo=None)

    monkeypatch.setattr(source_module, "datetime", Clock)


def id_scans(double: ConfluenceDouble) -> list[str]:
    """The spaces whose content had its restrictions read (`id in (...)` searches): nothing changes
    between the syncs, so only a reconciliation reads them. (The id listings cannot tell: the
    deletion check makes the same requests on its own turns.)"""
    site, spaces = double.site, set()
    for r in double.requests:
        for cql in r.query.get("cql", []) if r.path.endswith("/content/search") else []:
            if cql.startswith("id in ("):
                for content_id in cql[len("id in ("):-1].split(","):
                    content = site.pages.get(content_id) or site.blog_posts.get(content_id)
                    spaces.add(content.space_id)
    return sorted(spaces)


def test_hourly_syncs_reconcile_each_space_once_a_day_and_a_lifted_restriction_leaves_in_its_turn(cloud, monkeypatch):
    site = cloud.site
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    at(monkeypatch, start)
    first = sync(cloud, STREAMS)
    assert not first.errors
    assert id_scans(cloud) == sorted(site.spaces)  # no state: every space at once

    lifted_from = sorted(site.restrictions, key=int)[0]
    operation, principals = next(iter(site.restrictions[lifted_from].items()))
    lifted = principals[0]
    site.lift(lifted_from, operation, lifted)  # no new version: only a reconciliation sees it
    row_id = f"{lifted_from}:{operation}:{lifted.kind}:{principal_id(lifted, True)}"
    lifted_space = (site.pages.get(lifted_from) or site.blog_posts[lifted_from]).space_id

    state, scans, tombstoned_in = final_state(first), [], []
    for hour in range(1, 25):
        cloud.reset_requests()
        at(monkeypatch, start + timedelta(hours=hour))
        output = sync(cloud, STREAMS, state=state)
        assert not output.errors
        state = final_state(output)
        scans.append(id_scans(cloud))
        rows = records_by_stream(output).get("content_restrictions", {})
        assert set(rows) <= {row_id}  # nothing else changed: nothing else is emitted
        if row_id in rows:
            assert rows[row_id]["deleted_at"]
            tombstoned_in.append(hour)

    assert sorted(s for hour in scans for s in hour) == sorted(site.spaces)  # each space once in the day
    assert max(len(hour) for hour in scans) <= math.floor(SPACES / 24) + 1
    assert len(tombstoned_in) == 1 and lifted_space in scans[tombstoned_in[0] - 1]


def test_interval_zero_reconciles_every_space_in_the_next_sync(cloud, monkeypatch):
    site = cloud.site
    at(monkeypatch, datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1))
    first = sync(cloud, STREAMS)
    lifted_from = sorted(site.restrictions, key=int)[-1]
    operation, principals = next(iter(site.restrictions[lifted_from].items()))
    lifted = principals[0]
    site.lift(lifted_from, operation, lifted)
    cloud.reset_requests()
    second = sync(cloud, STREAMS, state=final_state(first), restriction_reconciliation_interval_hours=0)
    assert not second.errors
    assert id_scans(cloud) == sorted(site.spaces)
    rows = records_by_stream(second)["content_restrictions"]
    assert [(key, bool(row["deleted_at"])) for key, row in rows.items()] == [
        (f"{lifted_from}:{operation}:{lifted.kind}:{principal_id(lifted, True)}", True)]
