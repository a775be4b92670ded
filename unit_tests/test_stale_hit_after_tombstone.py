"""Regression test: a stale search hit never follows its own tombstone with an older version.

Found by the Data Center adversary: a page moved to another space and archived there before the
index caught up. The old space's deletion check found it gone (archived counts as gone on Data
Center) and tombstoned it at the sync's start; then the new space's walk got the stale hit, loaded
from the database as archived, and emitted that version, older than the tombstone. A destination
that keeps the last record showed the page archived, one that keeps the greatest cursor showed it
deleted, until the new space's own check came round.
"""

from __future__ import annotations

from unit_tests.adversary.datacenter import DataCenterFake
from unit_tests.adversary.harness import Connector
from unit_tests.adversary.site import Site

SECOND_MS = 1_000
MINUTE_MS = 60 * SECOND_MS


def test_an_archived_stale_hit_read_after_its_tombstone_is_not_emitted():
    site = Site(spaces=2)  # spaces 100 and 101; partitions read 100 first
    site.tick(3 * 60 * MINUTE_MS)  # past the autumn hour
    page = site.create("page", rank=0, space_index=0)
    assert page is not None
    fake = DataCenterFake(site, max_lag_ms=10 * MINUTE_MS)
    fake.index_one(page.id)
    connector = Connector("datacenter", fake.answer, 25)
    site.tick(SECOND_MS)
    first = connector.sync(site.clock, lambda: None, lambda *_: None, streams=("pages",))
    assert [(d["id"], d["status"]) for kind, _, d in first.log if kind == "record"] == [(page.id, "current")]
    site.tick(SECOND_MS)
    site.move(page, 1, rank=0)
    fake.index_one(page.id)  # the index lists it in space 101, current
    site.tick(SECOND_MS)
    site.set_status(page, "archived", rank=0)
    fake.changed(page.id)  # not indexed yet: a stale hit, loaded from the database as archived
    site.tick(SECOND_MS)
    result = connector.sync(site.clock, lambda: None, lambda *_: None, streams=("pages",))
    rows = [(d["status"], d["updated_at"]) for kind, _, d in result.log if kind == "record" and d["id"] == page.id]
    assert rows == [("deleted", result.started_at)]


def test_a_task_of_a_stale_hit_read_after_its_tombstone_is_not_emitted():
    # The same for `tasks`: the old space's check finds the archived page gone and tombstones its
    # task; the new space's walk reads the stale hit's body (an older version) with the task in it.
    site = Site(spaces=2)
    site.tick(3 * 60 * MINUTE_MS)
    page = site.create("page", rank=0, space_index=0, tasks=1)
    assert page is not None
    fake = DataCenterFake(site, max_lag_ms=10 * MINUTE_MS)
    fake.index_one(page.id)
    connector = Connector("datacenter", fake.answer, 25)
    site.tick(SECOND_MS)
    task_id = f"{page.id}-1"
    first = connector.sync(site.clock, lambda: None, lambda *_: None, streams=("tasks",))
    assert [(d["id"], d["status"]) for kind, _, d in first.log if kind == "record"] == [(task_id, "incomplete")]
    site.tick(SECOND_MS)
    site.move(page, 1, rank=0)
    fake.index_one(page.id)
    site.tick(SECOND_MS)
    site.set_status(page, "archived", rank=0)
    fake.changed(page.id)
    site.tick(SECOND_MS)
    result = connector.sync(site.clock, lambda: None, lambda *_: None, streams=("tasks",))
    rows = [(d["status"], d["updated_at"]) for kind, _, d in result.log if kind == "record" and d["id"] == task_id]
    assert rows == [("deleted", result.started_at)]
