"""Compact, state-friendly encoding of a set of content ids.

Deletion reconciliation must remember which ids were synced. Confluence ids are decimal numbers, so
a sorted set is stored as varint-encoded deltas, zlib-compressed and base64-encoded: about 2-3
bytes per id instead of ~12 in a JSON list. Non-numeric ids are stored newline-joined instead.

A set grows page by page (every checkpoint saves the ids it covers), so a blob may hold several
chunks joined by commas: appending one costs the page, not the set; past `MAX_CHUNKS` they are
merged into one.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable

_NUMERIC = "n"
_TEXT = "t"
_CHUNKS = ","
MAX_CHUNKS = 128


def _bad_chunk() -> bool:
    raise ValueError("not an encoded id set: empty chunk")


def _numbers(values: Iterable[str]) -> list[int] | None:
    """The ids as sorted ints, or None unless every id survives str(int(id)) unchanged: ASCII
    digits ('¹' is a digit too) without leading zeros."""
    numbers = []
    for value in values:
        if not (value.isascii() and value.isdigit()):
            return None
        number = int(value)
        if str(number) != value:
            return None
        numbers.append(number)
    numbers.sort()
    return numbers


def encode_ids(ids: Iterable[str]) -> str:
    # A partition's emitted ids arrive as a set (160,000 of them for a site's footer comments):
    # no copy of it, and no sorted list of strings next to the ints (the sync's memory peak).
    values = ids if isinstance(ids, set | frozenset) else set(ids)
    numbers = _numbers(values)
    if numbers is not None:
        raw = bytearray()
        previous = 0
        for number in numbers:
            delta = number - previous
            previous = number
            while True:
                byte = delta & 0x7F
                delta >>= 7
                if delta:
                    raw.append(byte | 0x80)
                else:
                    raw.append(byte)
                    break
        kind, payload = _NUMERIC, bytes(raw)
    else:
        kind, payload = _TEXT, "\n".join(sorted(values)).encode("utf-8")
    return kind + base64.b64encode(zlib.compress(payload, 6)).decode("ascii")


def append_ids(blob: str | None, ids: Iterable[str]) -> str:
    """`blob` with `ids` added (as a new chunk, or all merged into one past MAX_CHUNKS)."""
    values = ids if isinstance(ids, set | frozenset) else set(ids)
    if not blob:
        return encode_ids(values)
    if not values:
        return blob
    if blob.count(_CHUNKS) + 1 >= MAX_CHUNKS:
        return encode_ids(decode_ids(blob) | values)
    return blob + _CHUNKS + encode_ids(values)


def decode_ids(blob: str) -> set[str]:
    """Inverse of encode_ids and append_ids; raises ValueError on anything they did not produce."""
    if _CHUNKS in blob:
        return set().union(*(decode_ids(chunk) for chunk in blob.split(_CHUNKS) if chunk or _bad_chunk()))
    if not blob:
        return set()
    kind, body = blob[0], blob[1:]
    try:
        payload = zlib.decompress(base64.b64decode(body, validate=True))
    except (ValueError, zlib.error) as error:
        raise ValueError(f"not an encoded id set: {error}") from None
    if kind == _TEXT:
        return set(payload.decode("utf-8").split("\n")) if payload else set()
    if kind != _NUMERIC:
        raise ValueError("not an encoded id set: unknown kind")
    ids: set[str] = set()
    current = shift = accumulated = 0
    for byte in payload:
        accumulated |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        current += accumulated
        ids.add(str(current))
        accumulated = shift = 0
    if shift:
        raise ValueError("not an encoded id set: truncated")
    return ids
