"""content_restrictions' changed content is kept on disk (sync/restriction_changed.py): each partition
reads back what the in-memory map gave it, in the same order, and the stream's partitions hold no
Python object per changed page or blog post while they wait for the workers."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from source_confluence.streams.restrictions import ChangedRestrictions, SpaceRestrictions, restriction_partitions
from source_confluence.sync.restriction_changed import ChangedWhere, Where
from unit_tests.test_restriction_partitions import captured_context, cursor_of

NOW = "2024-05-01T00:00:00.000Z"
SPACE_IDS = st.none() | st.sampled_from(["100", "200", "300", "é4"])
WHERES = st.builds(Where, st.sampled_from(["page", "blogpost"]), SPACE_IDS,
                   st.sampled_from(["2024-01-01T00:00:00.000Z", "2024-01-01T00:00:01.000Z", "2025-06-01T00:00:00Z"]))
CHANGED = st.dictionaries(st.text(min_size=1, max_size=6), WHERES, max_size=40)


@settings(max_examples=60, deadline=None)
@given(changed=CHANGED, space_id=st.sampled_from(["100", "200", "300", "é4"]),
       reconciled=st.sets(st.sampled_from(["100", "200", "300", "é4", "900"])))
def test_each_partition_reads_back_what_the_map_gave_it_in_the_same_order(changed: dict[str, Where], space_id: str,
                                                                          reconciled: set[str]) -> None:
    stored = ChangedWhere(changed.items())
    try:
        # As streams/restrictions.py filtered its map: a due space's own, and the others' (None included).
        assert list(stored.of_space(space_id).items()) == [
            (cid, where) for cid, where in changed.items() if where.space_id == space_id]
        assert list(stored.outside(reconciled).items()) == [
            (cid, where) for cid, where in changed.items() if where.space_id not in reconciled]
        assert list(stored.outside(set()).items()) == list(changed.items())  # asked twice: the same answer
    finally:
        stored.close()


def test_a_sync_that_changed_nothing_opens_no_scratch_file() -> None:
    stored = ChangedWhere([])
    assert stored.of_space("100") == {} and stored.outside(["100"]) == {}
    assert stored._spill.directory is None


def test_the_partitions_hold_no_python_object_per_changed_content(monkeypatch: pytest.MonkeyPatch) -> None:
    context = captured_context(monkeypatch)
    context.emitted.keeps_changed = True  # as when content_restrictions is selected
    for start in range(0, 20_000, 250):  # as the pages walks hand them over, a page of records at a time
        context.emitted.add("pages", [{"id": str(10_000_000 + n), "space_id": ("100", "200", "300")[n % 3],
                                       "updated_at": f"2024-01-01T00:{n // 1000 % 60:02d}:{n % 60:02d}.{n % 1000:03d}Z"}
                                      for n in range(start, start + 250)])
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        start = tracemalloc.get_traced_memory()[0]
        partitions = list(restriction_partitions(context, cursor_of({}), use_state=True))
        peak = tracemalloc.get_traced_memory()[1] - start
        gc.collect()
        held = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    assert [type(p) for p in partitions] == [ChangedRestrictions] + [SpaceRestrictions] * 3
    assert held < 500_000  # in a map of `Where`: about 6 MB (over 300 bytes a changed page)
    # Nor on the way: the changed content is read back a batch at a time (as one list: about 5 MB).
    assert peak < 1_500_000
    first = partitions[1]
    assert isinstance(first, SpaceRestrictions)
    assert len(first._changed.of_space("100")) == 6_667


def test_a_space_s_id_scan_keeps_its_ids_not_its_listed_items() -> None:
    """The listing is read whole (an expired page link reads it again): only the ids are kept while
    it is read, not every parsed item of the space at once."""
    def listing(kind: str, space_id: str) -> Iterator[dict[str, Any]]:
        for n in range(5_000):  # parsed as the client hands them: a fresh dict per item
            yield {"id": str(10_000_000 + n), "status": "current", "title": f"A page title number {n}",
                   "spaceId": space_id, "parentId": "9", "authorId": "557058:" + "a" * 24, "createdAt": NOW,
                   "version": {"number": 1, "createdAt": NOW, "message": "", "authorId": "557058:" + "a" * 24},
                   "_links": {"webui": f"/spaces/ENG/pages/{10_000_000 + n}/A+page", "editui": "/x", "tinyui": "/y"}}

    context = SimpleNamespace(now=NOW, client=SimpleNamespace(listing=listing),
                              selection=SimpleNamespace(allows_content=lambda *args: True))
    check = SimpleNamespace(context=context, kinds=lambda: [("pages", "page")])
    partition = SpaceRestrictions(check, "100", ChangedWhere([]), ["100"])  # type: ignore[arg-type]
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        listed = partition._listed()
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert len(listed) == 5_000 and set(listed.values()) == {Where("page", "100", NOW)}
    assert peak < 2_000_000  # with the listed items: over 6 MB
