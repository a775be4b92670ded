"""pages / blog_posts: pagination, cursor stop, ties, checkpoints, resume, skipped spaces."""

from __future__ import annotations

from datetime import UTC, datetime

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from airbyte_cdk.test.state_builder import StateBuilder

from source_confluence import SourceConfluence
from source_confluence.sync.idset import decode_ids, encode_ids
from source_confluence.timestamps import format_timestamp
from unit_tests.builders import (
    config,
    content_list_request,
    json_response,
    list_response,
    next_link,
    page,
    space,
    spaces_request,
)

T1, T2, T3, T4 = (
    "2024-01-01T00:00:00.000Z",
    "2024-02-01T00:00:00.000Z",
    "2024-03-01T00:00:00.000Z",
    "2024-04-01T00:00:00.000Z",
)


def catalog(stream: str = "pages", mode: SyncMode = SyncMode.incremental):
    return CatalogBuilder().with_stream(stream, mode).build()


RECENTLY = format_timestamp(datetime.now(UTC))
KNOWN = encode_ids(["1", "2", "3"])


def space_state(space_id: str, updated_at: str, ids: list[str], **extra):
    # A deletion check ran just now, so none is due during these syncs.
    cursor = {"updated_at": updated_at, "ids_at_cursor": ids, "complete": True,
              "known": KNOWN, "reconciled_at": RECENTLY, **extra}
    return {"states": [{"partition": {"space_id": space_id}, "cursor": cursor}]}


def cursor_of(state):
    """The cursor fields of a partition state, without the deletion-check bookkeeping."""
    return {k: v for k, v in state["states"][0]["cursor"].items() if k not in ("synced_ids", "reconciled_at")}


def stream_states(output, stream="pages"):
    return [m.state.stream.stream_state.__dict__ for m in output.state_messages
            if m.state.stream.stream_descriptor.name == stream]


def test_first_sync_reads_oldest_first_and_checkpoints_every_page():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False),
                 list_response([page("1", T1), page("2", T2)], next_link("pages", "100", False, "c2")))
        http.get(content_list_request("pages", "100", descending=False, cursor="c2"),
                 list_response([page("3", T3)]))
        output = read(SourceConfluence(), config(), catalog())

    assert [r.record.data["id"] for r in output.records] == ["1", "2", "3"]
    states = stream_states(output)
    first_page_cursor = states[0]["states"][0]["cursor"]
    assert first_page_cursor["updated_at"] == T2
    assert first_page_cursor["resume"]["next"].endswith("cursor=c2")
    final = states[-1]["states"][0]["cursor"]
    assert cursor_of(states[-1]) == {"updated_at": T3, "cursor_versions": {T3: ["3#2"]}, "complete": True}
    # A complete first read is the baseline of the deletion check: every id it emitted.
    assert decode_ids(final["synced_ids"]) == {"1", "2", "3"}


def test_record_is_flat_snake_case_with_text_body():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False), list_response([page("7", T1)]))
        output = read(SourceConfluence(), config(), catalog())
    record = output.records[0].record.data
    assert record["space_id"] == "100" and record["version_number"] == 2
    assert record["updated_at"] == T1 and record["version_author_id"] == "acc-3"
    assert record["web_url"] == "https://example.atlassian.net/wiki/spaces/ENG/pages/7/Page"
    assert "Hello" in record["body_text"] and "<p>" not in record["body_text"]
    # The CDK leaves null fields out of record messages; destinations read them as null.
    assert record["word_count"] == 2 and record.get("deleted_at") is None and "owner_id" in record


def test_incremental_walks_newest_first_and_stops_at_cursor_without_next_page():
    state = StateBuilder().with_stream_state("pages", space_state("100", T2, ["2"])).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        request = content_list_request("pages", "100", descending=True)
        http.get(request, list_response([page("4", T4), page("3", T3), page("2", T2), page("1", T1)],
                                        next_link("pages", "100", True, "never-requested")))
        output = read(SourceConfluence(), config(), catalog(), state)
        http.assert_number_of_calls(request, 1)
    assert [r.record.data["id"] for r in output.records] == ["4", "3"]
    assert cursor_of(stream_states(output)[-1]) == {"updated_at": T4, "cursor_versions": {T4: ["4#2"]}, "complete": True}


def test_a_record_changed_in_the_cursors_instant_is_not_missed():
    state = StateBuilder().with_stream_state("pages", space_state("100", T2, ["2"])).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("5", T2), page("2", T2), page("1", T1)]))
        output = read(SourceConfluence(), config(), catalog(), state)
    assert [r.record.data["id"] for r in output.records] == ["5"]
    # Both versions at the cursor's instant are remembered (2 from an older state, by id alone).
    assert stream_states(output)[-1]["states"][0]["cursor"]["cursor_versions"] == {T2: ["2", "5#2"]}


def test_no_change_incremental_emits_nothing_and_keeps_cursor():
    state = StateBuilder().with_stream_state("pages", space_state("100", T3, ["3"])).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("3", T3)]))
        output = read(SourceConfluence(), config(), catalog(), state)
    assert output.records == []
    assert stream_states(output)[-1]["states"][0]["cursor"]["updated_at"] == T3


