"""The access rounds against a model (hypothesis, stateful): groups gain and lose members, appear and
are deleted at random times; syncs run the real `group_members` partitions (streams/access_rounds.py)
at random gaps over a fake client, some killed mid-way (the destination keeps the records and the last
state emitted before the kill), some generating every partition before reading any (as the CDK may).

Invariants:
- after any sync, every group whose round ran to its end in it: the destination (dedup on id, the greatest `updated_at` wins,
  tombstones dropped) holds exactly the group's members at the sync's start; a deleted group whose
  tombstones ran holds none;
- after a sync that ran to its end, every group is read within interval + gap: a group that
  exists, whose last complete read (or its creation) is at least an interval before the sync's
  start, is read in that sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import InMemoryMessageRepository
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from source_confluence.streams.access_rounds import group_member_partitions
from source_confluence.sync.state import PartitionedCursor
from source_confluence.timestamps import format_timestamp

INTERVAL_HOURS = 24
START = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
ACCOUNTS = ("a1", "a2", "557058:b3", "a4")
"""Cloud account ids may hold colons: a tombstone's account id comes from its row id."""
GROUP_IDS = ("g1", "g2", "eng:ops", "g4")
"""Data Center group ids are names, which may hold colons too."""


class Site:
    """The truth: group id -> members, and when each group was created."""

    def __init__(self) -> None:
        self.groups: dict[str, set[str]] = {}
        self.created: dict[str, datetime] = {}

    def groups_listed(self) -> list[dict[str, Any]]:
        return [{"id": g, "name": f"name {g}"} for g in sorted(self.groups)]

    def members(self, group: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"accountId": a, "displayName": a.upper()} for a in sorted(self.groups[group["id"]])]


@dataclass
class Destination:
    """Append + dedup on `id`: the greatest `updated_at` wins, a later record on a tie."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def load(self, record: dict[str, Any]) -> None:
        held = self.rows.get(record["id"])
        if held is None or record["updated_at"] >= held["updated_at"]:
            self.rows[record["id"]] = record

    def members(self, group_id: str) -> set[str]:
        return {r["account_id"] for r in self.rows.values() if r["group_id"] == group_id and not r.get("deleted_at")}


class AccessRounds(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.site = Site()
        self.now = START
        self.state: dict[str, Any] = {}
        self.destination = Destination()
        self.last_read: dict[str, datetime] = {}
        """Group -> start of the last sync whose round of it ran to its end."""

    @initialize(groups=st.dictionaries(st.sampled_from(GROUP_IDS), st.sets(st.sampled_from(ACCOUNTS)), max_size=3))
    def build(self, groups: dict[str, set[str]]) -> None:
        for group_id, members in groups.items():
            self.site.groups[group_id] = set(members)
            self.site.created[group_id] = self.now

    @rule(gap_minutes=st.integers(1, 30 * 60), account=st.sampled_from(ACCOUNTS), group=st.sampled_from(GROUP_IDS),
          change=st.sampled_from(["add", "remove", "create", "delete"]))
    def change(self, gap_minutes: int, account: str, group: str, change: str) -> None:
        self.now += timedelta(minutes=gap_minutes)  # a change happens some time after the last sync
        if change == "create" and group not in self.site.groups:
            self.site.groups[group] = {account}
            self.site.created[group] = self.now
        elif change == "delete":
            self.site.groups.pop(group, None)
        elif group in self.site.groups:
            (self.site.groups[group].add if change == "add" else self.site.groups[group].discard)(account)

    @rule(gap_minutes=st.integers(1, 30 * 60), kill_after=st.none() | st.integers(0, 12), eager=st.booleans())
    def sync(self, gap_minutes: int, kill_after: int | None, eager: bool) -> None:
        self.now += timedelta(minutes=gap_minutes)
        started = self.now
        truth = {group: set(members) for group, members in self.site.groups.items()}
        cursor = PartitionedCursor("group_members", self.state, InMemoryMessageRepository(),
                                   ConnectorStateManager(state=[]))
        client = SimpleNamespace(access=SimpleNamespace(groups=self.site.groups_listed, group_members=self.site.members))
        context = SimpleNamespace(client=client, now=format_timestamp(started),
                                  config=SimpleNamespace(access_reconciliation_interval_hours=INTERVAL_HOURS))
        partitions = group_member_partitions(context, cursor, True)  # type: ignore[arg-type]
        if eager:
            partitions = iter(list(partitions))
        emitted, rounds_run, killed = 0, [], False
        for partition in partitions:
            for record in partition.read():
                if kill_after is not None and emitted >= kill_after:
                    killed = True
                    break
                self.destination.load(dict(record.data))
                emitted += 1
            if killed:
                break
            rounds_run.append(partition.to_slice()["group_id"])
        self.state = cursor.state  # the last state emitted (before the kill, if any)
        for group_id in rounds_run:  # the rounds that ran to their end, also in a killed sync
            assert self.destination.members(group_id) == truth.get(group_id, set()), group_id
            if group_id in truth:
                self.last_read[group_id] = started
        if killed:
            return
        overdue = started - timedelta(hours=INTERVAL_HOURS)
        for group_id in truth:
            since = self.last_read.get(group_id, self.site.created[group_id])
            assert since > overdue or group_id in rounds_run, f"{group_id} not read since {since}"


AccessRounds.TestCase.settings = settings(
    max_examples=200, stateful_step_count=25, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow])
test_access_rounds_against_a_model = AccessRounds.TestCase
