"""`decisions` riding the content walks (issue 14): with `pages` selected it reads no body of its own;
a sync killed between the pages and the decisions leaves the containers pending, read by id next;
out of step, it walks the gap from its own cursor, each decision once."""

from __future__ import annotations

from urllib.parse import urlencode

from airbyte_cdk.models import SyncMode, Type
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.sync.idset import decode_ids, encode_ids
from source_confluence.sync.ledger import ItemLedger
from unit_tests.builders import (
    SITE,
    STATUSES,
    config,
    content_list_request,
    json_response,
    list_response,
    page,
    space,
    spaces_request,
)
from unit_tests.test_decisions import adf_decisions
from unit_tests.test_walk_ties import RECENTLY, T1, T2, T3

PAGES_MARK = {"updated_at": T1, "cursor_versions": {T1: ["10#2"]}}
PENDING = "pending_containers"
BLOG_MARK = {"updated_at": T1, "checked_at": RECENTLY}


def catalog(*streams: str):
    builder = CatalogBuilder()
    for name in streams:
        builder = builder.with_stream(name, SyncMode.incremental)
    return builder.build()


def pages_cursor(mark: dict) -> dict:
    return {**mark, "complete": True, "synced_ids": encode_ids(["10", "11"]), "reconciled_at": RECENTLY}


def states(pages: dict | None, decisions: dict | None) -> list:
    builder = StateBuilder()
    if pages is not None:
        builder = builder.with_stream_state("pages", {"states": [{"partition": {"space_id": "100"}, "cursor": pages}]})
    if decisions is not None:
        builder = builder.with_stream_state("decisions", {"states": [
            {"partition": {"space_id": "100"}, "cursor": decisions}]})
    return builder.build()


def decisions_cursor(page_mark: dict, pending: dict | None = None) -> dict:
    parts = {"page": {**page_mark, "checked_at": RECENTLY}, "blogpost": BLOG_MARK}
    if pending is not None:
        parts[PENDING] = {"page": pending}
    return {"updated_at": page_mark.get("updated_at"), "complete": True, "container_cursors": parts}


def last_decisions_cursor(output) -> dict:
    found = [m.state.stream.stream_state.__dict__ for m in output.state_messages
             if m.state.stream.stream_descriptor.name == "decisions"]
    return found[-1]["states"][0]["cursor"]


def decision_rows(output) -> list[tuple[str, str | None, str | None]]:
    return [(r.record.data["id"], r.record.data.get("state"), r.record.data.get("deleted_at") is not None and "gone"
             or r.record.data["updated_at"]) for r in output.records if r.record.stream == "decisions"]


def by_id_request(kind: str, ids: list[str]) -> HttpRequest:
    params = [("id", i) for i in ids] + [("status", s) for s in STATUSES[kind]] + [
        ("body-format", "storage"), ("limit", "250")]
    return HttpRequest(f"{SITE}/wiki/api/v2/{kind}?{urlencode(params)}")


def mock_blog_posts(http: HttpMocker) -> None:
    """`blog_posts` is not selected: decisions walks the blog posts on its own (one request)."""
    http.get(content_list_request("blogposts", "100", descending=True), list_response([]))


def test_with_pages_selected_a_sync_with_no_change_makes_no_request_for_the_decisions_of_pages():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        walk = content_list_request("pages", "100", descending=True)
        http.get(walk, list_response([page("10", T1)]))
        mock_blog_posts(http)
        output = read(SourceConfluence(), config(), catalog("pages", "decisions"),
                      states(pages_cursor(PAGES_MARK), decisions_cursor(PAGES_MARK)))
        http.assert_number_of_calls(walk, 1)  # the pages walk's, which decisions rode
    assert not output.errors and not output.records
    assert last_decisions_cursor(output)["container_cursors"]["page"]["updated_at"] == T1


