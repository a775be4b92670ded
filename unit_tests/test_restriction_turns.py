"""The spaces `content_restrictions` reconciles in a sync (sync/restriction_turns.py), over random
sync times: every space within interval + gap, and no sync more than its share of the spaces + 1."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from source_confluence.sync.restriction_turns import decode_turns, due_spaces
from source_confluence.timestamps import format_timestamp

INTERVAL = 24.0
START = datetime(2026, 3, 1, tzinfo=UTC)
space_ids = st.lists(st.integers(1, 10**9).map(str), min_size=1, max_size=120, unique=True)


def simulate(ids: list[str], offset_s: int, gaps_h: list[float]) -> list[tuple[datetime, list[str], dict[str, str]]]:
    """Each sync's time, the spaces it reconciled, and the turns before it."""
    turns: dict[str, str] = {}
    at = START + timedelta(seconds=offset_s)
    out = []
    for gap in [0.0, *gaps_h]:
        at += timedelta(hours=gap)
        now = format_timestamp(at)
        due = due_spaces(ids, turns, INTERVAL, now)
        out.append((at, due, dict(turns)))
        turns.update({space_id: now for space_id in due})
    return out


@settings(max_examples=60, deadline=None)
@given(ids=space_ids, offset_s=st.integers(0, 86_400 * 7),
       gaps_h=st.lists(st.integers(60, 4 * 3600).map(lambda s: s / 3600), min_size=1, max_size=80))
def test_every_space_is_reconciled_within_interval_plus_gap_and_no_sync_takes_more_than_its_share(ids, offset_s, gaps_h):
    syncs = simulate(ids, offset_s, gaps_h)
    assert sorted(syncs[0][1]) == sorted(ids)  # never reconciled: every space at once
    last = {space_id: syncs[0][0] for space_id in ids}
    for (before, _, _), (at, due, _) in zip(syncs, syncs[1:], strict=False):
        gap = (at - before).total_seconds() / 3600
        assert len(due) <= len(ids) * gap / INTERVAL + 1
        for space_id in due:
            last[space_id] = at
        for space_id in ids:  # after this sync, none is older than one interval (its latest turn is later)
            assert at - last[space_id] <= timedelta(hours=INTERVAL), space_id
    worst = max(gaps_h)
    for space_id in ids:
        checks = [at for at, due, _ in syncs if space_id in due]
        assert all(b - a <= timedelta(hours=INTERVAL + worst) for a, b in zip(checks, checks[1:], strict=False))


@settings(max_examples=30, deadline=None)
@given(ids=st.lists(st.integers(1, 10**9).map(str), min_size=24, max_size=400, unique=True),
       offset_s=st.integers(0, 86_400))
def test_hourly_syncs_over_many_spaces_reconcile_each_once_a_day_at_most_share_plus_one_each(ids, offset_s):
    syncs = simulate(ids, offset_s, [1.0] * 72)
    share = len(ids) / INTERVAL
    counts = [len(due) for _, due, _ in syncs[1:]]
    assert max(counts) <= math.floor(share) + 1
    assert sum(counts[:24]) == len(ids)  # each space exactly once in the first day after the full pass
    assert sum(counts[24:48]) == len(ids)


def test_a_state_without_turns_takes_every_space_as_reconciled_at_the_old_whole_site_pass():
    assert decode_turns({}, "2026-03-01T00:00:00.000Z", ["1", "2"]) == {
        "1": "2026-03-01T00:00:00.000Z", "2": "2026-03-01T00:00:00.000Z"}
    assert decode_turns({}, None, ["1", "2"]) == {}
    assert decode_turns({"reconciled_spaces": {"1": 5}}, "2026-03-01T00:00:00.000Z", ["1"]) == {}  # unreadable: all due
    now = format_timestamp(START)
    assert due_spaces(["1", "2"], {"1": now, "2": now}, 0, now) == ["1", "2"]  # interval 0: every sync
