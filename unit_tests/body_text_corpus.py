"""Writes the golden body_text corpus (unit_tests/data/body_text_golden.json.xz) that
test_body_text_golden.py compares every conversion against.

Run ``.venv/bin/python -m unit_tests.body_text_corpus`` only to add cases, from a commit whose
output is the reference (the corpus was first written from main before the renderer was sped up):
the inputs are stored with their outputs, so the test never depends on how they were generated.

The inputs are
- every body test_body_text.py hands to ``storage_to_text``/``storage_to_texts`` (its examples and
  its hypothesis-generated trees, tag soup, corrupted trees and noise, at a fixed seed), recorded
  by running that module under pytest;
- more hypothesis draws of the same strategies (nested macros, tables, lists, code, entities,
  CDATA) and corrupted or junk-joined ones, routed to the tolerant parser;
- page, blog post and comment bodies of the Confluence double for several seeds and body sizes;
- benchmarks/bench_body_text.py's mixed bodies.
"""

from __future__ import annotations

import json
import lzma
import random
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from source_confluence.records.body_text import storage_to_text

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "data" / "body_text_golden.json.xz"
_MAX_INPUT = 100_000  # characters; the ten-megabyte robustness bodies stay in their own test

Case = tuple[str | None, dict[str, str] | None]


class _Recorder:
    """pytest plugin: wraps the conversion functions test_body_text.py imported, records inputs."""

    def __init__(self) -> None:
        self.cases: list[Case] = []

    def _keep(self, body: object, names: object) -> None:
        if body is not None and (body.__class__ is not str or len(body) > _MAX_INPUT):
            return
        if names is not None and not (isinstance(names, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in names.items())):
            return
        self.cases.append((body, dict(names) if names is not None else None))

    def _wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def recording(bodies: Any, user_names: Mapping[str, str] | None = None, *args: Any) -> Any:
            for body in ([bodies] if name == "storage_to_text" else bodies):
                self._keep(body, user_names)
            return function(bodies, user_names, *args)

        recording.recording = True  # type: ignore[attr-defined]
        return recording

    def pytest_runtest_call(self, item: pytest.Item) -> None:
        module = item.module  # type: ignore[attr-defined]
        for name in ("storage_to_text", "storage_to_texts"):
            function = getattr(module, name)
            if not getattr(function, "recording", False):
                setattr(module, name, self._wrap(name, function))


def _from_unit_tests() -> list[Case]:
    recorder = _Recorder()
    code = pytest.main(["-q", "-p", "no:cacheprovider", "--hypothesis-seed=0",
                        str(HERE / "test_body_text.py")], plugins=[recorder])
    if code != 0:
        raise SystemExit(f"test_body_text.py failed ({code}): fix it before writing the corpus")
    return recorder.cases


def _draw(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    drawn: list[Any] = []

    @settings(max_examples=count, database=None, derandomize=True, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn


def _from_hypothesis() -> list[Case]:
    from unit_tests.test_body_text import _BODY_JUNK, NAMES, TREES

    trees = [xml for xml, _ in _draw(TREES, 700)]

    @st.composite
    def corrupted(draw: st.DrawFn) -> str:
        xml = draw(TREES)[0]
        start = draw(st.integers(0, len(xml)))
        end = draw(st.integers(start, len(xml)))
        return xml[:start] + draw(st.sampled_from(_BODY_JUNK + ["<ac:link>", "&copy;", "&bogus;", "&#0;"])) + xml[end:]

    broken = _draw(corrupted(), 500)
    noise = _draw(st.text(st.sampled_from(list("<>/&;#!?[]=\"' \nxacri:pbu-CDAT0123456789\x00\ud800")),
                          max_size=200), 200)
    cases: list[Case] = []
    for body in trees + broken + noise:
        if len(body) <= 6000:  # the few huge draws add bytes, not cases of a new kind
            cases.append((body, NAMES))
    cases.extend((body, None) for body in trees[:150])
    return cases


def _from_double() -> list[Case]:
    from confluence_double import SiteSpec, build_site

    cases: list[Case] = []
    for seed, body_bytes in ((1, 600), (2, 1500), (3, 4096), (20240501, 4096), (5, 12000)):
        site = build_site(SiteSpec(spaces=3, pages=24, blog_posts=6, footer_comments=16, inline_comments=6,
                                   tasks=30, attachments=20, labels=5, users=20, seed=seed, body_bytes=body_bytes))
        names = {user.account_id: user.display_name for user in site.users.values()}
        objects = [*site.pages.values(), *site.blog_posts.values(), *site.comments.values()]
        cases.extend((site.storage_body(obj), names) for obj in objects)
    return cases


def _from_bench() -> list[Case]:
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.bench_body_text import ACCOUNT_IDS, make_body

    rng = random.Random(7)
    names = {account: f"User {n}" for n, account in enumerate(ACCOUNT_IDS)}
    return [(make_body(rng, size), names) for size in (300, 2000, 4096, 9000) for _ in range(10)]


def build() -> dict[str, Any]:
    cases: dict[tuple[str | None, str], None] = {}  # ordered, without duplicates
    for body, names in _from_unit_tests() + _from_hypothesis() + _from_double() + _from_bench():
        cases.setdefault((body, json.dumps(names, sort_keys=True)), None)
    mappings: dict[str, int] = {}
    rows = []
    for body, names_json in cases:
        index = mappings.setdefault(names_json, len(mappings))
        rows.append([body, index, storage_to_text(body, json.loads(names_json))])
    return {"names": [json.loads(m) for m in mappings], "cases": rows}


def main() -> None:
    corpus = build()
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_bytes(lzma.compress(json.dumps(corpus, separators=(",", ":")).encode("ascii"), preset=9))
    print(f"{len(corpus['cases'])} cases, {len(corpus['names'])} name mappings -> {GOLDEN} "
          f"({GOLDEN.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
