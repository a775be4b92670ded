"""content_restrictions: restrictions of changed content, the reconciliation (due or not, lifted
restrictions tombstoned), and what the API contract leaves open (cut principal lists, content the
search no longer returns)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.api.restrictions import EXPAND, PER_CONTENT_EXPAND
from source_confluence.sync.idset import encode_ids
from source_confluence.sync.restriction_state import Emitted, decode_emitted, encode_emitted
from source_confluence.timestamps import format_timestamp
from unit_tests.builders import SITE, config, content_list_request, json_response, list_response, page, space, spaces_request

NOW = datetime.now(UTC)
CURSOR = format_timestamp(NOW - timedelta(hours=5))
RECONCILED = format_timestamp(NOW - timedelta(hours=3))
EDITED = format_timestamp(NOW - timedelta(hours=1))
LONG_AGO = "2020-01-01T00:00:00.000Z"
GROUP_ID = "0f0e0d0c-aaaa-bbbb-cccc-000000000001"


def catalog():
    return (CatalogBuilder().with_stream("pages", SyncMode.incremental)
            .with_stream("content_restrictions", SyncMode.incremental).build())


def pages_only(**extra: Any) -> dict[str, Any]:
    return config(content_types=["pages"], **extra)


FRESH = {"100": format_timestamp(NOW)}
"""Space 100 reconciled as this test starts: not due until its next turn, about a day away."""


def state(reconciled_at: str, emitted: dict[str, Emitted], turns: dict[str, str] | None = FRESH,
          space_ids: tuple[str, ...] = ("100",)):
    """`turns` None: a state written before the per-space turns (only the whole-site `reconciled_at`)."""
    pages = {"states": [{"partition": {"space_id": space_id}, "cursor": {
        "updated_at": CURSOR, "complete": True, "cursor_versions": {CURSOR: ["3#2"]},
        "reconciled_at": format_timestamp(NOW), "synced_ids": encode_ids(["3", "4", "9"])}} for space_id in space_ids]}
    parts = {"restrictions": encode_emitted(emitted), **({"reconciled_spaces": turns} if turns is not None else {})}
    restrictions = {"states": [{"partition": {"scope": "site"}, "cursor": {
        "updated_at": RECONCILED, "complete": True, "reconciled_at": reconciled_at, "container_cursors": parts}}]}
    return (StateBuilder().with_stream_state("pages", pages)
            .with_stream_state("content_restrictions", restrictions).build())


def search_request(ids: list[str], limit: int = 100) -> HttpRequest:
    query = urlencode([("cql", f"id in ({','.join(ids)})"), ("expand", ",".join(EXPAND)), ("limit", limit)])
    return HttpRequest(f"{SITE}/wiki/rest/api/content/search?{query}")


def user(account_id: str) -> dict[str, Any]:
    return {"type": "known", "accountId": account_id, "accountType": "atlassian", "displayName": f"User {account_id}"}


def group(group_id: str, name: str) -> dict[str, Any]:
    return {"type": "group", "id": group_id, "name": name}


def operation(name: str, users: list[dict[str, Any]], groups: list[dict[str, Any]], limit: int = 100) -> dict[str, Any]:
    return {"operation": name, "restrictions": {
        "user": {"results": users, "start": 0, "limit": limit, "size": len(users)},
        "group": {"results": groups, "start": 0, "limit": limit, "size": len(groups)}}, "_expandable": {}, "_links": {}}


def hit(content_id: str, read: dict[str, Any] | None = None, update: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": content_id, "type": "page", "status": "current", "title": f"Page {content_id}",
            "restrictions": {"read": read or operation("read", [], []), "update": update or operation("update", [], []),
                             "_links": {}}}


def search_response(hits: list[dict[str, Any]]) -> Any:
    return json_response({"results": hits, "start": 0, "limit": 100, "size": len(hits),
                          "_links": {"base": f"{SITE}/wiki", "context": "/wiki"}})


def ids_request() -> HttpRequest:
    params = [("space-id", "100"), *[("status", s) for s in ("current", "archived", "trashed", "deleted")],
              ("sort", "id"), ("limit", "250")]
    return HttpRequest(f"{SITE}/wiki/api/v2/pages?{urlencode(params)}")


def by_id_request(ids: list[str]) -> HttpRequest:
    params = [*[("id", i) for i in ids], *[("status", s) for s in ("current", "archived", "trashed", "deleted")],
              ("limit", "250")]
    return HttpRequest(f"{SITE}/wiki/api/v2/pages?{urlencode(params)}")


def restriction_records(output) -> list[dict[str, Any]]:
    return [r.record.data for r in output.records if r.record.stream == "content_restrictions"]


def final_state(output) -> dict[str, Any]:
    states = [m.state.stream.stream_state.__dict__ for m in output.state_messages
              if m.state.stream.stream_descriptor.name == "content_restrictions"]
    return states[-1]["states"][0]["cursor"]


def test_restrictions_of_changed_content_are_read_in_one_search_stamped_with_the_version_time():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("4", EDITED), page("3", CURSOR)]))
        search = search_request(["4"])
        http.get(search, search_response([hit("4", read=operation("read", [user("acc-7")], [group(GROUP_ID, "legal")]),
                                               update=operation("update", [user("acc-7")], []))]))
        output = read(SourceConfluence(), pages_only(), catalog(), state(RECONCILED, {}))
        http.assert_number_of_calls(search, 1)
    rows = {r["id"]: r for r in restriction_records(output)}
    assert sorted(rows) == [f"4:read:group:{GROUP_ID}", "4:read:user:acc-7", "4:update:user:acc-7"]
    assert rows[f"4:read:group:{GROUP_ID}"] == {
        "id": f"4:read:group:{GROUP_ID}", "content_id": "4", "content_type": "page", "space_id": "100",
        "operation": "read", "principal_type": "group", "principal_id": GROUP_ID, "principal_name": "legal",
        "updated_at": EDITED}  # null fields (deleted_at) are left out of the record
    final = final_state(output)
    assert decode_emitted(final["container_cursors"]["restrictions"])["4"].keys == frozenset(
        {f"read:group:{GROUP_ID}", "read:user:acc-7", "update:user:acc-7"})
    assert final["reconciled_at"] == RECONCILED  # not due: no reconciliation ran


def test_a_lifted_restriction_is_tombstoned_by_the_due_reconciliation_and_nothing_else_is_emitted():
    emitted = {"4": Emitted("page", "100", frozenset({"read:user:acc-7", f"read:group:{GROUP_ID}"}))}
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("3", CURSOR)]))
        http.get(ids_request(), list_response([{"id": "3"}, {"id": "4"}]))
        http.get(search_request(["3", "4"]), search_response(
            [hit("3"), hit("4", read=operation("read", [user("acc-7")], []))]))
        output = read(SourceConfluence(), pages_only(), catalog(), state(LONG_AGO, emitted, turns=None))
    rows = restriction_records(output)
    assert [r["id"] for r in rows] == [f"4:read:group:{GROUP_ID}"]
    tombstone = rows[0]
    assert tombstone["deleted_at"] is not None and tombstone["deleted_at"] == tombstone["updated_at"]
    assert tombstone["deleted_at"] >= format_timestamp(NOW - timedelta(minutes=1))
    assert (tombstone["operation"], tombstone["principal_type"], tombstone["principal_id"]) == ("read", "group", GROUP_ID)
    final = final_state(output)
    assert decode_emitted(final["container_cursors"]["restrictions"]) == {
        "4": Emitted("page", "100", frozenset({"read:user:acc-7"}))}
    assert final["reconciled_at"] > LONG_AGO
    # A state from before the per-space turns: space 100 taken as reconciled at the old whole-site pass
    # (long ago, so due now), and its turn saved in the new shape.
    assert final["container_cursors"]["reconciled_spaces"]["100"] == final["reconciled_at"]


def test_purged_content_has_its_restrictions_tombstoned_by_the_reconciliation():
    emitted = {"9": Emitted("page", "100", frozenset({"update:user:acc-2"}))}
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("3", CURSOR)]))
        http.get(ids_request(), list_response([{"id": "3"}]))
        http.get(search_request(["3"]), search_response([hit("3")]))
        lookup = by_id_request(["9"])
        http.get(lookup, list_response([]))  # missing from its space and found nowhere: purged
        output = read(SourceConfluence(), pages_only(), catalog(), state(LONG_AGO, emitted, turns={"100": LONG_AGO}))
        http.assert_number_of_calls(lookup, 1)
    rows = restriction_records(output)
    assert [(r["id"], r["content_type"], r["space_id"], r["deleted_at"] is not None) for r in rows] == [
        ("9:update:user:acc-2", "page", "100", True)]
    assert decode_emitted(final_state(output)["container_cursors"]["restrictions"]) == {}


def test_reconciliation_not_due_reads_nothing_when_nothing_changed():
    emitted = {"4": Emitted("page", "100", frozenset({"read:user:acc-7"}))}
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("3", CURSOR)]))
        # No id listing and no search are mocked: either would fail the read.
        output = read(SourceConfluence(), pages_only(), catalog(), state(RECONCILED, emitted))
    assert restriction_records(output) == []
    assert final_state(output)["reconciled_at"] == RECONCILED
    assert not [log for log in output.logs if log.log.level.name == "ERROR"]


def test_interval_zero_reconciles_on_every_sync():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("3", CURSOR)]))
        listing = ids_request()
        http.get(listing, list_response([{"id": "3"}]))
        http.get(search_request(["3"]), search_response([hit("3")]))
        output = read(SourceConfluence(), pages_only(restriction_reconciliation_interval_hours=0), catalog(),
                      state(RECONCILED, {}))
        http.assert_number_of_calls(listing, 1)
    assert final_state(output)["reconciled_at"] > RECONCILED


# -- where the contract is silent -----------------------------------------------------------------

def test_a_principal_list_cut_at_its_limit_is_read_whole_from_the_contents_own_endpoint():
    """The search's expansion pages principals (`limit`, `size`) but gives no way on: a full list
    may hold more. The adversary cuts the list at 2 of 3 readers."""
    cut = operation("read", [user("acc-1"), user("acc-2")], [], limit=2)
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("4", EDITED), page("3", CURSOR)]))
        http.get(search_request(["4"]), search_response([hit("4", read=cut)]))
        first = urlencode([*(("expand", e) for e in PER_CONTENT_EXPAND), ("start", 0), ("limit", 100)])
        http.get(HttpRequest(f"{SITE}/wiki/rest/api/content/4/restriction?{first}"), json_response({
            "results": [operation("read", [user("acc-1"), user("acc-2"), user("acc-3")], []),
                        operation("update", [], [])], "start": 0, "limit": 100, "size": 2, "restrictionsHash": "x",
            "_links": {}}))
        output = read(SourceConfluence(), pages_only(), catalog(), state(RECONCILED, {}))
    assert sorted(r["principal_id"] for r in restriction_records(output)) == ["acc-1", "acc-2", "acc-3"]


def test_changed_content_the_search_no_longer_returns_keeps_its_rows_until_the_reconciliation():
    """Trashed (or hidden) between the walk and the restriction read: the search omits it. Its rows
    are neither re-emitted nor tombstoned from that silence; the state keeps them."""
    emitted = {"4": Emitted("page", "100", frozenset({"read:user:acc-7"}))}
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("4", EDITED), page("3", CURSOR)]))
        http.get(search_request(["4"]), search_response([]))
        output = read(SourceConfluence(), pages_only(), catalog(), state(RECONCILED, emitted))
    assert restriction_records(output) == []
    assert decode_emitted(final_state(output)["container_cursors"]["restrictions"]) == emitted


def test_a_restriction_changed_after_the_walk_is_emitted_as_read_and_not_again():
    """Restricted after the page's walk listed it, before the search: the row carries the version
    time it was read with, and the state holds it, so the next sync emits nothing for it."""
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("4", EDITED), page("3", CURSOR)]))
        http.get(search_request(["4"]), search_response([hit("4", read=operation("read", [user("acc-9")], []))]))
        first = read(SourceConfluence(), pages_only(), catalog(), state(RECONCILED, {}))
    assert [(r["id"], r["updated_at"]) for r in restriction_records(first)] == [("4:read:user:acc-9", EDITED)]
    saved = final_state(first)
    assert decode_emitted(saved["container_cursors"]["restrictions"])["4"].keys == frozenset({"read:user:acc-9"})
