"""Cloud walks against the adversary: pages, blog posts, comments, attachments, tasks and the
deletion check, with ties in any order, changes between any two requests, expiring cursors, kills
and corrupted states (see unit_tests/adversary)."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from hypothesis import strategies as st

from source_confluence.streams import probe
from unit_tests.adversary.cloud import CloudFake
from unit_tests.adversary.machine import SyncMachine, machine_settings
from unit_tests.adversary.moves import CREATE


class CloudSyncs(SyncMachine):
    flavour = "cloud"
    flavour_moves = st.tuples(st.just("expire"))
    objects = st.one_of(st.lists(CREATE, max_size=14), st.lists(CREATE, min_size=20, max_size=36))

    def make_fake(self) -> CloudFake:
        return CloudFake(self.site)

    def extra_config(self, data: st.DataObject) -> dict[str, Any]:
        # Metered traffic (a scoped token) walks differently from a cursor: a small probe page, then
        # pages of METERED_PAGE_SIZE; page sizes here are 1-4, so a page of 2 is smaller than some.
        return {"auth_type": data.draw(st.sampled_from(["api_token", "scoped_api_token"]), label="auth_type")}

    def __init__(self) -> None:
        super().__init__()
        self._small_pages = patch.object(probe, "METERED_PAGE_SIZE", 2)
        self._small_pages.start()

    def teardown(self) -> None:
        self._small_pages.stop()
        super().teardown()

    def flavour_move(self, move: Any) -> bool:
        if move[0] != "expire":
            return False
        self.fake.tokens.expire()
        return True


CloudSyncs.TestCase.settings = machine_settings(examples=150)
TestCloudSyncs = CloudSyncs.TestCase
