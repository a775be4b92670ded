"""Regression test: a tombstone never goes back behind a version emitted in the same sync.

A page moves to another space and is edited there while a sync runs; that space's partition emits
the edit (a time after the sync's start), then the page is purged, and the old space's deletion
check reports it. Its tombstone was stamped at the sync's start, earlier than the edit it replaces,
so a destination keeping the greatest cursor kept the edit (found by the Cloud adversary).
"""

from __future__ import annotations

from typing import Any

from unit_tests.adversary.cloud import CloudFake
from unit_tests.adversary.harness import Connector
from unit_tests.adversary.site import Site

SECOND_MS = 1_000


def test_a_page_moved_edited_and_purged_during_a_sync_ends_with_a_later_tombstone():
    site = Site(spaces=2)  # spaces 100 and 101; partitions read 100 first
    page = site.create("page", rank=0, space_index=1)
    assert page is not None
    fake = CloudFake(site)
    phase = {"armed": False, "moved": False, "purged": False}

    def answer(method: str, path: str, query: list[tuple[str, str]], body: Any) -> Any:
        params = dict(query)
        if not phase["armed"]:
            return fake.answer(method, path, query, body)
        if path.endswith("/pages") and params.get("space-id") == "100" and not phase["moved"]:
            # Space 100 is about to be read: the page moves there and is edited (30 s into the sync).
            site.tick(30 * SECOND_MS)
            site.move(page, 0, rank=0)
            site.edit(page, rank=0)
            phase["moved"] = True
        if path.endswith("/pages") and params.get("space-id") == "101" and phase["moved"] and not phase["purged"]:
            site.purge(page)  # after space 100 emitted the edit, before space 101's deletion check
            phase["purged"] = True
        return fake.answer(method, path, query, body)

    connector = Connector("cloud", answer, 25)
    site.tick(SECOND_MS)
    connector.sync(site.clock, lambda: None, lambda *_: None, streams=("pages",))
    site.tick(SECOND_MS)
    phase["armed"] = True
    result = connector.sync(site.clock, lambda: None, lambda *_: None, streams=("pages",))
    rows = [d for kind, _, d in result.log if kind == "record" and d["id"] == page.id]
    assert [r["status"] for r in rows] == ["current", "deleted"]
    edit, tombstone = rows
    assert edit["updated_at"] > result.started_at  # made during the sync
    assert tombstone["updated_at"] >= edit["updated_at"]
