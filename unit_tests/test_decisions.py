"""`decisions` (issue 14): decision items parsed from container bodies in both storage forms, read
incrementally with the containers, tombstoned when they leave a body or their container is gone."""

from __future__ import annotations

from urllib.parse import urlencode

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.records.decisions import decisions_in_storage
from source_confluence.sync.ledger import ItemLedger
from unit_tests.builders import (
    SITE,
    config,
    containers_request,
    content_list_request,
    json_response,
    list_response,
    page,
    space,
    spaces_request,
)
from unit_tests.test_walk_ties import RECENTLY, T1, T2, T3


def adf_decisions(*items: tuple[str, str, str]) -> str:
    """The current form: a decision list ADF extension of (local id, state, content storage)."""
    nodes = "".join(
        f'<ac:adf-node type="decision-item"><ac:adf-attribute key="local-id">{local_id}</ac:adf-attribute>'
        f'<ac:adf-attribute key="state">{state}</ac:adf-attribute><ac:adf-content>{content}</ac:adf-content>'
        "</ac:adf-node>" for local_id, state, content in items)
    return ('<ac:adf-extension><ac:adf-node type="decision-list"><ac:adf-attribute key="local-id">list-1'
            f"</ac:adf-attribute>{nodes}</ac:adf-node><ac:adf-fallback><ul class=\"decision-list\"><li>fallback"
            "</li></ul></ac:adf-fallback></ac:adf-extension>")


def macro_decision(macro_id: str, status: str, body: str) -> str:
    """The older form: one structured macro per decision."""
    return (f'<ac:structured-macro ac:name="decision" ac:schema-version="1" ac:macro-id="{macro_id}">'
            f'<ac:parameter ac:name="status">{status}</ac:parameter><ac:rich-text-body>{body}</ac:rich-text-body>'
            "</ac:structured-macro>")


LISTING = [("space-id", "100"), *[("status", s) for s in ("current", "archived", "trashed", "deleted")],
           ("sort", "id"), ("limit", "250")]
MENTION = '<ac:link><ri:user ri:account-id="acc-7" /></ac:link>'


# -- the parser ------------------------------------------------------------------------------------
def test_both_forms_are_read_in_body_order_with_nested_mentions_as_names():
    body = ("<p>Intro</p>" + adf_decisions(("d-1", "DECIDED", f"<p>Ship with <strong>{MENTION}</strong></p>"),
                                           ("d-2", "UNDECIDED", "<p>Rename &amp; move</p>"))
            + macro_decision("m-9", "decided", f"<p>Old style, asked by <em>{MENTION}</em></p>"))
    found = decisions_in_storage(body, {"acc-7": "Kim Ode"})
    assert [(d.local_id, d.state, d.text) for d in found] == [
        ("d-1", "decided", "Ship with @Kim Ode"),
        ("d-2", "undecided", "Rename & move"),
        ("m-9", "decided", "Old style, asked by @Kim Ode"),
    ]


def test_a_malformed_body_is_read_by_the_tolerant_parse_and_the_fallback_markup_is_not_a_decision():
    body = adf_decisions(("d-1", "DECIDED", "<p>Go</p>")) + "<p>unclosed"
    assert [(d.local_id, d.text) for d in decisions_in_storage(body)] == [("d-1", "Go")]
    assert decisions_in_storage("<ul class=\"decision-list\"><li>not a decision item</li></ul>") == []
    assert decisions_in_storage(None) == []


def test_the_ledger_round_trips_and_reports_what_left_a_container():
    ledger = ItemLedger()
    ledger.replace("10", {"10:a": T1, "10:b": T2})
    ledger.add("11", "t-1")
    again = ItemLedger.decode(ledger.encode())
    assert again.items_of("10") == {"10:a": T1, "10:b": T2} and again.items_of("11") == {"t-1": None}
    assert again.replace("10", {"10:b": T2}) == ["10:a"]
    assert again.drop("11") == ["t-1"] and again.containers() == ["10"]


# -- the stream ------------------------------------------------------------------------------------
def catalog():
    return CatalogBuilder().with_stream("decisions", SyncMode.incremental).build()


def decisions_state(page_mark: dict) -> list:
    cursor = {"updated_at": page_mark["updated_at"], "complete": True,
              "container_cursors": {"page": page_mark, "blogpost": {"updated_at": T1}}}
    return StateBuilder().with_stream_state("decisions", {"states": [
        {"partition": {"space_id": "100"}, "cursor": cursor}]}).build()


def last_page_mark(output) -> dict:
    states = [m.state.stream.stream_state.__dict__ for m in output.state_messages]
    return states[-1]["states"][0]["cursor"]["container_cursors"]["page"]


