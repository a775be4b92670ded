"""What records reference reaches the sync's collector from the partition, never from a builder or
converter writing into a directory; the users stream's checkpointing watches the collector, so the
accounts of delivered records are in the users state before the content checkpoint covering them."""

from __future__ import annotations

import json
from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest

from source_confluence import SourceConfluence
from source_confluence.records.references import Container, References
from source_confluence.sync.directories import ContainerDirectory
from source_confluence.sync.references import ReferenceCollector
from unit_tests.builders import (
    SITE,
    config,
    content_list_request,
    json_response,
    list_response,
    next_link,
    page,
    space,
    spaces_request,
)


class NoClient:
    """The collector must not ask the API for anything."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the collector called the API ({name})")


def test_a_page_of_references_tells_the_watcher_once_and_only_when_accounts_are_new():
    containers = ContainerDirectory(NoClient())  # type: ignore[arg-type]
    collector = ReferenceCollector(containers)
    heard: list[list[str]] = []
    with collector.watched_by(lambda: heard.append(collector.accounts())):
        collector.add([References.of_accounts("a", None, "b"), References.of_accounts("b", "c"),
                       References(containers=(Container("7", "page", "100", "1"),))])
        collector.add([References.of_accounts("a", "c")])  # nothing new
        collector.add([References(containers=(Container("8", "blogpost", "200"),))])  # no account at all
    collector.add([References.of_accounts("d")])  # no longer watched
    assert heard == [["a", "b", "c"]]
    assert collector.accounts() == ["a", "b", "c", "d"]
    assert containers.get("7") == Container("7", "page", "100")
    assert containers.get("8") == Container("8", "blogpost", "200")


def _page(page_id: str, at: str, author: str) -> dict[str, Any]:
    raw = page(page_id, at)
    raw.update(authorId=author, ownerId=author)
    raw["version"]["authorId"] = author
    return raw


def test_users_state_names_every_account_of_the_pages_records_before_their_checkpoint():
    catalog = CatalogBuilder().with_stream("pages", SyncMode.incremental).with_stream("users", SyncMode.incremental).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False),
                 list_response([_page("1", "2024-01-01T00:00:00.000Z", "acc-a"),
                                _page("2", "2024-01-02T00:00:00.000Z", "acc-b")],
                               next_link("pages", "100", False, "c2")))
        http.get(content_list_request("pages", "100", descending=False, cursor="c2"),
                 list_response([_page("3", "2024-01-03T00:00:00.000Z", "acc-c")]))
        http.post(HttpRequest(f"{SITE}/wiki/api/v2/users-bulk", body={"accountIds": ["acc-1", "acc-a", "acc-b", "acc-c"]}),
                  json_response({"results": [{"accountId": a, "displayName": a.upper()}
                                             for a in ("acc-1", "acc-a", "acc-b", "acc-c")]}))
        output = read(SourceConfluence(), config(num_workers=1), catalog)

    assert not output.errors
    named: set[str] = set()
    saved: set[str] = set()
    pages_checkpoints = 0
    for message in output._messages:
        if message.record is not None and message.record.stream == "pages":
            named |= {message.record.data[f] for f in ("author_id", "owner_id", "version_author_id")}
        elif message.state is not None:
            stream = message.state.stream
            data = json.loads(json.dumps(stream.stream_state.__dict__))
            if stream.stream_descriptor.name == "users":
                for entry in data.get("states", []):
                    saved |= set(entry["cursor"].get("pending_accounts", []))
            elif stream.stream_descriptor.name == "pages":
                pages_checkpoints += 1
                assert named <= saved, f"a pages checkpoint covers accounts not in the users state: {named - saved}"
    assert pages_checkpoints >= 2 and named == {"acc-a", "acc-b", "acc-c"}
    users = {r.record.data["account_id"] for r in output.records if r.record.stream == "users"}
    assert users == {"acc-1", "acc-a", "acc-b", "acc-c"}  # acc-1: the space's author
    # The users phase resolved them all, so its final state carries no pending account.
    final = [m.state.stream.stream_state.__dict__ for m in output.state_messages
             if m.state.stream.stream_descriptor.name == "users"][-1]
    assert all("pending_accounts" not in entry["cursor"] for entry in final["states"])
