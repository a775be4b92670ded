"""What the content walks hand to the sync's last streams is kept on disk (sync/spill.py, issue 16):
the collectors answer exactly as the dicts they replace did, hold no Python object per item, and
their files are gone when the read ends, also when it fails."""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
import tracemalloc

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from hypothesis import given, settings
from hypothesis import strategies as st

from source_confluence import SourceConfluence
from source_confluence.records.decisions import FoundDecision
from source_confluence.sync.changed import LABELLED_KINDS, ChangedContent
from source_confluence.sync.decision_bodies import DecisionBodies, ParsedContainer
from source_confluence.sync.emitted import EmittedContent
from source_confluence.sync.spill import Spill
from unit_tests.builders import config, content_list_request, json_response, list_response, page, space, spaces_request
from unit_tests.test_decisions import adf_decisions
from unit_tests.test_decisions_ride import catalog, decision_rows, decisions_cursor, pages_cursor, states
from unit_tests.test_walk_ties import T1, T3

IDS = st.sampled_from(["1", "2", "10", "11", "100", "é7"])
TIMES = st.none() | st.sampled_from(["", "2024-01-01T00:00:00.000Z", "2024-01-01T00:00:01.000Z", "2025-06-01T00:00:00Z"])
TEXTS = st.text(max_size=12)
WALKS = [("100", "page"), ("100", "blogpost"), ("200", "page")]
KEYS = st.sampled_from(WALKS)
DECISIONS = st.none() | st.lists(st.builds(FoundDecision, TEXTS, st.sampled_from(["decided", "undecided"]), TEXTS),
                                 max_size=3).map(tuple)
CONTAINERS = st.builds(ParsedContainer, IDS, st.sampled_from(["page", "blogpost"]), st.sampled_from(["100", "200"]),
                       st.sampled_from(["100", "200"]), st.none() | IDS, TIMES, st.none() | st.just("current"),
                       DECISIONS)
DECISION_STEPS = st.lists(st.one_of(
    st.tuples(st.just("add"), KEYS, st.lists(CONTAINERS, max_size=4)),
    st.tuples(st.just("claim"), IDS, TIMES)), max_size=25)


class DictDecisions:
    """The collector as it was before: the containers and the claims in dicts."""

    def __init__(self) -> None:
        self.containers: dict[tuple[str, str], dict[str, ParsedContainer]] = {}
        self.claimed: dict[str, str] = {}

    def add(self, key: tuple[str, str], containers: list[ParsedContainer]) -> None:
        known = self.containers.setdefault(key, {})
        for container in containers:
            before = known.get(container.id)
            if before is None or (container.version_at or "") >= (before.version_at or ""):
                known[container.id] = container

    def claim(self, container_id: str, version_at: str | None) -> bool:
        at = version_at or ""
        claimed = self.claimed.get(container_id)
        if claimed is not None and claimed >= at:
            return False
        self.claimed[container_id] = at
        return True


@settings(max_examples=150, deadline=None)
@given(DECISION_STEPS)
def test_the_decision_collector_answers_as_its_dicts_did(steps):
    spilled, model = DecisionBodies(), DictDecisions()
    try:
        for step in steps:
            if step[0] == "add":
                spilled.add(step[1], step[2])
                model.add(step[1], step[2])
            else:
                assert spilled.claim(step[1], step[2]) == model.claim(step[1], step[2])
            for key in WALKS:
                assert [c for batch in spilled.containers(key) for c in batch] == list(model.containers.get(key, {}).values())
    finally:
        spilled.close()


RECORDS = st.fixed_dictionaries({"id": IDS, "space_id": st.none() | st.sampled_from(["100", "200"]),
                                 "updated_at": TIMES, "status": st.sampled_from(["current", "draft"]),
                                 "version_number": st.none() | st.integers(-3, 2**40) | st.just("7")})


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["pages", "blog_posts", "comments"]), st.lists(RECORDS, max_size=4)),
                max_size=12))
