"""The stateful test both flavours share: syncs, kills, corrupted states and changes in between.

A rule-based state machine (hypothesis) builds a site, then runs syncs of the real connector code
against the flavour's fake, with the adversary changing the site between any two requests. After
every sync it checks the invariants of `checks`; each checkpoint is checked as it is emitted.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from unit_tests.adversary import checks, moves
from unit_tests.adversary.harness import Connector
from unit_tests.adversary.moves import CREATE, apply
from unit_tests.adversary.site import Site

SOAK = os.environ.get("ADVERSARY_SOAK") == "1"
TRACE = os.environ.get("ADVERSARY_TRACE") == "1"
"""Prints every sync's records and states (for reading a failing example)."""
"""`make soak`: thousands of examples per walk instead of a few hundred."""


def machine_settings(examples: int) -> settings:
    """`make test` runs a fixed set of histories (derandomized: a CI run fails only when the code
    changed); `make soak` draws new ones every run, twenty times as many, to find new failures."""
    return settings(max_examples=examples * (20 if SOAK else 1), stateful_step_count=12, deadline=None,
                    derandomize=not SOAK, database=None if not SOAK else settings.default.database,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])


GARBAGE = st.sampled_from(["", "n!!!", "tAAAA", 7, None, [], {"x": 1}, "2024-13-45", "/\\evil", ["/x"]])
STATE_FIELDS = ("updated_at", "ids_at_cursor", "cursor_versions", "synced_ids", "reconciled_at", "resume",
                "container_cursors", "pending_accounts", "complete",
                "known", "extra", "window")  # the last three: former names, still read


class SyncMachine(RuleBasedStateMachine):
    """Subclasses set `flavour`, build `fake` and say how the index (if any) settles."""

    flavour = "cloud"
    settle_lag_ms = 0
    flavour_moves: st.SearchStrategy[Any] | None = None
    objects: st.SearchStrategy[list[Any]] = st.lists(CREATE, max_size=14)
    """The site before the first sync (Cloud adds larger sites: site-wide lists of several pages, which
    a first sync reads from both ends, streams/walk_ends.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.site = Site(spaces=2)
        self.fake = self.make_fake()
        self.connector: Connector | None = None
        self.warehouse = checks.Warehouse()
        self.disrupted = False
        self.problems: list[str] = []
        self.syncs = 0
        self.sync_starts: set[int] = set()
        self.blind: set[str] = set()
        """Ids whose purge may go unreported: their partition's deletion-check set was corrupted."""

    @classmethod
    def between_requests(cls) -> st.SearchStrategy[Any]:
        """Built once per class: strategies are costly to build and validate, draws are not."""
        if "_between" not in cls.__dict__:
            cls._between = moves.between_requests(cls.flavour_moves)
        return cls._between

    def make_fake(self) -> Any:
        raise NotImplementedError

    def changed(self, obj_id: str) -> None:
        """Data Center queues the change for its index; Cloud lists read the database."""

    def flavour_move(self, move: Any) -> bool:
        return False

    @initialize(page_size=st.integers(1, 4), data=st.data())
    def build(self, page_size: int, data: st.DataObject) -> None:
        for move in data.draw(self.objects, label="objects"):
            apply(self.site, move, self.changed)
            self.site.tick(1)
        self.connector = Connector(self.flavour, self.fake.answer, page_size, self.extra_config(data))

    def extra_config(self, data: st.DataObject) -> dict[str, Any]:
        """Flavour-specific settings the test draws (e.g. whether the server's zone is configured)."""
        return {}

    @rule(move=moves.between_requests())
    def change_between_syncs(self, move: Any) -> None:
        if move is not None:
            apply(self.site, move, self.changed)

    @rule(data=st.data(), kill=st.one_of(st.none(), st.none(), st.integers(1, 40)))
    def sync(self, data: st.DataObject, kill: int | None) -> None:
        assert self.connector is not None
        started = self.site.clock
        emitted = set(self.warehouse.emitted)
        disturbed = {"now": False}

        between = self.between_requests()

        def before_request() -> None:
            move = data.draw(between, label="between requests")
            if move is None:
                return
            if not self.flavour_move(move):
                apply(self.site, move, self.changed)
            if move[0] == "expire":
                disturbed["now"] = True

        def on_state(stream: str, state: Any, log: list[Any]) -> None:
            now = emitted | {(s, str(d.get("id")), d.get("version_number")) for kind, s, d in log if kind == "record"}
            self.problems += checks.checkpoint_problems(self.site, self.flavour, stream, state, now)

        result = self.connector.sync(started, before_request, on_state, kill_after=kill)
        if TRACE:
            print(f"--- sync {self.syncs + 1} at {started} killed={result.killed}")
            for kind, stream, entry in result.log:
                print(kind, stream, {k: entry.get(k) for k in ("id", "version_number", "status", "updated_at")}
                      if kind == "record" else json.dumps(entry)[:400])
        records, _ = result.committed()
        # Resolving creates no version: the deletion check reads again every comment resolved since
        # the previous check started, though that sync may have read it resolved already.
        since = max(self.sync_starts, default=None)
        boundary = {o.id for o in [*self.site.objects.values(), *self.site.purged.values()]
                    if o.kind == "inline" and o.resolution_at is not None and since is not None
                    and o.resolution_at >= since}
        self.problems += self.warehouse.load(records, self.disrupted or disturbed["now"], boundary)
        self.sync_starts.add(started)
        self.syncs += 1
        if result.killed:
            self.disrupted = True
            return
        self.problems += checks.settled_problems(self.site, self.warehouse, self.flavour, started - self.settle_lag_ms,
                                                 self.blind)
        self.disrupted = disturbed["now"]
        self.site.tick(1)

    @precondition(lambda self: self.connector is not None and bool(self.connector.states))
    @rule(data=st.data())
    def corrupt_state(self, data: st.DataObject) -> None:
        assert self.connector is not None
        stream = data.draw(st.sampled_from(sorted(self.connector.states)), label="stream")
        entries = self.connector.states[stream].get("states") or []
        if not entries:
            return
        entry = data.draw(st.sampled_from(entries), label="partition")
        field = data.draw(st.sampled_from(STATE_FIELDS), label="field")
        entry["cursor"][field] = data.draw(GARBAGE, label="garbage")
        json.dumps(self.connector.states)  # still JSON, as the platform stores it
        self.disrupted = True
        if field == "synced_ids" or field == "known" and "synced_ids" not in entry["cursor"]:
            # The ids synced so far are forgotten: purges among them can no longer be reported
            # (documented); everything else must still hold.
            self.blind.update(obj_id for (name, obj_id) in self.warehouse.rows if name == stream)
        if stream == "decisions":
            # Its ledger may be dropped with the part: decisions gone since get no tombstone (documented).
            self.blind.update(obj_id for (name, obj_id) in self.warehouse.rows if name == stream)

    @invariant()
    def nothing_lost_nothing_repeated(self) -> None:
        assert not self.problems, "\n".join(self.problems[:20])
