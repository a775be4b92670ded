"""A read whose pages go through the body pool: the same records as without it, the workers get
bodies and names only (never the config or its secrets), and none outlives the read, also when the
read fails."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.records import body_pool
from source_confluence.records.body_pool import BodyPool, ConvertedPage
from source_confluence.sync.idset import encode_ids
from source_confluence.timestamps import format_timestamp
from unit_tests.builders import (
    API_TOKEN,
    EMAIL,
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
from unit_tests.test_body_pool import MENTION, children_of
from unit_tests.test_decisions import adf_decisions

T1, T2 = "2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"
BODY = "<p>Hello <strong>world</strong> " + MENTION + "</p>" + adf_decisions(("d1", "DECIDED", "ship it"))


class SpiedPool(BodyPool):
    """The real pool, remembering what its workers were sent."""

    sent: list[bytes] = []
    pooled = 0
    started = 0

    def start(self) -> None:
        SpiedPool.started += 1
        super().start()

    def convert(self, bodies: Sequence[str | None], names: Mapping[str, str] | None,
                with_decisions: bool = False) -> ConvertedPage:
        SpiedPool.sent.append(pickle.dumps((list(bodies), names, with_decisions)))
        before = self.pooled_pages
        page = super().convert(bodies, names, with_decisions)
        SpiedPool.pooled += self.pooled_pages - before
        return page


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[SpiedPool]]:
    monkeypatch.setattr(body_pool, "BodyPool", SpiedPool)
    monkeypatch.setattr(body_pool, "MIN_POOLED_BODIES", 1)
    monkeypatch.setenv(body_pool.WORKERS_ENV, "1")
    SpiedPool.sent, SpiedPool.pooled, SpiedPool.started = [], 0, 0
    yield SpiedPool
    body_pool.close_shared_pool()


def catalog() -> Any:
    return CatalogBuilder().with_stream("pages", SyncMode.incremental).with_stream(
        "decisions", SyncMode.incremental).build()


def records(output: Any) -> list[dict[str, Any]]:
    return sorted((m.record.data for m in output.records), key=lambda data: (m_stream(data), data["id"]))


def m_stream(data: dict[str, Any]) -> str:
    return "decision" if "local_id" in data else "page"


def mock_site(http: HttpMocker) -> None:
    http.get(spaces_request(), list_response([space()]))
    http.get(content_list_request("blogposts", "100", descending=False), list_response([]))
    http.post(HttpRequest(f"{SITE}/wiki/api/v2/users-bulk", body={"accountIds": ["u1"]}),
              json_response({"results": [{"accountId": "u1", "displayName": "Ada Lovelace"}]}))


def sync() -> Any:
    with HttpMocker() as http:
        mock_site(http)
        http.get(content_list_request("pages", "100", descending=False),
                 list_response([page("1", T1, body=BODY), page("2", T2, body="<p>two</p>")]))
        return read(SourceConfluence(), config(), catalog())


def test_a_pooled_read_emits_what_an_unpooled_one_does(spied: type[SpiedPool], monkeypatch) -> None:
    pooled = sync()
    assert spied.started == 1 and spied.pooled >= 1 and not pooled.errors
    assert children_of(os.getpid()) == set()  # the read closed the pool
    monkeypatch.setenv(body_pool.WORKERS_ENV, "0")
    in_place = sync()
    assert records(pooled) == records(in_place)
    texts = {r["id"]: r.get("body_text") for r in records(pooled) if "local_id" not in r}
    assert texts["1"].startswith("Hello world @Ada Lovelace")
    assert [r["id"] for r in records(pooled) if "local_id" in r] == ["1:d1"]


def test_workers_are_sent_bodies_and_names_never_the_config(spied: type[SpiedPool]) -> None:
    sync()
    assert spied.pooled >= 1
    sent = b"".join(spied.sent)
    assert BODY.encode() in sent
    assert API_TOKEN.encode() not in sent and EMAIL.encode() not in sent


def test_a_failed_read_leaves_no_worker(spied: type[SpiedPool]) -> None:
    with HttpMocker() as http:
        mock_site(http)
        http.get(content_list_request("pages", "100", descending=False),
                 list_response([page("1", T1, body=BODY)], next_link("pages", "100", False, "c2")))
        # The next page is not served: the read fails after the pool converted the first.
        output = read(SourceConfluence(), config(), catalog(), expecting_exception=True)
    assert spied.pooled >= 1
    assert output.errors
    assert children_of(os.getpid()) == set()


def test_an_incremental_sync_converts_in_place_without_forking(spied: type[SpiedPool]) -> None:
    # Its few changed pages cost less to convert than starting workers would.
    cursor = {"updated_at": T1, "ids_at_cursor": ["1"], "complete": True, "known": encode_ids(["1"]),
              "reconciled_at": format_timestamp(datetime.now(UTC))}
    state = StateBuilder().with_stream_state("pages", {"states": [{"partition": {"space_id": "100"},
                                                                   "cursor": cursor}]}).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("2", T2, body="<p>two</p>"), page("1", T1)]))
        output = read(SourceConfluence(), config(), CatalogBuilder().with_stream("pages", SyncMode.incremental).build(),
                      state=state)
    assert [r.record.data["body_text"] for r in output.records] == ["two"]
    assert (spied.started, spied.pooled) == (0, 0)
