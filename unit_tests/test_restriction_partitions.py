"""content_restrictions reads one partition per due space (the CDK's workers reconcile several
spaces at once) and one for the changed content of the others; they share one saved state (the
ledger), written after each batch's records, with each space's turn saved after its last batch."""

from __future__ import annotations

import threading
import tracemalloc
from typing import Any

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import InMemoryMessageRepository
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder
from hypothesis import given, settings
from hypothesis import strategies as st

from source_confluence import SourceConfluence
from source_confluence import source as source_module
from source_confluence.streams.restrictions import restriction_partitions
from source_confluence.sync.context import ReadContext
from source_confluence.sync.idset import encode_ids
from source_confluence.sync.restriction_ledger import KEY, RestrictionLedger
from source_confluence.sync.restriction_state import Emitted, decode_emitted
from source_confluence.sync.state import PartitionedCursor, PartitionState
from unit_tests.builders import content_list_request, json_response, list_response, space, spaces_request
from unit_tests.test_content_restrictions import (
    CURSOR,
    LONG_AGO,
    RECONCILED,
    by_id_request,
    catalog,
    final_state,
    hit,
    operation,
    pages_only,
    restriction_records,
    search_request,
    search_response,
    state,
    user,
)
from unit_tests.test_restrictions_rolling import FRESH, ids_request

SPACES = ("100", "200", "300")


def three_spaces(http: HttpMocker) -> None:
    http.get(spaces_request(), list_response([space("100", "ENG"), space("200", "OPS"), space("300", "HR")]))
    for space_id in SPACES:
        http.get(content_list_request("pages", space_id, descending=True), list_response([]))


def cursor_of(raw_state: dict[str, Any]) -> PartitionedCursor:
    manager = ConnectorStateManager()
    return PartitionedCursor("content_restrictions", raw_state, InMemoryMessageRepository(), manager)


def captured_context(monkeypatch: pytest.MonkeyPatch) -> ReadContext:
    """The context of a pages sync of three spaces (its walks done, as in the second phase)."""
    contexts: list[ReadContext] = []
    real = source_module.build_context
    monkeypatch.setattr(source_module, "build_context", lambda *a, **k: contexts.append(real(*a, **k)) or contexts[-1])
    with HttpMocker() as http:
        three_spaces(http)
        read(SourceConfluence(), pages_only(), CatalogBuilder().with_stream("pages", SyncMode.incremental).build())
    return contexts[0]


def test_each_due_space_is_a_partition_of_its_own_after_the_changed_contents(monkeypatch: pytest.MonkeyPatch):
    context = captured_context(monkeypatch)
    turns = {"100": LONG_AGO, "200": FRESH, "300": LONG_AGO}
    saved = {"states": [{"partition": KEY, "cursor": {"updated_at": RECONCILED, "complete": True,
                                                     "reconciled_at": RECONCILED,
                                                     "container_cursors": {"reconciled_spaces": turns}}}]}
    partitions = list(restriction_partitions(context, cursor_of(saved), use_state=True))
    assert [p.to_slice() for p in partitions] == [KEY, {"space_id": "100"}, {"space_id": "300"}]
    # Without state (a first sync) every selected space is due, each in its own partition.
    first = list(restriction_partitions(context, cursor_of({}), use_state=True))
    assert [p.to_slice() for p in first] == [KEY, *({"space_id": s} for s in SPACES)]


def workers(n: int, **extra: Any) -> dict[str, Any]:
    return pages_only(num_workers=n, **extra)


def test_content_moved_between_two_due_spaces_is_checked_once_and_shows_its_new_space():
    """Listed by its new space and missing from its old one: the first partition to meet it checks it."""
    emitted = {"4": Emitted("page", "100", frozenset({"read:user:acc-7"}))}
    with HttpMocker() as http:
        three_spaces(http)
        http.get(ids_request("100"), list_response([]))
        http.get(ids_request("200"), list_response([{"id": "4"}]))
        http.get(ids_request("300"), list_response([]))
        lookup = by_id_request(["4"])
        http.get(lookup, list_response([{"id": "4", "status": "current", "spaceId": "200"}]))
        search = search_request(["4"])
        http.get(search, search_response([hit("4", read=operation("read", [user("acc-7")], []))]))
        output = read(SourceConfluence(), workers(1), catalog(),
                      state(RECONCILED, emitted, turns={s: LONG_AGO for s in SPACES}, space_ids=SPACES))
        http.assert_number_of_calls(search, 1)  # space 100's partition checked it; 200's left it
    assert not output.errors
    assert [(r["id"], r["space_id"], r.get("deleted_at")) for r in restriction_records(output)] == [
        ("4:read:user:acc-7", "200", None)]
    final = final_state(output)
    assert decode_emitted(final["container_cursors"]["restrictions"]) == {
        "4": Emitted("page", "200", frozenset({"read:user:acc-7"}))}
    assert all(at > LONG_AGO for at in final["container_cursors"]["reconciled_spaces"].values())


