"""A first sync reads the site-wide comment lists from both ends at once (streams/walk_ends.py):
the requests it makes, where the halves stop, and what its checkpoints may claim."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from airbyte_cdk.models import SyncMode, Type
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.streams import walk_ends
from unit_tests.builders import SITE, comment, config, list_response, page, space, spaces_request
from unit_tests.every_checkpoint import every_checkpoint  # noqa: F401 - a fixture

PAGE_SIZE = 2
T = {n: f"2024-01-{n:02d}T00:00:00.000Z" for n in range(1, 31)}
FOOTER = "footer-comments"


@pytest.fixture
def inline_ahead() -> Iterator[None]:
    """The newest-first half in the caller's thread: its requests come in a fixed order."""
    saved = walk_ends.AHEAD
    walk_ends.AHEAD = walk_ends.InlineAhead
    yield
    walk_ends.AHEAD = saved


def list_request(kind: str, descending: bool, cursor: str | None = None) -> HttpRequest:
    params = [("body-format", "storage"), ("sort", "-modified-date" if descending else "modified-date"),
              ("limit", str(PAGE_SIZE))]
    if cursor:
        params.append(("cursor", cursor))
    return HttpRequest(f"{SITE}/wiki/api/v2/{kind}?{urlencode(params)}")


def link(descending: bool, cursor: str) -> str:
    request = list_request(FOOTER, descending, cursor)
    return request._parsed_url.path + "?" + request._parsed_url.query


def c(comment_id: str, day: int, version: int = 1) -> dict:
    # An edited comment with its creation time given: no version-1 look-up (test_comments covers it).
    return comment(comment_id, T[day], version, **({"createdAt": T[1]} if version > 1 else {}))


def mock_pages(http: HttpMocker, descending: bool, pages: list[list[dict]]) -> None:
    """A list's pages, each linking to the next (the cursors are `a1`, `a2`... and `d1`, `d2`...)."""
    prefix = "d" if descending else "a"
    for n, results in enumerate(pages):
        more = link(descending, f"{prefix}{n + 1}") if n + 1 < len(pages) else None
        http.get(list_request(FOOTER, descending, f"{prefix}{n}" if n else None), list_response(results, more))


def sync(http: HttpMocker, state: list | None = None) -> EntrypointOutput:
    http.get(spaces_request(limit=PAGE_SIZE), list_response([space()]))
    http.get(list_request("inline-comments", False), list_response([]))
    http.get(HttpRequest(f"{SITE}/wiki/api/v2/pages?" + urlencode(
        [("id", "10"), ("status", "current"), ("status", "archived"), ("status", "trashed"),
         ("status", "deleted"), ("limit", str(PAGE_SIZE))])), list_response([page("10", T[1])]))
    catalog = CatalogBuilder().with_stream("comments", SyncMode.incremental).build()
    return read(SourceConfluence(), config(page_size=PAGE_SIZE, num_workers=1), catalog, state)


def emitted(output: EntrypointOutput) -> list[tuple[str, int]]:
    return [(r.record.data["id"], r.record.data["version_number"]) for r in output.records]


def footer_cursors(output: EntrypointOutput) -> list[dict]:
    states = []
    for message in output.state_messages:
        for entry in message.state.stream.stream_state.__dict__["states"]:
            if entry["partition"] == {"comment_type": "footer"}:
                states.append(entry["cursor"])
    return states


def claims_only_emitted(output: EntrypointOutput, site: list[dict], before: set[str] = frozenset()) -> list[str]:
    """Every comment a footer checkpoint's cursor claims (changed before it) was emitted before it."""
    problems, seen = [], set(before)
    for message in output.records_and_state_messages:
        if message.type == Type.RECORD:
            seen.add(f"{message.record.data['id']}#{message.record.data['version_number']}")
            continue
        for entry in message.state.stream.stream_state.__dict__["states"]:
            cursor = entry["cursor"].get("updated_at")
            if entry["partition"] != {"comment_type": "footer"} or not cursor:
                continue
            problems += [f"{raw['id']} claimed by {cursor}" for raw in site
                         if raw["version"]["createdAt"] < cursor and f"{raw['id']}#{raw['version']['number']}" not in seen]
    return problems


SITE_OF_EIGHT = [c(str(n), n) for n in range(1, 9)]
"""Comments 1-8, changed on days 1-8."""


