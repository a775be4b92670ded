"""content_restrictions reconciles each space at its own turn: only the due spaces' ids are read,
content moved out of a due space keeps its rows (shown in its new space), purged content and
spaces no longer selected get tombstones at once, and a sync killed mid-space reads it again."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.streams.restriction_moves import locate
from source_confluence.sync.restriction_state import Emitted, decode_emitted
from source_confluence.timestamps import format_timestamp
from unit_tests.builders import SITE, content_list_request, list_response, page, space, spaces_request
from unit_tests.test_content_restrictions import (
    CURSOR,
    LONG_AGO,
    NOW,
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

FRESH = format_timestamp(NOW)
STATUSES = ("current", "archived", "trashed", "deleted")


def ids_request(space_id: str, limit: int = 250, cursor: str | None = None) -> HttpRequest:
    params = [("space-id", space_id), *[("status", s) for s in STATUSES], ("sort", "id"), ("limit", str(limit)),
              *([("cursor", cursor)] if cursor else [])]
    return HttpRequest(f"{SITE}/wiki/api/v2/pages?{urlencode(params)}")


def two_spaces(http: HttpMocker) -> None:
    http.get(spaces_request(), list_response([space("100", "ENG"), space("200", "OPS")]))
    http.get(content_list_request("pages", "100", descending=True), list_response([page("3", CURSOR)]))
    http.get(content_list_request("pages", "200", descending=True), list_response([]))


def test_a_sync_reconciles_only_the_due_space_and_saves_its_turn():
    with HttpMocker() as http:
        two_spaces(http)
        due = ids_request("100")  # space 200's (not due) is not mocked: reading it would fail the sync
        http.get(due, list_response([{"id": "3"}, {"id": "4"}]))
        search = search_request(["3", "4"])
        http.get(search, search_response([hit("3"), hit("4", read=operation("read", [user("acc-7")], []))]))
        output = read(SourceConfluence(), pages_only(), catalog(),
                      state(RECONCILED, {}, turns={"100": LONG_AGO, "200": FRESH}, space_ids=("100", "200")))
        http.assert_number_of_calls(due, 1)
        http.assert_number_of_calls(search, 1)
    assert not output.errors
    assert [(r["id"], r["space_id"]) for r in restriction_records(output)] == [("4:read:user:acc-7", "100")]
    turns = final_state(output)["container_cursors"]["reconciled_spaces"]
    assert turns["200"] == FRESH and turns["100"] > FRESH


def test_restricted_content_moved_out_of_a_due_space_keeps_its_rows_and_shows_its_new_space():
    emitted = {"4": Emitted("page", "100", frozenset({"read:user:acc-7"}))}
    with HttpMocker() as http:
        two_spaces(http)
        http.get(ids_request("100"), list_response([{"id": "3"}]))
        http.get(by_id_request(["4"]), list_response([{"id": "4", "status": "current", "spaceId": "200"}]))
        http.get(search_request(["3", "4"]), search_response([hit("3"), hit("4", read=operation("read", [user("acc-7")], []))]))
        output = read(SourceConfluence(), pages_only(), catalog(),
                      state(RECONCILED, emitted, turns={"100": LONG_AGO, "200": FRESH}, space_ids=("100", "200")))
    rows = restriction_records(output)
    assert [(r["id"], r["space_id"], r.get("deleted_at")) for r in rows] == [("4:read:user:acc-7", "200", None)]
    assert decode_emitted(final_state(output)["container_cursors"]["restrictions"]) == {
        "4": Emitted("page", "200", frozenset({"read:user:acc-7"}))}


def test_trashed_or_unselected_content_missing_from_its_space_is_tombstoned():
    emitted = {"4": Emitted("page", "100", frozenset({"read:user:acc-7"})),
               "5": Emitted("page", "100", frozenset({"update:user:acc-2"}))}
    with HttpMocker() as http:
        two_spaces(http)
        http.get(ids_request("100"), list_response([{"id": "3"}]))
        http.get(by_id_request(["4", "5"]), list_response([{"id": "4", "status": "trashed", "spaceId": "100"},
                                                            {"id": "5", "status": "current", "spaceId": "900"}]))
        http.get(search_request(["3"]), search_response([hit("3")]))
        output = read(SourceConfluence(), pages_only(), catalog(),
                      state(RECONCILED, emitted, turns={"100": LONG_AGO, "200": FRESH}, space_ids=("100", "200")))
    rows = restriction_records(output)
    assert [(r["id"], r["space_id"], bool(r["deleted_at"])) for r in rows] == [
        ("4:read:user:acc-7", "100", True), ("5:update:user:acc-2", "100", True)]
    assert decode_emitted(final_state(output)["container_cursors"]["restrictions"]) == {}


def test_restrictions_of_a_space_no_longer_selected_are_tombstoned_without_waiting_for_a_turn():
    emitted = {"8": Emitted("page", "300", frozenset({"read:user:acc-7"}))}
    with HttpMocker() as http:
        two_spaces(http)
        lookup = by_id_request(["8"])
        http.get(lookup, list_response([{"id": "8", "status": "current", "spaceId": "300"}]))
        output = read(SourceConfluence(), pages_only(), catalog(),
                      state(RECONCILED, emitted, turns={"100": FRESH, "200": FRESH}, space_ids=("100", "200")))
        http.assert_number_of_calls(lookup, 1)
    assert [(r["id"], bool(r["deleted_at"])) for r in restriction_records(output)] == [("8:read:user:acc-7", True)]


def sized(**extra: Any) -> dict[str, Any]:
    return pages_only(page_size=2, **extra)


def test_a_sync_killed_mid_space_reads_that_space_again_and_only_then_saves_its_turn():
    def mock_space(http: HttpMocker) -> None:
        http.get(spaces_request(limit=2), list_response([space("100", "ENG")]))
        for descending in (True, False):  # a page as big as the walk's page: it reads from both ends
            http.get(content_list_request("pages", "100", descending=descending, limit=2),
                     list_response([page("3", CURSOR)]))
        after = ids_request("100", limit=2, cursor="next")
        http.get(ids_request("100", limit=2),
                 list_response([{"id": "3"}, {"id": "4"}], next_link=f"{after._parsed_url.path}?{after._parsed_url.query}"))
        http.get(after, list_response([{"id": "5"}]))
        http.get(search_request(["3", "4"], limit=2),
                 search_response([hit("3"), hit("4", read=operation("read", [user("acc-7")], []))]))

    with HttpMocker() as http:
        mock_space(http)
        http.get(search_request(["5"], limit=2), search_response([]).__class__('{"message": "bad"}', 400))
        killed = read(SourceConfluence(), sized(), catalog(), state(RECONCILED, {}, turns={"100": LONG_AGO}),
                      expecting_exception=True)
    assert [r["id"] for r in restriction_records(killed)] == ["4:read:user:acc-7"]
    saved = final_state(killed)
    assert saved["container_cursors"]["reconciled_spaces"] == {"100": LONG_AGO}  # not whole: still due
    assert set(decode_emitted(saved["container_cursors"]["restrictions"])) == {"4"}

    resumed_state = StateBuilder().with_stream_state("content_restrictions", {"states": [
        {"partition": {"scope": "site"}, "cursor": saved}]}).build()
    with HttpMocker() as http:
        mock_space(http)
        http.get(search_request(["5"], limit=2), search_response([hit("5", update=operation("update", [user("acc-2")], []))]))
        resumed = read(SourceConfluence(), sized(), catalog(), resumed_state)
    assert [r["id"] for r in restriction_records(resumed)] == ["5:update:user:acc-2"]  # 4 is not emitted again
    assert final_state(resumed)["container_cursors"]["reconciled_spaces"]["100"] > LONG_AGO


class LaggingSearch:
    """Data Center at its worst: the search index has not caught up with a move (the look-up by id
    returns nothing), while the database holds the page alive."""

    def containers(self, kind: str, ids: list[str]):
        return iter(())

    def surviving(self, kind: str, ids: list[str]):
        return iter([i for i in ids if i == "4"])


def test_content_the_lagging_search_does_not_return_but_the_database_holds_is_not_tombstoned():
    missing = {"4": Emitted("page", "100", frozenset({"read:user:acc-7"})),
               "9": Emitted("page", "100", frozenset({"read:user:acc-7"}))}
    located = locate(LaggingSearch(), missing, lambda *_: True, "content_restrictions", search_lags=True)
    assert (located.moved, located.unplaced, located.gone) == ({}, {"4"}, {"9"})
    # Cloud's look-up reads the database with every status: its silence is final, no second request.
    located = locate(LaggingSearch(), missing, lambda *_: True, "content_restrictions", search_lags=False)
    assert (located.unplaced, located.gone) == (set(), {"4", "9"})
