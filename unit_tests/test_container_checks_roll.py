"""The check for containers gone (tasks, decisions) takes turns per space over the deletion check's
interval: every space's ledger starts in the same first sync, and a fixed interval from there listed
every space's containers in one sync a day later."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from source_confluence.streams.container_items import GoneContainers
from source_confluence.sync.ledger import ItemLedger
from source_confluence.timestamps import format_timestamp, parse_timestamp

FIRST_SYNC = "2026-11-02T08:00:00.000Z"
SPACES = [str(number) for number in range(240)]


def ledger() -> ItemLedger:
    held = ItemLedger()
    held.replace("100", {"task-1": "2026-11-01T00:00:00.000Z"})
    return held


def due_spaces(hours_later: float, interval_hours: int = 24) -> set[str]:
    now = format_timestamp(parse_timestamp(FIRST_SYNC) + timedelta(hours=hours_later))
    context = SimpleNamespace(now=now, config=SimpleNamespace(deletion_check_interval_hours=interval_hours))
    held = ledger()
    return {space for space in SPACES
            if GoneContainers(context, "tasks", "page", space, f"space {space}", held).due(FIRST_SYNC, held)}  # type: ignore[arg-type]


def test_an_hour_after_the_first_sync_about_a_24th_of_the_spaces_are_due():
    due = due_spaces(1)
    assert 0 < len(due) <= 2 * len(SPACES) // 24


def test_every_space_is_checked_within_the_interval_and_each_turn_once():
    hourly = [due_spaces(hour) - due_spaces(hour - 1) if hour > 1 else due_spaces(hour) for hour in range(1, 25)]
    assert set().union(*hourly) == set(SPACES)
    assert max(len(turn) for turn in hourly) < len(SPACES) // 4


def test_interval_zero_checks_every_space_on_every_sync():
    assert due_spaces(0, interval_hours=0) == set(SPACES)


def test_an_empty_ledger_is_never_checked():
    context = SimpleNamespace(now=FIRST_SYNC, config=SimpleNamespace(deletion_check_interval_hours=0))
    empty = ItemLedger()
    assert not GoneContainers(context, "tasks", "page", "1", "space 1", empty).due(None, empty)  # type: ignore[arg-type]