def test_the_halves_read_alternately_and_stop_when_they_meet(inline_ahead: None) -> None:
    by_id = {raw["id"]: raw for raw in SITE_OF_EIGHT}
    with HttpMocker() as http:
        mock_pages(http, False, [[by_id[i] for i in pair] for pair in (("1", "2"), ("3", "4"), ("5", "6"), ("7", "8"))])
        mock_pages(http, True, [[by_id[i] for i in pair] for pair in (("8", "7"), ("6", "5"))])
        output = sync(http)
        requested = [request.url.removeprefix(f"{SITE}/wiki/api/v2/") for request in http._mocker.request_history]
    footer = [url for url in requested if url.startswith(FOOTER)]
    # One page oldest first, then each newest-first page asked for before the next oldest-first one;
    # neither list is read to its end: 5 requests for 4 pages' worth, not 4 in a row.
    assert footer == [
        f"{FOOTER}?body-format=storage&sort=modified-date&limit=2",
        f"{FOOTER}?body-format=storage&sort=-modified-date&limit=2",
        f"{FOOTER}?body-format=storage&sort=modified-date&limit=2&cursor=a1",
        f"{FOOTER}?body-format=storage&sort=-modified-date&limit=2&cursor=d1",
        f"{FOOTER}?body-format=storage&sort=modified-date&limit=2&cursor=a2",
    ]
    assert sorted(emitted(output)) == [(str(n), 1) for n in range(1, 9)]
    # The cursor claims the newest-first half's first result, with the versions seen there.
    assert footer_cursors(output)[-1]["updated_at"] == T[8]
    assert footer_cursors(output)[-1]["cursor_versions"] == {T[8]: ["8#1"]}
    assert footer_cursors(output)[-1].get("resume") is None
    assert claims_only_emitted(output, SITE_OF_EIGHT) == []


def test_the_halves_do_not_stop_inside_a_tie_group(inline_ahead: None) -> None:
    # Comments 3-7 share day 5 and come in a different order in each direction. After the second
    # oldest-first page the newest-first half is at day 5 too: stopping there (not strictly older)
    # would lose comment 7, which neither half had listed yet.
    site = [c("1", 1), c("2", 2), *[c(str(n), 5) for n in range(3, 8)], c("8", 9)]
    by_id = {raw["id"]: raw for raw in site}
    with HttpMocker() as http:
        mock_pages(http, False, [[by_id[i] for i in pair] for pair in (("1", "2"), ("3", "4"), ("5", "6"), ("7", "8"))])
        mock_pages(http, True, [[by_id[i] for i in pair] for pair in (("8", "3"), ("7", "4"), ("6", "5"))])
        output = sync(http)
    assert sorted(emitted(output)) == sorted((str(n), 1) for n in range(1, 9))
    assert len(emitted(output)) == 8  # each once, though both halves listed most of them
    assert claims_only_emitted(output, site) == []
    assert footer_cursors(output)[-1]["updated_at"] == T[9]


def test_an_older_version_listed_after_a_newer_one_is_not_emitted(inline_ahead: None) -> None:
    # Comment 3 is edited (day 20) after the newest-first half listed it and before the oldest-first
    # half's next page: the warehouse must not get version 1 after version 2.
    site = [c("1", 1), c("2", 2), c("4", 4), c("3", 20, version=2)]
    with HttpMocker() as http:
        mock_pages(http, False, [[c("1", 1), c("2", 2)], [c("4", 4), c("3", 20, version=2)], []])
        mock_pages(http, True, [[c("4", 4), c("3", 3)], [c("2", 2), c("1", 1)]])
        output = sync(http)
    assert emitted(output) == [("1", 1), ("2", 1), ("4", 1), ("3", 2)]
    assert claims_only_emitted(output, site) == []
    assert footer_cursors(output)[-1]["updated_at"] == T[20]


def test_a_comment_edited_mid_walk_is_emitted_in_both_versions_in_order(inline_ahead: None) -> None:
    # Comment 2 is edited (day 20) after the oldest-first half listed it: the newest-first half
    # finds version 2 at the top; the cursor claims no more than that half's first result.
    site = [c("1", 1), c("3", 3), c("4", 4), c("5", 5), c("6", 6), c("2", 20, version=2)]
    with HttpMocker() as http:
        mock_pages(http, False, [[c("1", 1), c("2", 2)], [c("3", 3), c("4", 4)], [c("5", 5), c("6", 6)],
                                 [c("2", 20, version=2)]])
        mock_pages(http, True, [[c("2", 20, version=2), c("6", 6)], [c("5", 5), c("4", 4)]])
        output = sync(http)
    records = emitted(output)
    assert records.index(("2", 1)) < records.index(("2", 2))
    assert sorted(records) == [("1", 1), ("2", 1), ("2", 2), ("3", 1), ("4", 1), ("5", 1), ("6", 1)]
    assert claims_only_emitted(output, site) == []
    assert footer_cursors(output)[-1]["updated_at"] == T[20]


