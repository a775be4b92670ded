"""Rolling reconciliation (sync/rolling.py): every key checked once per interval whatever the sync
cadence, the checks spread over the syncs, and the deletion check adopting it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from source_confluence.sync.rolling import due_now, is_due, key_phase, latest_turn

START = datetime(2026, 3, 2, 9, 17, tzinfo=UTC)


def simulate(keys: list[str], interval: timedelta, gaps: list[timedelta]) -> tuple[dict[str, list[datetime]], list[int]]:
    last: dict[str, datetime | None] = dict.fromkeys(keys)
    checks: dict[str, list[datetime]] = {key: [] for key in keys}
    per_sync: list[int] = []
    now = START
    for gap in [timedelta(0), *gaps]:
        now += gap
        due = due_now(last, interval, now)
        per_sync.append(len(due))
        for key in due:
            last[key] = now
            checks[key].append(now)
    return checks, per_sync


@settings(max_examples=150, deadline=None)
@given(keys=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=25, unique=True),
       interval_hours=st.integers(1, 48),
       gaps_minutes=st.lists(st.integers(1, 600), min_size=1, max_size=200))
def test_every_key_is_checked_within_the_interval_plus_one_sync_gap(keys, interval_hours, gaps_minutes):
    interval = timedelta(hours=interval_hours)
    gaps = [timedelta(minutes=m) for m in gaps_minutes]
    checks, _ = simulate(keys, interval, gaps)
    longest_gap = max(gaps)
    end = START + sum(gaps, timedelta(0))
    for key in keys:
        times = checks[key]
        assert times[0] == START  # never checked: due at once
        for before, after in zip(times, times[1:], strict=False):
            assert after - before <= interval + longest_gap
        assert end - times[-1] <= interval + longest_gap  # and not overdue at the end either


@settings(max_examples=50, deadline=None)
@given(count=st.integers(10, 60), cadence_minutes=st.sampled_from([5, 30, 60, 180]))
def test_checks_spread_over_the_syncs_instead_of_falling_in_one(count, cadence_minutes):
    keys = [f"space-{n}" for n in range(count)]
    interval = timedelta(hours=24)
    syncs = 4 * 24 * 60 // cadence_minutes  # four days
    checks, per_sync = simulate(keys, interval, [timedelta(minutes=cadence_minutes)] * syncs)
    assert per_sync[0] == count  # the first sync checks everything once
    later = per_sync[1:]
    # Four days: each key about four more times (its turn once a day), never all in one sync.
    assert 3 * count <= sum(later) <= 5 * count
    assert max(later) < count
    assert all(3 <= len(times) - 1 <= 5 for times in checks.values())


def test_a_round_that_all_keys_finished_together_spreads_out_at_once():
    keys = [f"k{n}" for n in range(200)]
    interval = timedelta(hours=24)
    last = dict.fromkeys(keys, START)  # the former daily check: every partition at the same time
    six_hours = due_now(last, interval, START + timedelta(hours=6))
    assert 25 <= len(six_hours) <= 75  # about a quarter of the keys had their turn since
    assert due_now(last, interval, START + timedelta(hours=24, seconds=1)) == set(keys)


def test_turns_are_stable_and_interval_zero_checks_every_sync():
    assert key_phase({"stream": "pages", "space_id": "42"}) == key_phase({"space_id": "42", "stream": "pages"})
    assert 0 <= key_phase("x") < 1
    turn = latest_turn("x", timedelta(hours=24), START)
    assert START - timedelta(hours=24) < turn <= START
    assert latest_turn("x", timedelta(hours=24), START + timedelta(hours=24)) == turn + timedelta(hours=24)
    assert is_due("x", START, timedelta(0), START)
    assert is_due("x", None, timedelta(hours=1), START)
    assert not is_due("x", turn, timedelta(hours=24), START)