def test_the_changed_content_for_restrictions_is_as_the_dict_kept_it(pages_of_records):
    spilled, model = EmittedContent(), {}
    try:
        for stream, records in pages_of_records:
            spilled.add(stream, records)
            content_type = {"pages": "page", "blog_posts": "blogpost"}.get(stream)
            for record in records if content_type else ():
                known = model.get(record["id"])
                if known is None or (record["updated_at"] or "") >= (known[3] or ""):
                    model[record["id"]] = (record["id"], content_type, record["space_id"], record["updated_at"])
        expected = sorted(model.values(), key=lambda item: (len(item[0]), item[0]))
        assert [(c.id, c.content_type, c.space_id, c.updated_at) for c in spilled.changed()] == expected
    finally:
        spilled.close()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([*LABELLED_KINDS, "comment"]), RECORDS), max_size=30))
def test_the_changed_content_for_labels_is_as_the_dicts_kept_it(records):
    spilled = ChangedContent()
    spaces: dict[str, dict[str, str | None]] = {kind: {} for kind in LABELLED_KINDS}
    versions: dict[str, dict[str, int]] = {kind: {} for kind in LABELLED_KINDS}
    try:
        for kind, record in records:
            spilled.add(kind, record)
            if kind in spaces and record["status"] == "current":
                spaces[kind][record["id"]] = record["space_id"]
                number, known = record["version_number"], versions[kind].get(record["id"])
                if isinstance(number, int) and (known is None or number > known):
                    versions[kind][record["id"]] = number
        for kind in LABELLED_KINDS:
            assert list(spilled.of(kind).items()) == list(spaces[kind].items())
            assert list(spilled.versions(kind).items()) == [(i, versions[kind].get(i)) for i in spaces[kind]]
        assert len(spilled) == sum(len(ids) for ids in spaces.values())
    finally:
        spilled.close()


def test_a_walks_containers_come_back_a_batch_at_a_time_in_first_seen_order_at_their_newest_version():
    collector = DecisionBodies()
    decisions = (FoundDecision("d-1", "decided", "a decision worth a few words " * 4),)
    walk, other = ("100", "page"), ("200", "page")

    def parsed(n: int, at: str) -> ParsedContainer:
        return ParsedContainer(str(n), "page", "100", "100", None, at, "current", decisions)

    try:
        collector.add(walk, [parsed(n, "2024-01-01T00:00:00.000Z") for n in range(3_200)])
        collector.add(other, [parsed(n, "2024-01-01T00:00:00.000Z") for n in range(10)])
        collector.add(walk, [parsed(5, "2024-02-01T00:00:00.000Z"), parsed(7, "2023-01-01T00:00:00.000Z")])
        tracemalloc.start()
        try:
            batches = []
            for batch in collector.containers(walk):
                batches.append([(c.id, c.version_at) for c in batch])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 2_000_000  # the whole walk at once: about 3.5 MB
        assert [len(batch) for batch in batches] == [500] * 6 + [200]
        seen = [item for batch in batches for item in batch]
        assert [i for i, _ in seen] == [str(n) for n in range(3_200)]
        assert dict(seen)["5"] == "2024-02-01T00:00:00.000Z" and dict(seen)["7"] == "2024-01-01T00:00:00.000Z"
        assert collector.collected(walk, ["3", "3199", "3200", "x"]) == {"3", "3199"}
        assert collector.collected(("300", "page"), ["3"]) == set()
    finally:
        collector.close()


def test_the_collector_holds_no_python_object_per_container():
    collector = DecisionBodies()
    decisions = (FoundDecision("d-1", "decided", "a decision worth a few words " * 4),)
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for start in range(0, 5_000, 250):
            collector.add(("100", "page"), [ParsedContainer(str(n), "page", "100", "100", "1", f"2024-01-01T{n}",
                                                            "current", decisions) for n in range(start, start + 250)])
        for n in range(5_000):
            collector.claim(str(n), f"2024-01-01T{n}")
        held = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    try:
        assert sum(map(len, collector.containers(("100", "page")))) == 5_000
        assert held < 200_000  # in dicts: about 3 MB (over 600 bytes a container and its claim)
    finally:
        collector.close()


