"""Data Center walks against the adversary: CQL search on an index that lags the database (stale
hits at old places carrying new versions, offsets that shift mid-walk), minute filters read in a
zone with an ambiguous autumn hour, kills and corrupted states (see unit_tests/adversary)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from unit_tests.adversary.datacenter import DataCenterFake
from unit_tests.adversary.machine import SyncMachine, machine_settings
from unit_tests.adversary.moves import INDEX

MAX_LAG_MS = 120_000
"""The longest the adversary's index lags the database: below the connector's default (10 min)."""


class DataCenterSyncs(SyncMachine):
    flavour = "datacenter"
    settle_lag_ms = MAX_LAG_MS
    flavour_moves = st.one_of(st.tuples(st.just("index"), INDEX), st.tuples(st.just("fold"), st.booleans()))

    def make_fake(self) -> DataCenterFake:
        return DataCenterFake(self.site, MAX_LAG_MS)

    def changed(self, obj_id: str) -> None:
        self.fake.changed(obj_id)

    def extra_config(self, data: st.DataObject) -> dict[str, Any]:
        return {"zone": data.draw(st.booleans(), label="server_time_zone configured")}

    def flavour_move(self, move: Any) -> bool:
        if move[0] == "index":
            pending = sorted(self.fake.pending, key=int)
            if pending:
                self.fake.index_one(pending[move[1] % len(pending)])
            return True
        if move[0] == "fold":
            self.fake.later_fold = move[1]
            return True
        return False


DataCenterSyncs.TestCase.settings = machine_settings(examples=150)
TestDataCenterSyncs = DataCenterSyncs.TestCase