def test_interrupted_walk_resumes_from_saved_link_and_then_moves_cursor_to_its_high_mark():
    saved = next_link("pages", "100", True, "c9")
    resume = {"order": "desc", "next": saved, "high": T4, "high_ids": ["4"]}
    state = StateBuilder().with_stream_state("pages", space_state("100", T1, ["1"], resume=resume)).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True, cursor="c9"),
                 list_response([page("2", T2), page("1", T1)]))
        output = read(SourceConfluence(), config(), catalog(), state)
    assert [r.record.data["id"] for r in output.records] == ["2"]
    assert cursor_of(stream_states(output)[-1]) == {"updated_at": T4, "cursor_versions": {T4: ["4"]}, "complete": True}


def test_expired_resume_link_falls_back_to_a_fresh_walk():
    saved = next_link("pages", "100", True, "expired")
    resume = {"order": "desc", "next": saved, "high": T3, "high_ids": ["3"]}
    state = StateBuilder().with_stream_state("pages", space_state("100", T1, ["1"], resume=resume)).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True, cursor="expired"),
                 json_response({"errors": [{"title": "cursor expired"}]}, status=400))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("3", T3), page("2", T2), page("1", T1)]))
        output = read(SourceConfluence(), config(), catalog(), state)
    assert [r.record.data["id"] for r in output.records] == ["3", "2"]
    assert output.is_in_logs("saved page link was rejected")


def test_forbidden_space_is_skipped_with_a_warning_and_others_sync():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space("100", "ENG"), space("200", "HR")]))
        http.get(content_list_request("pages", "100", descending=False), list_response([page("1", T1)]))
        http.get(content_list_request("pages", "200", descending=False),
                 json_response({"message": "forbidden"}, status=403))
        output = read(SourceConfluence(), config(), catalog())
    assert [r.record.data["id"] for r in output.records] == ["1"]
    assert output.is_in_logs("skipped space HR")
    assert not output.errors


def test_start_date_bounds_the_first_sync_newest_first():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True),
                 list_response([page("3", T3), page("2", T2), page("1", T1)]))
        output = read(SourceConfluence(), config(start_date="2024-02-01T00:00:00Z"), catalog())
    assert [r.record.data["id"] for r in output.records] == ["3", "2"]


def test_archived_content_is_left_out_of_the_first_sync_unless_asked_for():
    results = [page("1", T1, status="archived"), page("2", T2)]
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False), list_response(results))
        default = read(SourceConfluence(), config(), catalog())
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False), list_response(results))
        included = read(SourceConfluence(), config(include_archived=True), catalog())
    assert [r.record.data["id"] for r in default.records] == ["2"]
    assert [r.record.data["id"] for r in included.records] == ["1", "2"]


def test_trashed_content_arrives_with_deleted_at():
    state = StateBuilder().with_stream_state("blog_posts", space_state("100", T1, ["1"])).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("blogposts", "100", descending=True),
                 list_response([page("9", T3, status="trashed"), page("1", T1)]))
        output = read(SourceConfluence(), config(), catalog("blog_posts"), state)
    [record] = [r.record.data for r in output.records]
    assert record["status"] == "trashed" and record["deleted_at"] == T3
    assert "parent_id" not in record


def test_revoked_token_mid_sync_is_a_config_error_after_the_last_full_page_state():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False),
                 list_response([page("1", T1)], next_link("pages", "100", False, "c2")))
        http.get(content_list_request("pages", "100", descending=False, cursor="c2"),
                 json_response({"message": "unauthorized"}, status=401))
        output = read(SourceConfluence(), config(), catalog(), expecting_exception=True)
    assert [r.record.data["id"] for r in output.records] == ["1"]
    assert stream_states(output)[-1]["states"][0]["cursor"]["updated_at"] == T1
    trace = output.errors[0].trace.error
    assert trace.failure_type.value == "config_error" and "Reconnect" in trace.message


def test_foreign_state_falls_back_to_a_full_read_with_a_warning():
    state = StateBuilder().with_stream_state("pages", {"updated_at": "yesterday"}).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False), list_response([page("1", T1)]))
        output = read(SourceConfluence(), config(), catalog(), state)
    assert [r.record.data["id"] for r in output.records] == ["1"]
    assert output.is_in_logs("Ignoring part of the saved state of stream 'pages'")


def test_rate_limited_request_is_retried_after_retry_after():
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False),
                 [json_response({"message": "slow down"}, status=429, headers={"Retry-After": "0"}),
                  list_response([page("1", T1)])])
        output = read(SourceConfluence(), config(), catalog())
    assert [r.record.data["id"] for r in output.records] == ["1"]


def ids_request(space_id: str):
    from urllib.parse import urlencode

    from airbyte_cdk.test.mock_http import HttpRequest

    from unit_tests.builders import SITE
    params = [("space-id", space_id), *[("status", s) for s in ("current", "archived", "trashed", "deleted")],
              ("sort", "id"), ("limit", "250")]
    return HttpRequest(f"{SITE}/wiki/api/v2/pages?{urlencode(params)}")