def test_a_space_that_fails_keeps_its_turn_while_the_others_save_theirs_and_the_next_sync_reads_it_alone():
    """A state written before the per-space turns (only the site-wide time): every space is due."""
    def mock(http: HttpMocker) -> None:
        three_spaces(http)
        http.get(ids_request("100"), list_response([{"id": "3"}]))
        http.get(ids_request("300"), list_response([{"id": "9"}]))
        http.get(search_request(["3"]), search_response([hit("3", read=operation("read", [user("acc-7")], []))]))
        http.get(search_request(["9"]), search_response([hit("9")]))

    with HttpMocker() as http:
        mock(http)
        http.get(ids_request("200"), json_response({"message": "bad"}, status=400))
        failed = read(SourceConfluence(), workers(2), catalog(),
                      state(LONG_AGO, {}, turns=None, space_ids=SPACES), expecting_exception=True)
    assert [r["id"] for r in restriction_records(failed)] == ["3:read:user:acc-7"]
    saved = final_state(failed)
    turns = saved["container_cursors"]["reconciled_spaces"]
    assert turns["200"] == LONG_AGO and turns["100"] > LONG_AGO and turns["300"] > LONG_AGO

    resumed_state = (StateBuilder()
                     .with_stream_state("pages", {"states": [{"partition": {"space_id": s}, "cursor": {
                         "updated_at": CURSOR, "complete": True, "reconciled_at": FRESH,
                         "synced_ids": encode_ids([])}} for s in SPACES]})
                     .with_stream_state("content_restrictions", {"states": [{"partition": KEY, "cursor": saved}]})
                     .build())
    with HttpMocker() as http:
        three_spaces(http)
        listing = ids_request("200")
        http.get(listing, list_response([{"id": "5"}]))
        http.get(search_request(["5"]), search_response([hit("5", update=operation("update", [user("acc-2")], []))]))
        resumed = read(SourceConfluence(), workers(2), catalog(), resumed_state)
        http.assert_number_of_calls(listing, 1)  # 100 and 300 are not due: their listings are not mocked
    assert [r["id"] for r in restriction_records(resumed)] == ["5:update:user:acc-2"]
    final = final_state(resumed)
    assert final["container_cursors"]["reconciled_spaces"]["200"] > LONG_AGO
    assert set(decode_emitted(final["container_cursors"]["restrictions"])) == {"3", "5"}


class Recording(PartitionedCursor):
    def __init__(self) -> None:
        super().__init__("content_restrictions", {}, InMemoryMessageRepository(), ConnectorStateManager())
        self.saved: list[PartitionState] = []

    def checkpoint(self, partition, state) -> None:  # type: ignore[no-untyped-def]
        self.saved.append(state)
        super().checkpoint(partition, state)


def test_the_ledger_saves_only_committed_changes_and_a_turn_with_its_spaces_last_batch():
    cursor = Recording()
    ledger = RestrictionLedger(cursor, PartitionState(reconciled_at=RECONCILED),
                               {"1": Emitted("page", "100", frozenset({"read:user:a"}))}, {"100": LONG_AGO}, FRESH)
    assert ledger.claim(["1", "2"]) == {"1", "2"}
    assert ledger.claim(["2", "3"]) == {"3"}  # 2 is checked by the first claimant only
    ledger.commit({"2": Emitted("page", "200", frozenset({"update:group:g"}))}, CURSOR, reconciling=False)
    first = cursor.saved[-1]
    assert (first.reconciled_at, first.updated_at) == (RECONCILED, CURSOR)
    assert first.container_cursors["reconciled_spaces"] == {"100": LONG_AGO}
    assert set(decode_emitted(first.container_cursors["restrictions"])) == {"1", "2"}
    ledger.commit({"1": None}, None, reconciling=True, turn_of="100")
    last = cursor.saved[-1]
    assert (last.reconciled_at, last.updated_at) == (FRESH, CURSOR)
    assert last.container_cursors["reconciled_spaces"] == {"100": FRESH}
    assert set(decode_emitted(last.container_cursors["restrictions"])) == {"2"}


def test_claims_from_many_threads_give_each_id_to_exactly_one():
    ledger = RestrictionLedger(Recording(), PartitionState(), {}, {}, FRESH)
    won: list[set[str]] = []
    ids = [str(i) for i in range(2000)]
    threads = [threading.Thread(target=lambda: won.append(ledger.claim(ids))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set().union(*won) == set(ids) and sum(len(w) for w in won) == len(ids)


@settings(max_examples=60, deadline=None)
@given(claims=st.lists(st.lists(st.sampled_from(["1", "2", "10", "é7", "x y"]), max_size=6), max_size=8))
def test_claims_kept_on_disk_answer_as_a_set_did(claims: list[list[str]]) -> None:
    ledger = RestrictionLedger(Recording(), PartitionState(), {}, {}, FRESH)
    claimed: set[str] = set()
    for ids in claims:
        mine = set(ids) - claimed
        claimed |= mine
        assert ledger.claim(ids) == mine


def test_the_ledger_holds_no_python_object_per_claimed_id() -> None:
    ledger = RestrictionLedger(Recording(), PartitionState(), {}, {}, FRESH)
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for space in range(4):  # as four spaces' partitions claim their listed ids
            assert len(ledger.claim([str(10_000_000 + space * 5_000 + n) for n in range(5_000)])) == 5_000
        held = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    assert held < 300_000  # in a set of strings: about 1.8 MB
