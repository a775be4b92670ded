"""The body pool (records/body_pool.py): pages converted in worker processes give exactly what the
connector's own process gives (the golden corpus, generated bodies, decisions); a dead worker costs
speed and nothing else; no worker outlives the read, nor writes to the Airbyte message stream."""

from __future__ import annotations

import json
import logging
import lzma
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from source_confluence.records import body_pool, builders
from source_confluence.records.body_pool import BodyPool, convert_page
from source_confluence.records.body_text import storage_to_texts, word_count
from source_confluence.records.builders import content_record
from source_confluence.records.decisions import decisions_in_storage
from unit_tests.body_text_corpus import GOLDEN
from unit_tests.test_decisions import adf_decisions, macro_decision

NAMES = {"u1": "Ada Lovelace"}
MENTION = '<ac:link><ri:user ri:account-id="u1"/></ac:link>'
BODIES: list[str | None] = [
    f"<p>Page {i} by {MENTION}</p><ul><li>item {i}</li></ul>" + adf_decisions((f"d{i}", "DECIDED", f"go {MENTION}"))
    for i in range(40)
] + ["<p>not closed", None, "", "<p>caf\u00e9 \u2013 ok</p>", macro_decision("m1", "Undecided", "<p>later</p>")]


def children_of(pid: int) -> set[int]:
    """The live child processes of `pid` (every thread's list)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return {child for child in found if _alive(child)}


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def pool() -> Iterator[BodyPool]:
    created = BodyPool(workers=2, min_bodies=1)
    created.start()
    yield created
    created.close()


def test_pooled_pages_are_the_in_place_pages(pool: BodyPool) -> None:
    before = pool.pooled_pages
    page = pool.convert(BODIES, NAMES, with_decisions=True)
    assert page == convert_page(BODIES, NAMES, with_decisions=True)
    assert page.texts[0].startswith("Page 0 by @Ada Lovelace\n\n- item 0")
    assert [(d.local_id, d.state, d.text) for d in page.decisions[0]] == [("d0", "decided", "go @Ada Lovelace")]
    assert page.decisions[-1][0].local_id == "m1" and page.decisions[41] == ()
    assert pool.convert(BODIES, NAMES).decisions is None
    assert pool.pooled_pages == before + 2


def test_the_golden_corpus_converts_the_same_through_the_pool(pool: BodyPool) -> None:
    corpus = json.loads(lzma.decompress(GOLDEN.read_bytes()))
    cases, names = corpus["cases"], corpus["names"]
    by_names: dict[int, list[int]] = {}
    for index, (_, names_index, _) in enumerate(cases):
        by_names.setdefault(names_index, []).append(index)
    mismatches = []
    pages = 0
    for names_index, indices in by_names.items():
        for start in range(0, len(indices), 250):
            chunk = indices[start:start + 250]
            bodies = [cases[i][0] for i in chunk]
            page = pool.convert(bodies, names[names_index], with_decisions=True)
            pages += 1
            mismatches.extend(i for i, got in zip(chunk, page.texts, strict=True) if got != cases[i][2])
            assert page.decisions == [tuple(decisions_in_storage(b, names[names_index])) for b in bodies]
    assert pages > 10 and not mismatches, f"{len(mismatches)} bodies differ, e.g. case {mismatches[:3]}"


_pieces = st.sampled_from(["<p>", "</p>", "<b>x</b>", "&amp;", "&nbsp;", "<![CDATA[<p>]]>", MENTION, "é", "\u2013",
                           adf_decisions(("a", "DECIDED", "yes")), macro_decision("m", "decided", "<p>ok</p>"),
                           "<table><tr><td>c</td></tr></table>", "<ul><li>i</li></ul>", "<", "]]>", "\x00"])
_bodies = st.one_of(st.none(), st.text(max_size=40), st.lists(_pieces, max_size=12).map("".join))


@settings(max_examples=60, deadline=None)
@given(st.lists(_bodies, min_size=1, max_size=30), st.sampled_from([None, NAMES, {}]), st.booleans())
def test_generated_pages_convert_the_same_through_the_pool(pool: BodyPool, bodies, names, with_decisions) -> None:
    assert pool.convert(bodies, names, with_decisions) == convert_page(bodies, names, with_decisions)


def test_small_pages_an_unstarted_pool_one_core_and_workers_0_convert_in_place(
        monkeypatch: pytest.MonkeyPatch) -> None:
    running = children_of(os.getpid())  # the module's pool
    small = BodyPool(workers=2, min_bodies=100)
    small.start()
    unstarted = BodyPool(workers=2, min_bodies=1)
    try:
        assert small.convert(BODIES, NAMES).texts == storage_to_texts(BODIES, NAMES)
        assert unstarted.convert(BODIES, NAMES).texts == storage_to_texts(BODIES, NAMES)
        assert (small.pooled_pages, unstarted.pooled_pages) == (0, 0)
    finally:
        small.close()
    monkeypatch.setattr(body_pool, "usable_cores", lambda: 1)
    assert body_pool.default_workers() == 0
    monkeypatch.setattr(body_pool, "usable_cores", lambda: 4)
    assert body_pool.default_workers() == 3
    monkeypatch.setenv(body_pool.WORKERS_ENV, "0")
    off = BodyPool(min_bodies=1)
    off.start()
    assert off.convert(BODIES, NAMES).texts == storage_to_texts(BODIES, NAMES)
    assert off.pooled_pages == 0
    assert children_of(os.getpid()) == running  # `off` started no worker, `small` stopped its own


def test_a_cgroup_cpu_limit_caps_the_usable_cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")  # a limit of 1.5 cores
    assert body_pool.usable_cores(str(cpu_max)) == 1
    cpu_max.write_text("max 100000\n")
    assert body_pool.usable_cores(str(cpu_max)) == 4
    assert body_pool.usable_cores(str(tmp_path / "absent")) == 4


def test_a_bad_workers_setting_is_a_config_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from airbyte_cdk.models import FailureType
    from airbyte_cdk.utils.traced_exception import AirbyteTracedException

    monkeypatch.setenv(body_pool.WORKERS_ENV, "two")
    with pytest.raises(AirbyteTracedException) as raised:
        BodyPool()
    assert raised.value.failure_type == FailureType.config_error
    assert body_pool.WORKERS_ENV in raised.value.message and "'two'" in raised.value.message


def test_a_dead_worker_falls_back_to_in_place_conversion(caplog: pytest.LogCaptureFixture) -> None:
    running = children_of(os.getpid())  # the module's pool
    dying = BodyPool(workers=1, min_bodies=1)
    try:
        dying.start()
        workers = list(dying._executor._processes)
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)  # as the OOM killer would
        with caplog.at_level(logging.WARNING, logger="airbyte"):
            first = dying.convert(BODIES, NAMES, with_decisions=True)
        second = dying.convert(BODIES, NAMES, with_decisions=True)
        expected = convert_page(BODIES, NAMES, with_decisions=True)
        assert (first, second) == (expected, expected)
        assert dying._executor is None  # given up: later pages in place
        assert dying.pooled_pages == 0
        assert "body conversion worker died" in caplog.text
        assert children_of(os.getpid()) == running  # the broken pool's workers are gone
    finally:
        dying.close()


def test_close_leaves_no_child_process() -> None:
    script = textwrap.dedent("""
        import os
        from source_confluence.records.body_pool import BodyPool
        from unit_tests.test_body_pool import BODIES, NAMES, children_of
        pool = BodyPool(workers=2, min_bodies=1)
        pool.start()
        pool.convert(BODIES, NAMES)
        before = children_of(os.getpid())
        pool.close()
        print(pool.pooled_pages, len(before), len(children_of(os.getpid())))
    """)
    result = subprocess.run([sys.executable, "-c", script],  # noqa: S603 - our own interpreter and script
                            capture_output=True, text=True, timeout=120, check=True)
    # Pooled by two workers; nothing is left.
    assert result.stdout.split() == ["1", "2", "0"], result.stderr


def test_workers_die_with_the_connector() -> None:
    script = textwrap.dedent("""
        import os, signal, sys
        from pathlib import Path
        from source_confluence.records.body_pool import BodyPool
        pool = BodyPool(workers=2, min_bodies=1)
        pool.start()
        pool.convert(["<p>a</p>", "<p>b</p>"], None)
        me = os.getpid()
        children = set()
        for task in Path(f"/proc/{me}/task").iterdir():
            children.update((task / "children").read_text().split())
        grandchildren = set()
        for child in children:
            for task in Path(f"/proc/{child}/task").iterdir():
                grandchildren.update((task / "children").read_text().split())
        print(" ".join(sorted(children | grandchildren)), flush=True)
        os.kill(me, signal.SIGKILL)  # no clean-up runs
    """)
    result = subprocess.run([sys.executable, "-c", script],  # noqa: S603 - our own interpreter and script
                            capture_output=True, text=True, timeout=120, check=False)
    pids = [int(pid) for pid in result.stdout.split()]
    assert len(pids) == 2, result.stderr  # the two workers
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if _alive(pid)]


def test_a_worker_never_writes_to_the_message_stream() -> None:
    # The connector's stdout is the Airbyte message stream: what was buffered at the fork goes out
    # once (the parent's), and what a worker writes, at either level, not at all.
    script = textwrap.dedent("""
        import os, sys
        from source_confluence.records.body_pool import BodyPool
        pool = BodyPool(workers=1, min_bodies=1)
        sys.stdout.write("parent\\n")  # buffered (a pipe) when the worker is forked
        pool.start()
        executor = pool._executor
        executor.submit(os.write, 1, b"worker-fd\\n").result()
        executor.submit(print, "worker-print", flush=True).result()
        executor.submit(os.write, 2, b"worker-stderr\\n").result()
        pool.close()
        sys.stdout.flush()
    """)
    result = subprocess.run([sys.executable, "-c", script],  # noqa: S603 - our own interpreter and script
                            capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout == "parent\n"
    assert "worker-stderr" in result.stderr  # a worker's diagnostics stay visible on stderr


def test_pages_come_back_with_their_word_counts_and_the_records_take_them(
        pool: BodyPool, monkeypatch: pytest.MonkeyPatch) -> None:
    page = pool.convert(BODIES, NAMES)
    assert page.word_counts == [word_count(text) for text in page.texts]
    items = [{"id": str(i), "body": {"storage": {"value": body}}} for i, body in enumerate(BODIES) if body]
    texts, _ = body_pool.page_texts(items, NAMES)
    expected = [word_count(texts[item["body"]["storage"]["value"]]) for item in items]

    def recounted(text: str | None) -> int:
        raise AssertionError("the connector's thread counted a text the page came with")

    monkeypatch.setattr(builders, "word_count", recounted)
    counts = [content_record(item, "https://x", NAMES, texts=texts).record["word_count"] for item in items]
    assert counts == expected and max(expected) > 0