def test_first_sync_emits_every_decision_with_its_container_version_time_and_keeps_a_ledger():
    body = adf_decisions(("d-1", "DECIDED", f"<p>Ship {MENTION}</p>")) + macro_decision("m-2", "undecided", "<p>Later</p>")
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False), list_response([page("10", T2, body=body)]))
        http.get(content_list_request("blogposts", "100", descending=False), list_response([]))
        http.post(HttpRequest(f"{SITE}/wiki/api/v2/users-bulk", body={"accountIds": ["acc-7"]}), json_response({"results": [
            {"accountId": "acc-7", "displayName": "Kim Ode"}]}))
        output = read(SourceConfluence(), config(), catalog())
    assert not output.errors
    assert [r.record.data for r in output.records] == [
        {"id": "10:d-1", "local_id": "d-1", "container_id": "10", "container_type": "page", "space_id": "100",
         "state": "decided", "text": "Ship @Kim Ode", "first_seen_at": T2, "updated_at": T2},
        {"id": "10:m-2", "local_id": "m-2", "container_id": "10", "container_type": "page", "space_id": "100",
         "state": "undecided", "text": "Later", "first_seen_at": T2, "updated_at": T2},
    ]
    assert ItemLedger.decode(last_page_mark(output)["items"]).items_of("10") == {"10:d-1": T2, "10:m-2": T2}


def test_a_decision_gone_from_the_body_is_tombstoned_and_the_others_keep_their_first_seen_time():
    ledger = ItemLedger({"10": {"10:d-1": T1, "10:d-2": T1}})
    mark = {"updated_at": T1, "cursor_versions": {T1: ["10#2"]}, "items": ledger.encode(), "checked_at": RECENTLY}
    body = adf_decisions(("d-1", "DECIDED", "<p>Kept, now decided</p>"))
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("10", T3, version=3, body=body), page("10", T1, body=body)]))
        http.get(content_list_request("blogposts", "100", descending=True), list_response([]))
        output = read(SourceConfluence(), config(), catalog(), decisions_state(mark))
    assert not output.errors
    records = [r.record.data for r in output.records]
    # Null fields leave the connector as absent (the CDK drops them).
    assert [(r["id"], r.get("state"), r.get("first_seen_at"), r["updated_at"], r.get("deleted_at")) for r in records] == [
        ("10:d-1", "decided", T1, T3, None),
        ("10:d-2", None, None, records[1]["updated_at"], records[1]["updated_at"]),
    ]
    assert records[1]["updated_at"] >= T3  # the detection, never before the version it was found gone in
    assert ItemLedger.decode(last_page_mark(output)["items"]).items_of("10") == {"10:d-1": T1}


def test_a_trashed_container_and_a_purged_one_tombstone_all_their_decisions():
    ledger = ItemLedger({"10": {"10:d-1": T1}, "11": {"11:d-5": T1, "11:d-6": T1}})
    mark = {"updated_at": T1, "items": ledger.encode()}  # never checked: the check is due
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("10", T3, status="trashed", version=3), page("9", T1)]))
        http.get(content_list_request("blogposts", "100", descending=True), list_response([]))
        listing = HttpRequest(f"{SITE}/wiki/api/v2/pages?{urlencode(LISTING)}")
        http.get(containers_request("pages", ["11"]), list_response([]))  # purged: not found by id
        http.get(listing, list_response([{"id": "10", "status": "trashed"}]))
        output = read(SourceConfluence(), config(), catalog(), decisions_state(mark))
    records = [r.record.data for r in output.records]
    assert [(r["id"], r.get("deleted_at") is not None) for r in records] == [
        ("10:d-1", True), ("11:d-5", True), ("11:d-6", True)]
    final = last_page_mark(output)
    assert "items" not in final and final["checked_at"]


def test_a_container_moved_to_another_space_then_trashed_there_tombstones_the_decisions_its_old_space_emitted():
    """Found by the Cloud adversary: the decisions were emitted (and kept in the ledger) by the old
    space; the new space's walk saw the page trashed but holds no ledger of it; the old space's check
    counted the page alive because Cloud still finds it by id, trashed, so no tombstone ever came."""
    ledger = ItemLedger({"12": {"12:d-1": T1}})
    mark = {"updated_at": T1, "items": ledger.encode()}  # never checked: the check is due
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([]))
        http.get(content_list_request("blogposts", "100", descending=True), list_response([]))
        http.get(HttpRequest(f"{SITE}/wiki/api/v2/pages?{urlencode(LISTING)}"), list_response([]))
        http.get(containers_request("pages", ["12"]),
                 list_response([page("12", T3, space_id="200", status="trashed", version=4)]))
        output = read(SourceConfluence(), config(), catalog(), decisions_state(mark))
    records = [r.record.data for r in output.records]
    assert [(r["id"], r.get("deleted_at") is not None) for r in records] == [("12:d-1", True)]
    assert "items" not in last_page_mark(output)