def test_a_spill_is_removed_on_close_and_a_later_write_starts_empty():
    spill = Spill("CREATE TABLE t (v);")
    assert spill.query("SELECT v FROM t") == [] and spill.directory is None  # no file before the first write
    spill.write("INSERT INTO t (v) VALUES (?)", [(1,), (2,)])
    directory = spill.directory
    assert directory is not None and os.listdir(directory) and spill.query("SELECT v FROM t") == [(1,), (2,)]
    spill.close()
    assert not os.path.exists(directory)
    spill.write("INSERT INTO t (v) VALUES (?)", [(3,)])
    assert spill.query("SELECT v FROM t") == [(3,)]
    spill.close()


def read_decisions(monkeypatch, tmp_path, blog_posts_status: int):
    """A sync of pages and decisions whose page holds decisions; `decisions` walks the blog posts."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    made: list[str] = []
    mkdtemp = tempfile.mkdtemp

    def spied(*args, **kwargs) -> str:
        path = mkdtemp(*args, **kwargs)
        made.extend([path] if os.path.basename(path).startswith("source-confluence-") else [])
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", spied)  # the entrypoint's own temporary files are not ours
    body = adf_decisions(("d-1", "DECIDED", "<p>Kept</p>"))
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=True), list_response([page("10", T3, body=body)]))
        http.get(content_list_request("blogposts", "100", descending=True),
                 list_response([]) if blog_posts_status == 200 else json_response({"message": "no"}, 400))
        output = read(SourceConfluence(), config(), catalog("pages", "decisions"),
                      states(pages_cursor({"updated_at": T1}), decisions_cursor({"updated_at": T1})))
    return output, made, scratch


def test_the_read_removes_its_scratch_files_when_it_ends(monkeypatch, tmp_path):
    output, made, scratch = read_decisions(monkeypatch, tmp_path, 200)
    assert not output.errors and decision_rows(output) == [("10:d-1", "decided", T3)]
    assert made and all(os.path.dirname(path) == str(scratch) for path in made)
    assert list(scratch.iterdir()) == []


def test_the_read_removes_its_scratch_files_when_it_fails(monkeypatch, tmp_path):
    output, made, scratch = read_decisions(monkeypatch, tmp_path, 400)
    assert output.errors
    assert made and list(scratch.iterdir()) == []


def test_scratch_space_that_cannot_be_written_is_a_clear_error_naming_tmpdir(monkeypatch, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(full))

    def no_space(*args, **kwargs) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", no_space)
    spill = Spill("CREATE TABLE t (v);")
    with pytest.raises(AirbyteTracedException) as raised:
        spill.write("INSERT INTO t (v) VALUES (?)", [(1,)])
    assert raised.value.failure_type == FailureType.system_error
    assert "TMPDIR" in raised.value.message and str(full) in raised.value.message
    assert "No space left on device" in raised.value.message


def test_a_full_disk_mid_sync_is_the_same_clear_error(monkeypatch, tmp_path):
    spill = Spill("CREATE TABLE t (v);")
    spill.write("INSERT INTO t (v) VALUES (?)", [(1,)])
    broken = sqlite3.connect(":memory:")
    broken.close()  # any statement on it fails as a write to a full disk would: with sqlite3.Error
    monkeypatch.setattr(spill, "_db", broken)
    try:
        with pytest.raises(AirbyteTracedException) as raised:
            spill.write("INSERT INTO t (v) VALUES (?)", [(2,)])
        assert "TMPDIR" in raised.value.message and raised.value.failure_type == FailureType.system_error
    finally:
        monkeypatch.undo()
        spill.close()


def test_a_spill_reads_a_statement_back_a_batch_at_a_time() -> None:
    spill = Spill("CREATE TABLE t (v);")
    try:
        assert list(spill.batches("SELECT v FROM t")) == []  # nothing written: no file, no rows
        spill.write("INSERT INTO t (v) VALUES (?)", [(n,) for n in range(5)])
        assert list(spill.batches("SELECT v FROM t ORDER BY v", size=2)) == [[(0,), (1,)], [(2,), (3,)], [(4,)]]
    finally:
        spill.close()
