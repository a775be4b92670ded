"""A two-ended walk's newest emitted version per id is kept on disk (streams/latest_emitted.py): it
answers as the dict the walk held did, and holds no Python object per id."""

from __future__ import annotations

import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from source_confluence.streams.frontier import Frontier
from source_confluence.streams.latest_emitted import LatestEmitted, Order
from source_confluence.streams.walk_ends import BothEnds

IDS = st.sampled_from(["1", "2", "10", "é7", "2#x"])
ORDERS = st.tuples(st.sampled_from(["2024-01-01T00:00:00.000Z", "2024-01-01T00:00:01.000Z", "2024-06-01T00:00:00.000Z",
                                    "2025-01-01T00:00:00.000Z"]),
                   st.sampled_from([-1, 1, 2, 2**70]))
PAGES = st.lists(st.one_of(st.lists(st.tuples(IDS, ORDERS), max_size=6).map(lambda page: ("page", page)),
                           ORDERS.map(lambda order: ("forget", order[0]))), max_size=12)


def dict_fresh(latest: dict[str, Order], page: list[tuple[str, Order]]) -> list[bool]:
    """What `BothEnds._fresh` did with its dict, item by item."""
    answers = []
    for key, order in page:
        before = latest.get(key)
        answers.append(not (before is not None and before >= order))
        if answers[-1]:
            latest[key] = order
    return answers


@settings(max_examples=150, deadline=None)
@given(steps=PAGES)
def test_it_answers_as_the_dict_did_page_by_page(steps: list[tuple[str, object]]) -> None:
    model: dict[str, Order] = {}
    stored = LatestEmitted()
    try:
        for kind, arg in steps:
            if kind == "page":
                page: list[tuple[str, Order]] = arg  # type: ignore[assignment]
                assert stored.fresh(page) == dict_fresh(model, page)
            else:
                floor: str = arg  # type: ignore[assignment]
                stored.forget_before(floor)
                model = {key: order for key, order in model.items() if order[0] >= floor}
            assert stored.ids() == set(model) and len(stored) == len(model)
    finally:
        stored.close()


def test_it_holds_no_python_object_per_id() -> None:
    stored = LatestEmitted()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for start in range(0, 20_000, 250):
            page = [(str(10_000_000 + n), (f"2024-01-01T00:{n // 1000 % 60:02d}:{n % 60:02d}.{n % 1000:03d}Z", 1))
                    for n in range(start, start + 250)]
            assert stored.fresh(page) == [True] * 250
        held = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    try:
        assert len(stored) == 20_000
        assert held < 300_000  # in a dict of tuples: about 3 MB (~150 bytes an id)
    finally:
        stored.close()


def test_a_two_ended_walk_holds_no_python_object_per_id_it_emitted() -> None:
    """The oldest-first half's pages as `BothEnds` takes them, before any floor lets it drop an id."""
    ends = BothEnds(None, None, None, None, None, iter([]))  # type: ignore[arg-type]  # _take uses none of them
    pages = [[{"id": str(10_000_000 + n), "version": {"number": 1, "createdAt": f"2024-01-01T00:{n // 1000 % 60:02d}:"
                                                                                f"{n % 60:02d}.{n % 1000:03d}Z"}}
              for n in range(start, start + 250)] for start in range(0, 20_000, 250)]
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for page in pages:
            taken, _ = ends._take(page, Frontier(None), False, lambda raw: False)
            assert len(taken) == 250
        del taken
        held = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    assert held < 300_000  # in a dict of tuples: about 3 MB
