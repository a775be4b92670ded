"""Points accounting (http/points.py): the formula, attribution to streams, and the log lines."""

from __future__ import annotations

import logging
import threading

import pytest
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse
from requests.auth import HTTPBasicAuth

from source_confluence.http.points import SET_UP, PointsLedger, attributed, objects_in, points_of
from source_confluence.http.transport import Transport
from source_confluence.streams.base import AttributedPartition, ListPartitionGenerator, StreamPartition

SITE = "https://example.atlassian.net"


def test_a_response_costs_one_point_plus_one_per_object_returned():
    assert points_of(requests=1, objects=250) == 251
    assert objects_in(200, {"results": [{"id": "1"}, {"id": "2"}], "_links": {}}) == 2
    assert objects_in(200, {"results": []}) == 0
    assert objects_in(200, {"id": "9", "title": "a page"}) == 1
    assert objects_in(200, [{"id": "1"}, {"id": "2"}, {"id": "3"}]) == 3
    assert objects_in(429, {"errors": [{"status": 429}]}) == 0
    assert objects_in(200, None) == 0
    assert objects_in(204, "") == 0


def test_requests_are_charged_to_the_stream_the_thread_works_for():
    ledger = PointsLedger()
    ledger.request()
    with attributed("pages"):
        ledger.request()
        ledger.returned(250)
        with attributed("users"):
            ledger.request()
        ledger.request()
    seen: list[str] = []

    def other_thread() -> None:  # attribution is per thread: another worker is not charged to pages
        ledger.request()
        seen.append("done")

    with attributed("pages"):
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    usage = ledger.usage()
    assert (usage["pages"].requests, usage["pages"].objects, usage["pages"].points) == (2, 250, 252)
    assert usage["users"].requests == 1
    assert usage[SET_UP].requests == 2 and seen == ["done"]
    assert ledger.total().points == 255


def test_the_log_gives_every_stream_and_the_total(caplog: pytest.LogCaptureFixture):
    ledger = PointsLedger()
    with attributed("pages"):
        ledger.request()
        ledger.returned(3)
    with attributed("spaces"):
        ledger.request()
    with caplog.at_level(logging.INFO, logger="test-points"):
        ledger.log(logging.getLogger("test-points"))
    assert [r.getMessage() for r in caplog.records] == [
        "Cost of stream 'pages': 1 request(s), 3 object(s) returned, 4 point(s).",
        "Cost of stream 'spaces': 1 request(s), 0 object(s) returned, 1 point(s).",
        "Cost of this sync: 2 request(s), 3 object(s) returned, 5 point(s) (Atlassian's points: 1 per request "
        "+ 1 per object returned).",
    ]


class _Listing(StreamPartition):
    def __init__(self, transport: Transport) -> None:
        super().__init__("pages", {"space_id": "1"})
        self._transport = transport

    def read(self):  # type: ignore[no-untyped-def]
        body, _ = self._transport.get_list("/wiki/api/v2/pages")
        yield from body["results"]


def test_the_transport_counts_what_a_partition_reads_including_retries():
    ledger = PointsLedger()
    transport = Transport(SITE, HTTPBasicAuth("a", "b"), logging.getLogger("t"), ledger=ledger,
                          backoff_base_seconds=0.001)
    generator = ListPartitionGenerator(lambda: iter([_Listing(transport)]), "pages")
    with HttpMocker() as http:
        http.get(HttpRequest(f"{SITE}/wiki/api/v2/pages"), [
            HttpResponse('{"errors": []}', 503),
            HttpResponse('{"results": [{"id": "1"}, {"id": "2"}], "_links": {}}', 200),
        ])
        partitions = list(generator.generate())
        assert isinstance(partitions[0], AttributedPartition)
        assert partitions[0].stream_name() == "pages" and partitions[0].to_slice() == {"space_id": "1"}
        items = list(partitions[0].read())
    assert [item["id"] for item in items] == ["1", "2"]
    usage = ledger.usage()
    assert set(usage) == {"pages"}
    assert (usage["pages"].requests, usage["pages"].objects, usage["pages"].points) == (2, 2, 4)
