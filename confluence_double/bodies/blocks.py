"""Blocks of body (storage XHTML and its ADF nodes, with cached JSON encodings) and how bodies join them."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def random_uuid(rng: random.Random) -> str:
    a, b, c = rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12)
    d, e = 0x8000 | rng.getrandbits(14), rng.getrandbits(48)
    return f"{a:08x}-{b:04x}-4{c:03x}-{d:04x}-{e:012x}"


def adf_node_text(value: str, marks: list[dict] | None = None) -> dict:
    node: dict = {"type": "text", "text": value}
    if marks:
        node["marks"] = marks
    return node


def adf_paragraph(nodes: list[dict]) -> dict:
    return {"type": "paragraph", "content": nodes} if nodes else {"type": "paragraph"}


@dataclass(frozen=True, slots=True)
class PageRef:
    """A page a generated body may link to (title and location are fixed at generation)."""

    id: str
    title: str
    space_key: str


@dataclass(frozen=True, slots=True)
class Mentionable:
    account_id: str
    display_name: str


def encode_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


ADF_HEAD = '{"type":"doc","version":1,"content":['
ADF_TAIL = "]}"
ADF_HEAD_ESCAPED = encode_json(ADF_HEAD)[1:-1]
ADF_TAIL_ESCAPED = encode_json(ADF_TAIL)[1:-1]


class Block:
    """A piece of body in storage format and its ADF nodes, with lazily cached JSON encodings.

    JSON escaping works character by character, so joining escaped pieces equals escaping the
    joined text: responses splice pre-escaped blocks instead of re-encoding whole bodies.
    """

    __slots__ = ("storage", "adf", "_storage_json", "_adf_json", "_adf_escaped")

    def __init__(self, storage: str, adf: tuple[dict, ...]) -> None:
        self.storage = storage
        self.adf = adf
        self._storage_json: str | None = None
        self._adf_json: str | None = None
        self._adf_escaped: str | None = None

    @property
    def storage_json(self) -> str:
        """The storage text escaped as JSON string content (no quotes)."""
        if self._storage_json is None:
            self._storage_json = encode_json(self.storage)[1:-1]
        return self._storage_json

    @property
    def adf_json(self) -> str:
        """The ADF nodes as comma-separated compact JSON, ready to go inside a content array."""
        if self._adf_json is None:
            self._adf_json = ",".join(encode_json(node) for node in self.adf)
        return self._adf_json

    @property
    def adf_escaped(self) -> str:
        if self._adf_escaped is None:
            self._adf_escaped = encode_json(self.adf_json)[1:-1]
        return self._adf_escaped


@dataclass(frozen=True, slots=True)
class DynamicParts:
    """Parts of a body that reflect live site state; each item is (storage, adf nodes)."""

    tasks: Block | None
    markers: Block | None
    images: Block | None
    decisions: Block | None = None


def storage_of(blocks: Sequence[Block]) -> str:
    return "".join(b.storage for b in blocks)


def storage_json_of(blocks: Sequence[Block]) -> str:
    return "".join(b.storage_json for b in blocks)


def adf_of(blocks: Sequence[Block]) -> str:
    """The ADF document as compact JSON text (equal to json.dumps of the whole tree)."""
    return ADF_HEAD + ",".join(b.adf_json for b in blocks) + ADF_TAIL


_TAG = re.compile(r"<[^>]+>")


def plain_text(storage: str) -> str:
    """Storage XHTML with tags removed; enough for the ADF rendering of hand-written bodies."""
    text = _TAG.sub(" ", storage)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return " ".join(text.split())


def adf_from_storage(storage: str) -> str:
    """ADF for a body set explicitly through a mutation: one paragraph with its text."""
    text = plain_text(storage)
    content = [adf_paragraph([adf_node_text(text)])] if text else []
    return json.dumps({"type": "doc", "version": 1, "content": content}, separators=(",", ":"))