def test_due_deletion_check_emits_tombstones_for_purged_ids_only():
    long_ago = "2020-01-01T00:00:00.000Z"
    state = StateBuilder().with_stream_state("pages", space_state("100", T3, ["3"], reconciled_at=long_ago)).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("4", T4), page("3", T3)]))
        # Page 2 was purged: it is in no listing any more, and a look-up by id does not find it either.
        http.get(ids_request("100"), list_response([{"id": "1"}, {"id": "3"}, {"id": "4"}, {"id": "99"}]))
        http.get(by_id_request(["2"]), list_response([]))
        output = read(SourceConfluence(), config(), catalog(), state)
    records = [r.record.data for r in output.records]
    assert [r["id"] for r in records] == ["4", "2"]
    tombstone = records[1]
    assert tombstone["status"] == "deleted" and tombstone["deleted_at"] == tombstone["updated_at"]
    assert tombstone["space_id"] == "100"
    final = stream_states(output)[-1]["states"][0]["cursor"]
    # 99 was never synced (e.g. archived before the first sync), so it is not remembered.
    assert decode_ids(final["synced_ids"]) == {"1", "3", "4"}
    assert final["reconciled_at"] > long_ago


def by_id_request(ids: list[str]):
    from urllib.parse import urlencode

    from airbyte_cdk.test.mock_http import HttpRequest

    from unit_tests.builders import SITE
    params = [*[("id", i) for i in ids], *[("status", s) for s in ("current", "archived", "trashed", "deleted")],
              ("limit", "250")]
    return HttpRequest(f"{SITE}/wiki/api/v2/pages?{urlencode(params)}")


def test_a_page_moved_to_another_space_is_not_taken_for_purged():
    long_ago = "2020-01-01T00:00:00.000Z"
    state = StateBuilder().with_stream_state("pages", space_state("100", T3, ["3"], reconciled_at=long_ago)).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("3", T3)]))
        http.get(ids_request("100"), list_response([{"id": "1"}, {"id": "3"}]))
        # Page 2 left space 100's list, but it lives on in space 200.
        http.get(by_id_request(["2"]), list_response([page("2", T4, space_id="200")]))
        output = read(SourceConfluence(), config(), catalog(), state)
    assert output.records == []
    # Still this space's to report if it is purged before space 200's partition syncs it.
    assert decode_ids(stream_states(output)[-1]["states"][0]["cursor"]["synced_ids"]) == {"1", "2", "3"}


def test_a_look_up_by_id_whose_page_link_expires_is_read_again_from_its_start():
    long_ago = "2020-01-01T00:00:00.000Z"
    state = StateBuilder().with_stream_state("pages", space_state("100", T3, ["3"], reconciled_at=long_ago,
                                                                  known=encode_ids(["1", "2", "3", "5", "6"]))).build()
    look_up = by_id_request(["2", "5", "6"])
    second_page = HttpRequest(look_up._parsed_url.geturl() + "&cursor=c2")
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("3", T3)]))
        http.get(ids_request("100"), list_response([{"id": "1"}, {"id": "3"}]))
        # 2 and 6 moved to other spaces (2 on the look-up's second page, whose link expires once); 5
        # was purged.
        http.get(look_up, list_response([page("6", T4, space_id="300")],
                                        second_page._parsed_url.path + "?" + second_page._parsed_url.query))
        http.get(second_page, [json_response({"message": "cursor expired"}, status=400),
                               list_response([page("2", T4, space_id="200")])])
        output = read(SourceConfluence(), config(), catalog(), state)
    assert not output.errors
    assert [(r.record.data["id"], r.record.data["status"]) for r in output.records] == [("5", "deleted")]
    assert decode_ids(stream_states(output)[-1]["states"][0]["cursor"]["synced_ids"]) == {"1", "2", "3", "6"}


def test_deletion_check_that_is_not_due_costs_no_request():
    state = StateBuilder().with_stream_state("pages", space_state("100", T3, ["3"])).build()
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("4", T4), page("3", T3)]))
        output = read(SourceConfluence(), config(), catalog(), state)
    assert [r.record.data["id"] for r in output.records] == ["4"]
    assert decode_ids(stream_states(output)[-1]["states"][0]["cursor"]["synced_ids"]) == {"1", "2", "3", "4"}


def test_incremental_asked_of_a_stream_without_cursor_reads_it_in_full():
    # PyAirbyte configures every stream as incremental.
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space("100", "ENG"), space("200", "OPS")]))
        output = read(SourceConfluence(), config(), catalog("spaces", SyncMode.incremental))
    assert not output.errors
    assert [r.record.data["key"] for r in output.records] == ["ENG", "OPS"]


def test_an_empty_catalog_reads_nothing_and_says_so():
    from airbyte_cdk.models import ConfiguredAirbyteCatalog

    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        output = read(SourceConfluence(), config(), ConfiguredAirbyteCatalog(streams=[]))
    assert not output.errors and output.records == []
    assert output.is_in_logs("selects no stream")
