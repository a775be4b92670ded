"""A newest-first walk's probe (streams/probe.py) against the worst the list's contract allows:
versions at the cursor's instant come in any order, and a new one may share it."""

from __future__ import annotations

from types import SimpleNamespace

from source_confluence.api.protocol import ListPage
from source_confluence.streams.probe import METERED_PAGE_SIZE, probe
from source_confluence.streams.walk import WalkSource
from source_confluence.sync.state import PartitionState

T1, T2, T3 = "2024-05-01T10:00:00.000Z", "2024-05-02T10:00:00.000Z", "2024-05-03T10:00:00.000Z"
SOURCE = WalkSource(stream="pages", key={"space_id": "1"}, kind="page", space_id="1", describe="space S")
STATE = PartitionState(updated_at=T2, cursor_versions={T2: ("2#1",)}, complete=True)


def item(content_id: str, at: str, version: int = 1) -> dict:
    return {"id": content_id, "version": {"number": version, "createdAt": at}}


class Client:
    page_size = 250

    def __init__(self, results: list[dict], more: bool) -> None:
        self.page = ListPage(results, {"next": "/wiki/api/v2/pages?cursor=x"} if more else None, "https://x/wiki")
        self.asked: list[int | None] = []

    def walk(self, kind, space_id, order, lower, bodies, resume=None, limit=None):  # type: ignore[no-untyped-def]
        self.asked.append(limit)
        yield self.page


def run(client: Client, metered: bool = True, state: PartitionState = STATE) -> list[ListPage] | None:
    context = SimpleNamespace(client=client, config=SimpleNamespace(credentials=SimpleNamespace(uses_gateway=metered)))
    pages = probe(context, SOURCE, state, bodies=True)  # type: ignore[arg-type]
    return None if pages is None else list(pages)


def test_a_page_reaching_below_the_cursor_is_the_whole_walk():
    client = Client([item("2", T2), item("1", T1)], more=True)
    [page] = run(client) or []
    assert client.asked == [2]  # the one version at the cursor, plus one
    assert page.resume is None and [r["id"] for r in page.results] == ["2", "1"]


def test_a_page_of_versions_at_the_cursor_only_proves_nothing():
    # A new version at the cursor's instant listed first: more may follow at the same instant.
    client = Client([item("5", T2, 2), item("2", T2)], more=True)
    pages = run(client)
    assert client.asked == [2, METERED_PAGE_SIZE]  # the walk, from the start
    assert pages is not None and pages[0].resume is not None


def test_a_changed_partition_is_read_from_the_top_in_small_pages():
    # Atlassian charges every object a page returns: a page of 250 for a few changes is mostly waste.
    client = Client([item("7", T3), item("6", T3)], more=True)
    pages = run(client)
    assert client.asked == [2, METERED_PAGE_SIZE] == [2, 25]
    assert pages is not None and [r["id"] for r in pages[0].results] == ["7", "6"]
    assert pages[0].resume == {"next": "/wiki/api/v2/pages?cursor=x"}  # the server's link, followed as given


def test_a_small_configured_page_size_is_kept():
    client = Client([item("7", T3), item("6", T3)], more=True)
    client.page_size = 10
    run(client)
    assert client.asked == [2, None]  # the configured page size: no smaller page asked for


def test_the_end_of_the_list_ends_the_walk_whatever_it_holds():
    [page] = run(Client([item("7", T3)], more=False)) or []
    assert [r["id"] for r in page.results] == ["7"]


def test_api_token_traffic_and_walks_without_a_cursor_are_not_probed():
    client = Client([item("2", T2), item("1", T1)], more=True)
    assert run(client, metered=False) is None
    assert run(client, state=PartitionState()) is None
    assert client.asked == []
