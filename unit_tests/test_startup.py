"""startup.py: while the CDK is imported, inspect parses a source file once for all its classes,
with the same answers, and inspect is as before afterwards."""

from __future__ import annotations

import ast
import inspect
import json.decoder

from source_confluence.startup import shared_class_source_parses


def test_one_parse_per_file_the_same_sources_and_inspect_restored(monkeypatch) -> None:
    calls: list[int] = []
    real_parse = ast.parse

    def counting_parse(source, *args, **kwargs):
        calls.append(1)
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting_parse)
    classes = (json.decoder.JSONDecoder, json.decoder.JSONDecodeError)
    expected = [inspect.getsource(cls) for cls in classes]
    assert len(calls) == 2  # without the cache: one parse of json/decoder.py per class
    calls.clear()
    with shared_class_source_parses():
        got = [inspect.getsource(cls) for cls in classes]
    assert got == expected
    assert len(calls) == 1
    assert inspect.ast is ast  # type: ignore[attr-defined]
    inspect.getsource(json.decoder.JSONDecoder)
    assert len(calls) == 2
