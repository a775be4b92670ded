"""Tasks removed from Data Center bodies (issue 14): a task gone from its container's body, and the
tasks of a purged container, become tombstones; before, a removed Data Center task was never reported."""

from __future__ import annotations

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.sync.ledger import ItemLedger
from unit_tests.dc_builders import config, json_response, page, request, results, search_request, space, spaces_request

CURSOR = "2024-03-01T10:20:00.000Z"
RECENT = "2099-01-01T00:00:00.000Z"  # checked "later" than now: the check is not due
ASC = " order by lastmodified asc"


def task_list(*local_ids: str) -> str:
    tasks = "".join(f"<ac:task><ac:task-id>{i}</ac:task-id><ac:task-status>incomplete</ac:task-status>"
                    f"<ac:task-body>Do {i}</ac:task-body></ac:task>" for i in local_ids)
    return f"<ac:task-list>{tasks}</ac:task-list>"


def tasks_state(ledger: ItemLedger, checked_at: str | None) -> list:
    mark = {"updated_at": CURSOR, "items": ledger.encode(), **({"checked_at": checked_at} if checked_at else {})}
    cursor = {"updated_at": CURSOR, "complete": True, "container_cursors": {"page": mark, "blogpost": {"updated_at": None}}}
    return StateBuilder().with_stream_state("tasks", {"states": [{"partition": {"space_id": "98305"},
                                                                  "cursor": cursor}]}).build()


def catalog():
    return CatalogBuilder().with_stream("tasks", SyncMode.incremental).build()


def mock_walks(http: HttpMocker, changed: list[dict]) -> None:
    http.get(spaces_request(), results([space()]))
    http.get(search_request('type = page and space = "ENG" and lastmodified >= "2024-03-01 11:20"' + ASC,
                            "space,history,version,ancestors", 250), results(changed, limit=250))
    http.get(search_request('type = blogpost and space = "ENG"' + ASC, "space,history,version,ancestors", 250),
             results([], limit=250))


def test_a_task_gone_from_a_data_center_body_is_tombstoned():
    ledger = ItemLedger({"8": {"8-5": None, "8-6": None}})
    with HttpMocker() as http:
        mock_walks(http, [page("8", "2024-03-01T11:30:00.000+01:00", body=None)])
        http.get(search_request("type = page and id in (8)" + ASC, "space,version,body.storage", 50),
                 results([page("8", "2024-03-01T11:30:00.000+01:00", body=task_list("5"))]))
        output = read(SourceConfluence(), config(), catalog(), tasks_state(ledger, RECENT))
    assert not output.errors
    records = [r.record.data for r in output.records]
    assert [(r["id"], r["status"], r.get("deleted_at") is not None) for r in records] == [
        ("8-5", "incomplete", False), ("8-6", "deleted", True)]
    assert records[1]["container_id"] == "8" and records[1]["updated_at"] == records[1]["deleted_at"] >= CURSOR
    final = output.state_messages[-1].state.stream.stream_state.__dict__["states"][0]["cursor"]
    assert ItemLedger.decode(final["container_cursors"]["page"]["items"]).items_of("8") == {"8-5": None}


def test_the_tasks_of_a_purged_data_center_page_are_tombstoned_when_the_check_is_due():
    ledger = ItemLedger({"8": {"8-5": None}, "9": {"9-1": None, "9-2": None}})
    with HttpMocker() as http:
        mock_walks(http, [])
        http.get(request("/content/scan", [("type", "page"), ("spaceKey", "ENG"), ("expand", ""), ("limit", 250)]),
                 results([page("8", "2024-03-01T09:00:00.000+01:00", body=None)], limit=250))
        http.get(request("/content/9", [("status", "any"), ("expand", "container")]),
                 json_response({"statusCode": 404, "message": "No content found with id 9"}, status=404))
        output = read(SourceConfluence(), config(), catalog(), tasks_state(ledger, None))
    assert not output.errors
    assert [(r.record.data["id"], r.record.data["status"]) for r in output.records] == [
        ("9-1", "deleted"), ("9-2", "deleted")]
    final = output.state_messages[-1].state.stream.stream_state.__dict__["states"][0]["cursor"]
    page_mark = final["container_cursors"]["page"]
    assert ItemLedger.decode(page_mark["items"]).containers() == ["8"] and page_mark["checked_at"]


def test_a_tombstone_is_never_older_than_the_task_version_emitted_before_it_in_the_same_sync():
    """Found by the Data Center adversary: a page edited between the walk that listed it and the read
    of its body (a version time after the sync's start) had its task emitted at that time, then the
    page was trashed and the due check tombstoned the task at the sync's start, before that record."""
    later = "2099-01-01T10:00:00.000+01:00"
    with HttpMocker() as http:
        mock_walks(http, [page("8", "2024-03-01T11:30:00.000+01:00", body=None)])
        http.get(search_request("type = page and id in (8)" + ASC, "space,version,body.storage", 50),
                 results([page("8", later, body=task_list("5"))]))
        http.get(request("/content/scan", [("type", "page"), ("spaceKey", "ENG"), ("expand", ""), ("limit", 250)]),
                 results([], limit=250))
        http.get(request("/content/8", [("status", "any"), ("expand", "container")]),
                 json_response({**page("8", later, body=None), "status": "trashed"}))
        output = read(SourceConfluence(), config(), catalog(), tasks_state(ItemLedger({"8": {"8-5": None}}), None))
    assert not output.errors
    records = [r.record.data for r in output.records]
    assert [(r["id"], r["status"]) for r in records] == [("8-5", "incomplete"), ("8-5", "deleted")]
    assert records[1]["updated_at"] >= records[0]["updated_at"] == "2099-01-01T09:00:00.000Z"
