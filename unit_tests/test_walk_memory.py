"""A walk read oldest first does not hold every version it took until its end (issue 16): what its
frontier can no longer claim is dropped page by page, and the frontier and its records stay the same."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import patch

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker
from hypothesis import given
from hypothesis import strategies as st

from source_confluence import SourceConfluence
from source_confluence.streams import taken as taken_module
from source_confluence.streams import walk, walk_ends
from source_confluence.streams.frontier import Frontier, Seen
from source_confluence.streams.taken import Taken
from source_confluence.sync.state import PartitionState
from unit_tests.adversary.machine import machine_settings
from unit_tests.builders import config, content_list_request, list_response, next_link, page, space, spaces_request
from unit_tests.test_adversary_cloud import CloudSyncs
from unit_tests.test_walk_ends import SITE_OF_EIGHT, T, c, emitted, footer_cursors, mock_pages, sync

DAYS = [f"2024-02-{n:02d}T00:00:00.000Z" for n in range(1, 11)]


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times the Seen handed to each `advance` holds (both walk modules call it)."""
    sizes: list[int] = []
    real = walk.advance

    def spy(frontier, seen, *args, **kwargs):  # type: ignore[no-untyped-def]
        sizes.append(len(seen.by_time))
        return real(frontier, seen, *args, **kwargs)

    monkeypatch.setattr(walk, "advance", spy)
    monkeypatch.setattr(walk_ends, "advance", spy)
    yield sizes


def test_a_first_walk_of_a_space_holds_about_one_page_of_versions(held: list[int]) -> None:
    pages = [[page(str(2 * n + 1), DAYS[2 * n]), page(str(2 * n + 2), DAYS[2 * n + 1])] for n in range(5)]
    with HttpMocker() as http:
        http.get(spaces_request(limit=2), list_response([space()]))
        for n, results in enumerate(pages):
            more = next_link("pages", "100", False, f"c{n + 1}", limit=2) if n + 1 < len(pages) else None
            http.get(content_list_request("pages", "100", False, f"c{n}" if n else None, limit=2),
                     list_response(results, more))
        catalog = CatalogBuilder().with_stream("pages", SyncMode.incremental).build()
        output = read(SourceConfluence(), config(page_size=2, num_workers=1), catalog)
    assert [r.record.data["id"] for r in output.records] == [str(n) for n in range(1, 11)]
    # Without forgetting: 2, 4, 6, 8, 10 (every version of the walk so far).
    assert held == [2, 3, 3, 3, 3]
    final = output.state_messages[-1].state.stream.stream_state.__dict__["states"][0]["cursor"]
    assert final["updated_at"] == DAYS[9]
    assert final["cursor_versions"] == {DAYS[9]: ["10#2"]}


def test_the_oldest_first_half_of_a_two_ended_walk_holds_about_one_page(held: list[int]) -> None:
    by_id = {raw["id"]: raw for raw in SITE_OF_EIGHT}
    saved = walk_ends.AHEAD
    walk_ends.AHEAD = walk_ends.InlineAhead
    try:
        with HttpMocker() as http:
            mock_pages(http, False, [[by_id[str(2 * n + 1)], by_id[str(2 * n + 2)]] for n in range(4)])
            mock_pages(http, True, [[by_id["8"], by_id["7"]], [by_id["6"], by_id["5"]]])
            output = sync(http)
    finally:
        walk_ends.AHEAD = saved
    assert sorted(emitted(output)) == [(str(n), 1) for n in range(1, 9)]
    # The footer walk's oldest-first half (the inline list is empty): without forgetting, 2, 4, 6.
    assert held[:3] == [2, 3, 3]
    assert footer_cursors(output)[-1]["updated_at"] == "2024-01-08T00:00:00.000Z"
    assert footer_cursors(output)[-1]["cursor_versions"] == {"2024-01-08T00:00:00.000Z": ["8#1"]}


TIMES = st.sampled_from([f"2024-03-01T00:00:{n:02d}.000Z" for n in range(12)])


@given(pages=st.lists(st.lists(st.tuples(TIMES, st.integers(1, 30)), max_size=4), min_size=1, max_size=8))
def test_a_frontier_advanced_from_a_forgetting_seen_is_the_same(pages: list[list[tuple[str, int]]]) -> None:
    """Page by page, oldest first (the candidate: each page's newest time, never lower than before):
    the same frontier, the same newest time, whether the Seen forgets or not."""
    whole, forgetting = Seen(), Seen()
    kept = dropped = Frontier(None)
    candidate: str | None = None
    for results in pages:
        for at, number in results:
            whole.add(at, f"{number}#1")
            forgetting.add(at, f"{number}#1")
        candidate = max([candidate or "", *(at for at, _ in results)]) or None
        kept = kept.advanced(whole.by_time, candidate, None)
        dropped = dropped.advanced(forgetting.by_time, candidate, None)
        forgetting.forget_before(dropped.floor)
        assert dropped == kept
        assert forgetting.high == whole.high
        assert all(at >= (dropped.floor or "") or at == forgetting.high for at in forgetting.by_time)
    assert Seen.highest(forgetting, Seen()) == whole.high


