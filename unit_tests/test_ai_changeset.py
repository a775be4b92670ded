"""The chunk change set (pipeline/ai/changeset.py): applying it to the previous store gives the current
one, on generated chunk sets (hypothesis), and each id lands in exactly one class."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ai.changeset import ADDED, CHANGED, REMOVED, apply, diff

ids = st.text(alphabet="abcdef0123456789:", min_size=1, max_size=6)
metadata = st.sampled_from(["m1", "m2", "m3"])
chunk_sets = st.dictionaries(ids, metadata, max_size=30)


@settings(max_examples=300, deadline=None)
@given(previous=chunk_sets, current=chunk_sets)
def test_applying_the_changes_to_the_previous_store_gives_the_current_one(previous: dict, current: dict) -> None:
    # A store's record is (id, metadata); the current run's records are what an upsert writes.
    store = {i: (i, m) for i, m in previous.items()}
    records = {i: (i, m) for i, m in current.items()}
    changes = diff(previous, current)
    assert apply(store, changes, records) == records
    classes = [set(changes.added), set(changes.changed), set(changes.removed)]
    assert sum(len(c) for c in classes) == len(set().union(*classes))  # disjoint
    assert set(changes.removed) == previous.keys() - current.keys()
    assert set(changes.changed) == {i for i in previous.keys() & current.keys() if previous[i] != current[i]}
    assert changes.counts() == {ADDED: len(changes.added), CHANGED: len(changes.changed), REMOVED: len(changes.removed)}


def test_each_kind_of_change() -> None:
    changes = diff({"a": "1", "b": "1", "c": "1"}, {"a": "1", "b": "2", "d": "1"})
    assert changes.rows() == [("b", CHANGED), ("c", REMOVED), ("d", ADDED)]
    assert diff({}, {}).rows() == []
