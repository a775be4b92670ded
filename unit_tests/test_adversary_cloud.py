"""Cloud walks against the adversary: pages, blog posts, comments, attachments, tasks and the
deletion check, with ties in any order, changes between any two requests, expiring cursors, kills
and corrupted states (see unit_tests/adversary)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from unit_tests.adversary.cloud import CloudFake
from unit_tests.adversary.machine import SyncMachine, machine_settings


class CloudSyncs(SyncMachine):
    flavour = "cloud"
    flavour_moves = st.tuples(st.just("expire"))

    def make_fake(self) -> CloudFake:
        return CloudFake(self.site)

    def flavour_move(self, move: Any) -> bool:
        if move[0] != "expire":
            return False
        self.fake.tokens.expire()
        return True


CloudSyncs.TestCase.settings = machine_settings(examples=150)
TestCloudSyncs = CloudSyncs.TestCase