def test_a_changed_pages_decisions_come_with_no_extra_request_and_a_removed_one_is_tombstoned():
    ledger = ItemLedger({"10": {"10:d-1": T1, "10:d-2": T1}})
    body = adf_decisions(("d-1", "DECIDED", "<p>Kept</p>"), ("d-3", "UNDECIDED", "<p>New</p>"))
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        walk = content_list_request("pages", "100", descending=True)
        http.get(walk, list_response([page("10", T3, version=3, body=body), page("10", T1)]))
        mock_blog_posts(http)
        output = read(SourceConfluence(), config(), catalog("pages", "decisions"),
                      states(pages_cursor(PAGES_MARK), decisions_cursor({**PAGES_MARK, "items": ledger.encode()})))
        http.assert_number_of_calls(walk, 1)
    assert not output.errors
    assert decision_rows(output) == [("10:d-1", "decided", T3), ("10:d-3", "undecided", T3), ("10:d-2", None, "gone")]
    tombstone = [r.record.data for r in output.records if r.record.data.get("deleted_at")][0]
    assert tombstone["updated_at"] >= T3
    final = last_decisions_cursor(output)["container_cursors"]["page"]
    assert final["updated_at"] == T3 and final["cursor_versions"] == {T3: ["10#3"]}
    assert ItemLedger.decode(final["items"]).items_of("10") == {"10:d-1": T1, "10:d-3": T3}


def killed_after_the_pages(body: str) -> tuple[dict, dict]:
    """A sync of pages and decisions stopped before its first decision record: the pages and
    decisions states delivered until then."""
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("11", T3, body=body), page("12", T2), page("10", T1)]))
        mock_blog_posts(http)
        first = read(SourceConfluence(), config(), catalog("pages", "decisions"),
                     states(pages_cursor(PAGES_MARK), decisions_cursor(PAGES_MARK)))
    assert [r.record.data["id"] for r in first.records if r.record.stream == "decisions"] == ["11:d-1"]
    # Killed before the first decision record went out: the states delivered until then.
    kept: dict[str, dict] = {}
    for message in first.records_and_state_messages:
        if message.type == Type.RECORD and message.record.stream == "decisions":
            break
        if message.type == Type.STATE:
            kept[message.state.stream.stream_descriptor.name] = message.state.stream.stream_state.__dict__
    pages_state = kept["pages"]["states"][0]["cursor"]
    pending = kept["decisions"]["states"][0]["cursor"]["container_cursors"][PENDING]["page"]
    assert pages_state["updated_at"] == T3 and decode_ids(pending["ids"]) == {"11"}  # 12 holds no decision
    return pages_state, kept["decisions"]["states"][0]["cursor"]


def test_a_sync_killed_after_the_pages_leaves_their_containers_pending_and_the_next_reads_them_by_id():
    body = adf_decisions(("d-1", "DECIDED", "<p>Ship it</p>"))
    pages_state, decisions_state = killed_after_the_pages(body)
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        walk = content_list_request("pages", "100", descending=True)
        http.get(walk, list_response([page("11", T3, body=body)]))
        by_id = by_id_request("pages", ["11"])
        http.get(by_id, list_response([page("11", T3, body=body)]))
        mock_blog_posts(http)
        second = read(SourceConfluence(), config(), catalog("pages", "decisions"), states(pages_state, decisions_state))
        http.assert_number_of_calls(walk, 1)
        http.assert_number_of_calls(by_id, 1)
    assert not second.errors
    assert decision_rows(second) == [("11:d-1", "decided", T3)]
    final = last_decisions_cursor(second)["container_cursors"]
    assert final["page"]["updated_at"] == T3 and "ids" not in final[PENDING]["page"]