@pytest.mark.usefixtures("every_checkpoint")  # reads the state of each checkpoint
def test_a_sync_killed_after_two_pages_resumes_from_the_oldest_first_checkpoint(inline_ahead: None) -> None:
    by_id = {raw["id"]: raw for raw in SITE_OF_EIGHT}
    with HttpMocker() as http:
        mock_pages(http, False, [[by_id[i] for i in pair] for pair in (("1", "2"), ("3", "4"), ("5", "6"), ("7", "8"))])
        mock_pages(http, True, [[by_id[i] for i in pair] for pair in (("8", "7"), ("6", "5"))])
        first = sync(http)
    # The platform keeps what came before the second checkpoint of the footer partition.
    kept, checkpoints, state = set(), 0, None
    for message in first.records_and_state_messages:
        if message.type == Type.RECORD:
            kept.add(f"{message.record.data['id']}#{message.record.data['version_number']}")
            continue
        entries = message.state.stream.stream_state.__dict__["states"]
        if any(entry["partition"] == {"comment_type": "footer"} for entry in entries):
            checkpoints += 1
            state = message.state.stream.stream_state.__dict__
            if checkpoints == 2:
                break
    footer = next(e["cursor"] for e in state["states"] if e["partition"] == {"comment_type": "footer"})
    # Only the oldest-first half's progress: its position, and no claim past what it read (day 4).
    assert footer["updated_at"] == T[4] and footer["resume"]["next"] == link(False, "a2")
    # The newest-first half's first page (8, 7) was emitted after that checkpoint: it is read again.
    assert kept == {"1#1", "2#1", "3#1", "4#1"}
    with HttpMocker() as http:
        # The resumed walk continues oldest first from its position and reads the newest end again.
        mock_pages(http, True, [[by_id[i] for i in pair] for pair in (("8", "7"), ("6", "5"))])
        http.get(list_request(FOOTER, False, "a2"), list_response([by_id["5"], by_id["6"]], link(False, "a3")))
        http.get(list_request(FOOTER, False, "a3"), list_response([by_id["7"], by_id["8"]]))
        second = sync(http, StateBuilder().with_stream_state("comments", state).build())
    assert sorted(emitted(second)) == [("5", 1), ("6", 1), ("7", 1), ("8", 1)]
    assert kept | {f"{i}#{v}" for i, v in emitted(second)} == {f"{n}#1" for n in range(1, 9)}
    assert claims_only_emitted(second, SITE_OF_EIGHT, before=kept) == []
    assert footer_cursors(second)[-1]["updated_at"] == T[8]


def test_the_newest_first_half_runs_in_a_thread_of_its_own() -> None:
    by_id = {raw["id"]: raw for raw in SITE_OF_EIGHT}
    with HttpMocker() as http:
        mock_pages(http, False, [[by_id[i] for i in pair] for pair in (("1", "2"), ("3", "4"), ("5", "6"), ("7", "8"))])
        mock_pages(http, True, [[by_id[i] for i in pair] for pair in (("8", "7"), ("6", "5"))])
        output = sync(http)
    assert sorted(emitted(output)) == [(str(n), 1) for n in range(1, 9)]
    assert footer_cursors(output)[-1]["updated_at"] == T[8]
    # The newest-first half's requests count for the stream, not for the set-up.
    assert output.is_in_logs("Cost of stream 'comments': 7 request")


def test_a_second_edit_within_the_same_millisecond_is_emitted(inline_ahead: None) -> None:
    # Comment 3 is edited twice on day 5 (same millisecond): the oldest-first half listed version 1,
    # the newest-first half finds version 2 at the same time. Found by the Cloud adversary: the
    # read's dedupe compared times only and dropped version 2, while the cursor claimed it.
    site = [c("1", 1), c("2", 2), c("3", 5, version=2), c("4", 5), c("5", 5), c("6", 9)]
    with HttpMocker() as http:
        mock_pages(http, False, [[c("1", 1), c("2", 2)], [c("3", 5), c("4", 5)], [c("5", 5), c("6", 9)], []])
        mock_pages(http, True, [[c("6", 9), c("3", 5, version=2)], [c("5", 5), c("4", 5)], [c("2", 2), c("1", 1)]])
        output = sync(http)
    records = emitted(output)
    assert ("3", 2) in records and records.index(("3", 1)) < records.index(("3", 2))
    assert claims_only_emitted(output, site) == []
