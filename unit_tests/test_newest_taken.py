"""The newest-first half of a two-ended walk holds the versions it took as flat pairs (issue 16):
the frontier it advances is the one a `Seen` gave, and only the versions the new floor keeps are
grouped by time."""

from __future__ import annotations

import tracemalloc

import pytest
from airbyte_cdk.test.mock_http import HttpMocker
from hypothesis import given
from hypothesis import strategies as st

from source_confluence.streams import walk_ends
from source_confluence.streams.frontier import Frontier, Seen
from source_confluence.streams.newest_taken import NewestTaken
from unit_tests.test_walk_ends import SITE_OF_EIGHT, emitted, mock_pages, sync

TIMES = [f"2024-03-01T00:{m:02d}:{s:02d}.000Z" for m in range(3) for s in (0, 30)]
TIME = st.sampled_from(TIMES)
PAGES = st.lists(st.lists(st.tuples(TIME, st.integers(1, 9)), max_size=4), max_size=6)
FRONTIERS = st.builds(Frontier, st.none() | TIME, st.dictionaries(TIME, st.sets(st.sampled_from(["1#1", "2#1"]))),
                      st.booleans(), st.booleans())


@given(pages=PAGES, frontier=FRONTIERS, candidate=st.none() | TIME, cap=st.none() | TIME)
def test_a_frontier_advanced_from_the_pairs_is_the_one_a_seen_gave(pages, frontier, candidate, cap) -> None:
    seen, pairs = Seen(), NewestTaken()
    for results in pages:
        page = Seen()
        for at, number in results:
            page.add(at, f"{number}#1")
        seen.merge(page)
        pairs.merge(page)
    assert pairs.advance(frontier, candidate, cap) == frontier.advanced(seen.by_time, candidate, cap)
    assert pairs.high == seen.high


def test_at_the_meeting_only_the_versions_at_or_after_the_new_floor_are_grouped(monkeypatch: pytest.MonkeyPatch):
    handed: list[tuple[dict[str, set[str]], str | None]] = []
    real = Frontier.advanced

    def spy(self, seen, candidate, cap):  # type: ignore[no-untyped-def]
        handed.append((dict(seen), candidate))
        return real(self, seen, candidate, cap)

    monkeypatch.setattr(Frontier, "advanced", spy)
    monkeypatch.setattr(walk_ends, "AHEAD", walk_ends.InlineAhead)
    by_id = {raw["id"]: raw for raw in SITE_OF_EIGHT}
    with HttpMocker() as http:
        mock_pages(http, False, [[by_id[str(2 * n + 1)], by_id[str(2 * n + 2)]] for n in range(4)])
        mock_pages(http, True, [[by_id["8"], by_id["7"]], [by_id["6"], by_id["5"]]])
        output = sync(http)
    assert sorted(emitted(output)) == [(str(n), 1) for n in range(1, 9)]
    top = "2024-01-08T00:00:00.000Z"
    # The halves met with the newest-first half's top as the cursor: 7 (older than it) is not grouped.
    assert [seen for seen, candidate in handed if candidate == top and seen] == [{top: {"8#1"}}]


def test_the_pairs_hold_no_python_object_per_version() -> None:
    """As the walk hands them over: a page's `Seen`, dropped once merged."""
    def at(n: int) -> str:
        return f"2024-01-01T{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000Z"

    pairs = NewestTaken()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for start in range(0, 20_000, 250):
            page = Seen()
            for n in range(start, start + 250):
                page.add(at(n), f"{10_000_000 + n}#1")
            pairs.merge(page)
        del page
        held = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    assert held < 300_000  # as pairs in two lists, with their strings: about 2.8 MB
    assert pairs.high == at(19_999)
    advanced = pairs.advance(Frontier(None), at(19_940), None)
    assert advanced.versions == {at(n): {f"{10_000_000 + n}#1"} for n in range(19_940, 20_000)}  # only those grouped