def test_out_of_step_it_walks_the_gap_from_its_own_cursor_and_emits_each_decision_once():
    """The pages synced on their own up to T2; decisions, newly selected, has no state."""
    old = adf_decisions(("d-9", "DECIDED", "<p>Old</p>"))
    new = adf_decisions(("d-1", "UNDECIDED", "<p>New</p>"))
    pages_mark = {"updated_at": T2, "cursor_versions": {T2: ["9#2"]}}
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        walk = content_list_request("pages", "100", descending=True)
        http.get(walk, list_response([page("10", T3, version=3, body=new), page("9", T2, body=old)]))
        gap = content_list_request("pages", "100", descending=False)
        http.get(gap, list_response([page("9", T2, body=old), page("10", T3, version=3, body=new)]))
        http.get(content_list_request("blogposts", "100", descending=False), list_response([]))
        output = read(SourceConfluence(), config(), catalog("pages", "decisions"), states(pages_cursor(pages_mark), None))
        http.assert_number_of_calls(gap, 1)
    assert not output.errors
    assert decision_rows(output) == [("9:d-9", "decided", T2), ("10:d-1", "undecided", T3)]
    final = last_decisions_cursor(output)["container_cursors"]
    assert final["page"]["updated_at"] == T3 and final["page"]["cursor_versions"] == {T3: ["10#3"]}
    assert final[PENDING]["page"]["pages_at"]["updated_at"] == T3  # in step from now on


def test_pages_read_in_full_refresh_leave_decisions_with_a_cursor_out_of_step_so_it_walks_from_it():
    """A first walk leaves archived pages out; decisions' own walk from its cursor still reads them."""
    body = adf_decisions(("d-4", "DECIDED", "<p>Archive it</p>"))
    catalog_ = CatalogBuilder().with_stream("pages", SyncMode.full_refresh).with_stream(
        "decisions", SyncMode.incremental).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False), list_response([page("10", T1)]))
        own = content_list_request("pages", "100", descending=True)
        http.get(own, list_response([page("12", T3, status="archived", body=body), page("10", T1)]))
        mock_blog_posts(http)
        output = read(SourceConfluence(), config(), catalog_, states(None, decisions_cursor(PAGES_MARK)))
        http.assert_number_of_calls(own, 1)
    assert not output.errors
    assert decision_rows(output) == [("12:d-4", "decided", T3)]


def test_a_first_sync_rides_the_archived_pages_the_pages_leave_out():
    body = adf_decisions(("d-5", "UNDECIDED", "<p>Kept in the archive</p>"))
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        walk = content_list_request("pages", "100", descending=False)
        http.get(walk, list_response([page("10", T1), page("12", T2, status="archived", body=body)]))
        http.get(content_list_request("blogposts", "100", descending=False), list_response([]))
        output = read(SourceConfluence(), config(), catalog("pages", "blog_posts", "decisions"))
        http.assert_number_of_calls(walk, 1)
    assert not output.errors
    assert [r.record.data["id"] for r in output.records if r.record.stream == "pages"] == ["10"]
    assert decision_rows(output) == [("12:d-5", "undecided", T2)]


def test_a_pending_read_whose_page_link_expires_is_read_again_from_its_start():
    """Found by the Cloud adversary: the by-id read of pending containers let an expired page link
    (HTTP 400) fail the sync; it is read again whole, as every list read whole is."""
    body = adf_decisions(("d-1", "DECIDED", "<p>Ship it</p>"))
    pages_state, decisions_state = killed_after_the_pages(body)
    expired = f"{SITE}/wiki/api/v2/pages?cursor=expired"
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("11", T3, body=body)]))
        by_id = by_id_request("pages", ["11"])
        http.get(by_id, [list_response([page("11", T3, body=body)], next_link=expired),
                         list_response([page("11", T3, body=body)], next_link=expired)])
        http.get(HttpRequest(expired), [json_response({"message": "cursor expired"}, status=400), list_response([])])
        mock_blog_posts(http)
        second = read(SourceConfluence(), config(), catalog("pages", "decisions"), states(pages_state, decisions_state))
        http.assert_number_of_calls(by_id, 2)
    assert not second.errors
    assert decision_rows(second) == [("11:d-1", "decided", T3)]
