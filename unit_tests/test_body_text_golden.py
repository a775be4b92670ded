"""Differential test: body_text must convert a large, varied corpus exactly as the reference
renderer did (golden outputs written from main by unit_tests/body_text_corpus.py, which says what
the corpus holds). A speed-up of the conversion may change no output character."""

from __future__ import annotations

import json
import lzma
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from source_confluence.records.body_names import _CDATA_END, _CDATA_START, _ENTITY
from source_confluence.records.body_parse import _parse_xml, _replace_entity, _xmlify_entities
from source_confluence.records.body_text import storage_to_text, storage_to_texts
from unit_tests.body_text_corpus import GOLDEN


@cache
def _corpus() -> dict[str, Any]:
    corpus: dict[str, Any] = json.loads(lzma.decompress(GOLDEN.read_bytes()))
    return corpus


def _not_well_formed(body: str) -> bool:
    try:
        _parse_xml(body)
    except Exception:
        return True
    return False


def _report(mismatches: list[tuple[int, str | None, str | None, str | None]]) -> str:
    lines = [f"{len(mismatches)} bodies convert differently from the golden corpus; the first:"]
    for index, body, expected, got in mismatches[:3]:
        lines.append(f"case {index}: body {body[:300] if body else body!r}\n"
                     f"  expected {expected[:300] if expected else expected!r}\n"
                     f"  got      {got[:300] if got else got!r}")
    return "\n".join(lines)


def test_the_corpus_is_large_and_varied():
    corpus = _corpus()
    bodies = [body for body, _, _ in corpus["cases"]]
    assert len(bodies) > 3000
    # Routed through every path: strict parse, tolerant parse, None, empty, names or not.
    assert None in bodies and "" in bodies
    assert sum(1 for body in bodies if body and "<![CDATA[" in body) > 300
    assert sum(1 for body in bodies if body and "&" in body) > 500
    assert sum(1 for body in bodies if body and "&" in body and "<![CDATA[" in body) > 300
    assert sum(1 for body in bodies if body and _not_well_formed(body)) > 500  # the tag-soup path
    assert sum(1 for body in bodies if body and "ac:structured-macro" in body and "<table" in body) > 100
    assert {json.dumps(names) for names in corpus["names"]} >= {"null"}


def test_each_body_converts_to_its_golden_text():
    corpus = _corpus()
    names = corpus["names"]
    mismatches = []
    for index, (body, names_index, expected) in enumerate(corpus["cases"]):
        got = storage_to_text(body, names[names_index])
        if got != expected:
            mismatches.append((index, body, expected, got))
    assert not mismatches, _report(mismatches)


def test_pages_of_bodies_convert_to_their_golden_texts():
    # The connector converts a page of results at once (one parse per batch of bodies).
    corpus = _corpus()
    by_names: dict[int, list[int]] = {}
    for index, (_, names_index, _) in enumerate(corpus["cases"]):
        by_names.setdefault(names_index, []).append(index)
    cases = corpus["cases"]
    mismatches = []
    for names_index, indices in by_names.items():
        for start in range(0, len(indices), 100):
            page = indices[start:start + 100]
            texts = storage_to_texts([cases[i][0] for i in page], corpus["names"][names_index], batch_bytes=64 * 1024)
            mismatches.extend((i, cases[i][0], cases[i][2], got) for i, got in zip(page, texts, strict=True)
                              if got != cases[i][2])
    assert not mismatches, _report(mismatches)


def _reference_xmlify(text: str) -> str:
    """The entity pass as specified: CDATA sections (scanned from the start) kept as they are, entities
    rewritten everywhere else; an unterminated section is text. Slow and plain on purpose."""
    parts, pos = [], 0
    while (start := text.find(_CDATA_START, pos)) >= 0:
        end = text.find(_CDATA_END, start + len(_CDATA_START))
        if end < 0:
            break
        end += len(_CDATA_END)
        parts += [_ENTITY.sub(_replace_entity, text[pos:start]), text[start:end]]
        pos = end
    return "".join([*parts, _ENTITY.sub(_replace_entity, text[pos:])])


_ENTITY_TOKENS = ["&", "&amp;", "&nbsp;", "&#65;", "&#x41;", "&#0;", "&bogus;", "&#xZZ;", _CDATA_START, _CDATA_END,
                  "<![CDATA", "]]", "a", ";", "<", "#", " "]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_ENTITY_TOKENS), max_size=16).map("".join))
def test_the_entity_pass_skips_exactly_the_cdata_sections(text):
    # The pass hops between ampersands and steps over the sections on the way.
    assert _xmlify_entities(text) == _reference_xmlify(text)


class _Scanned(str):
    """A body that counts the characters its searches pass over (work, not time: never flaky)."""

    scanned = 0

    def find(self, sub: Any, start: Any = None, end: Any = None) -> int:
        begin, stop = start or 0, len(self) if end is None else end
        found = str.find(self, sub, begin, stop)
        _Scanned.scanned += (found + len(sub) if found >= 0 else stop) - begin
        return found

    def rfind(self, sub: Any, start: Any = None, end: Any = None) -> int:
        begin, stop = start or 0, len(self) if end is None else end
        found = str.rfind(self, sub, begin, stop)
        _Scanned.scanned += stop - (found if found >= 0 else begin)
        return found


def test_the_entity_pass_stays_linear():
    # Each CDATA section and each ampersand is looked at once, however many ampersands follow a
    # section (asking "am I in a section?" by searching back from each one scanned the text
    # again for every ampersand: quadratic).
    text = _Scanned("<![CDATA[a & b]]>" + "x &nbsp; y" * 20_000)
    _Scanned.scanned = 0
    out = _xmlify_entities(text)
    assert _Scanned.scanned <= 3 * len(text)
    assert out == "<![CDATA[a & b]]>" + "x \xa0 y" * 20_000
