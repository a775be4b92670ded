"""http/json_body.py: orjson's speed, the stdlib's answers (values and errors)."""

from __future__ import annotations

import json

import pytest

from source_confluence.http.json_body import parse_json

SAME_AS_STDLIB = [
    b'{"results": [{"id": "1", "title": "caf\\u00e9", "n": 1.5}], "_links": {"next": null}}',
    b'{"title": "half a pair \\ud800 here"}',  # orjson refuses an escaped lone surrogate
    b'[NaN, Infinity]',  # not JSON, but the stdlib has always accepted it
    '{"text": "\u00e9t\u00e9"}',
]


@pytest.mark.parametrize("content", SAME_AS_STDLIB)
def test_values_are_the_stdlibs(content: bytes | str) -> None:
    assert repr(parse_json(content)) == repr(json.loads(content))


def test_an_integer_beyond_64_bits_reads_as_a_float() -> None:
    # orjson's one documented difference that does not raise; Confluence sends ids as strings.
    assert parse_json(b'{"n": 123456789012345678901234567890, "m": 18446744073709551615}') == {
        "n": 1.2345678901234568e29, "m": 18446744073709551615}


@pytest.mark.parametrize("content", [b"", b'{"results": [', b"<html>", b'{"a": 1} trailing'])
def test_what_is_not_json_raises_value_error(content: bytes) -> None:
    with pytest.raises(ValueError):
        parse_json(content)