MINUTES = [f"2024-04-01T00:{n:02d}:30.000Z" for n in range(40)]


def taken_after(prior: PartitionState | None, cursor: str) -> set[str]:
    taken = Taken(prior)
    for n, at in enumerate(MINUTES):
        taken.seen.add(at, f"{n}#1")
    taken.checkpointed(PartitionState(updated_at=cursor))
    return set(taken.seen.by_time)


def test_a_walk_holds_only_the_versions_a_restart_could_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(taken_module, "FIRST_PASS", 1)
    # A restart starts from the checkpoint (its floor taken at the minute): older versions go.
    assert taken_after(None, MINUTES[30]) == set(MINUTES[30:])
    # A read that started from a page link may go back to where it started once.
    resumed = PartitionState(updated_at=MINUTES[10], resume={"order": "desc", "next": "/x"})
    assert taken_after(resumed, MINUTES[30]) == set(MINUTES[10:])
    # ... and from a page link without a cursor, to the start: everything stays.
    assert taken_after(PartitionState(resume={"order": "asc", "next": "/x"}), MINUTES[30]) == set(MINUTES)
    # A state without a resume link started from never comes back.
    assert taken_after(PartitionState(updated_at=MINUTES[10]), MINUTES[30]) == set(MINUTES[30:])


def test_a_two_ended_walk_forgets_the_ids_it_emitted_before_the_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(taken_module, "FIRST_PASS", 1)
    latest: list[set[str]] = []
    real = walk_ends.BothEnds._forget_latest

    def spy(self, floor):  # type: ignore[no-untyped-def]
        real(self, floor)
        latest.append(self._latest.ids())

    monkeypatch.setattr(walk_ends.BothEnds, "_forget_latest", spy)
    by_id = {raw["id"]: raw for raw in SITE_OF_EIGHT}
    monkeypatch.setattr(walk_ends, "AHEAD", walk_ends.InlineAhead)
    with HttpMocker() as http:
        mock_pages(http, False, [[by_id[str(2 * n + 1)], by_id[str(2 * n + 2)]] for n in range(4)])
        mock_pages(http, True, [[by_id["8"], by_id["7"]], [by_id["6"], by_id["5"]]])
        output = sync(http)
    assert sorted(emitted(output)) == [(str(n), 1) for n in range(1, 9)]
    # After each oldest-first page: what it and the newest-first half emitted at or after its floor.
    assert latest[:3] == [{"2"}, {"4"}, {"6", "7", "8"}]


def test_a_two_ended_walk_does_not_hold_the_newest_first_half_by_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The newest-first half's versions are held as flat pairs (streams/newest_taken.py), not grouped
    by time in the walk's `Taken` (a dict entry and a set each: ~30 MB of 100,000 comments at 1x)."""
    monkeypatch.setattr(taken_module, "FIRST_PASS", 1)
    held_by_time: list[int] = []
    real = Taken.checkpointed

    def spy(self, state):  # type: ignore[no-untyped-def]
        real(self, state)
        held_by_time.append(len(self.seen.by_time))

    monkeypatch.setattr(Taken, "checkpointed", spy)
    monkeypatch.setattr(walk_ends, "AHEAD", walk_ends.InlineAhead)
    site = [c(str(n), n) for n in range(1, 21)]
    with HttpMocker() as http:
        mock_pages(http, False, [site[2 * n:2 * n + 2] for n in range(10)])
        mock_pages(http, True, [[site[19 - 2 * n], site[18 - 2 * n]] for n in range(10)])
        output = sync(http)
    assert sorted(emitted(output), key=lambda e: int(e[0])) == [(str(n), 1) for n in range(1, 21)]
    # One page and the newest time (held by time as before: 1, 1, 3, 5, 9...).
    assert held_by_time and max(held_by_time) <= 3
    assert footer_cursors(output)[-1]["updated_at"] == T[20]
    assert footer_cursors(output)[-1]["cursor_versions"] == {T[20]: ["20#1"]}


class ForgettingCloudSyncs(CloudSyncs):
    """The Cloud adversary (ties, changes between requests, expiring links, kills) with walks that
    drop what they may from the first page on, not only past FIRST_PASS times."""

    def __init__(self) -> None:
        super().__init__()
        self._forget_always = patch.object(taken_module, "FIRST_PASS", 1)
        self._forget_always.start()

    def teardown(self) -> None:
        self._forget_always.stop()
        super().teardown()


ForgettingCloudSyncs.TestCase.settings = machine_settings(examples=60)
TestForgettingCloudSyncs = ForgettingCloudSyncs.TestCase
