"""api.cloud.comment_creations: how edited comments' ids are split into searches, and what a version 1
already read by `content_versions` saves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from source_confluence.api.cloud.comment_creations import CommentCreations
from source_confluence.api.protocol import FOOTER_COMMENT

CREATED = "2024-01-01T09:00:00.000Z"


class FakeTransport:
    """Answers every search with all the ids it asked for; records each link."""

    def __init__(self) -> None:
        self.links: list[str] = []

    def get_list(self, link: str) -> tuple[Any, None]:
        self.links.append(link)
        cql = parse_qs(urlsplit(link).query)["cql"][0]
        ids = cql.removeprefix("id in (").removesuffix(")").split(",")
        hits = [{"id": i, "type": "comment", "status": "current",
                 "history": {"latest": True, "createdDate": CREATED, "createdBy": {"accountId": "acc-1"}}} for i in ids]
        return {"results": hits, "size": len(hits), "_links": {}}, None


class FakeClient:
    def __init__(self, known: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.transport = FakeTransport()
        self.known = dict(known or {})
        self.version_reads: list[str] = []

    def comment_version(self, kind: str, comment_id: str, number: int) -> Mapping[str, Any] | None:
        self.version_reads.append(comment_id)
        return None

    def known_first_version(self, kind: str, comment_id: str) -> Mapping[str, Any] | None:
        return self.known.get(comment_id)


def test_ids_are_searched_a_hundred_at_a_time():
    client = FakeClient()
    ids = [str(100_000 + n) for n in range(250)]
    found = CommentCreations(client, 100).first_versions(FOOTER_COMMENT, ids)
    asked = [parse_qs(urlsplit(link).query)["cql"][0].count(",") + 1 for link in client.transport.links]
    assert asked == [100, 100, 50]
    assert found["100249"] == {"number": 1, "createdAt": CREATED, "authorId": "acc-1"}
    assert len(found) == 250 and client.version_reads == []


def test_long_ids_keep_each_search_url_well_under_4_kb():
    client = FakeClient()
    ids = [str(10**39 + n) for n in range(100)]  # 40 digits each
    CommentCreations(client, 100).first_versions(FOOTER_COMMENT, ids)
    asked = [parse_qs(urlsplit(link).query)["cql"][0].count(",") + 1 for link in client.transport.links]
    assert asked == [48, 48, 4]  # 41 characters an id with its comma: 48 fit in MAX_IDS_CHARS
    assert all(len(link) < 3_000 for link in client.transport.links)


def test_a_first_version_read_by_content_versions_is_neither_searched_nor_asked_for():
    first = {"number": 1, "createdAt": "2023-05-05T05:05:05.000Z", "authorId": "acc-9"}
    client = FakeClient(known={"501": first})
    found = CommentCreations(client, 100).first_versions(FOOTER_COMMENT, ["501", "502"])
    assert found["501"] is first and found["502"]["createdAt"] == CREATED
    assert [parse_qs(urlsplit(link).query)["cql"][0] for link in client.transport.links] == ["id in (502)"]
    assert client.version_reads == []
    CommentCreations(client, 100).first_versions(FOOTER_COMMENT, ["501"])
    assert len(client.transport.links) == 1  # nothing left to search
