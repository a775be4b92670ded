"""The tolerant path: a tag-soup tree builder for bodies that are not well-formed XML (no text
lost, no depth limit), and tag stripping as the last resort."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from source_confluence.records.body_names import _PREFIX_NS, _RI_TAG_START, _ROOT_TAG, _WS


class _Node:
    """Element of the tag-soup tree; quacks like the parts of lxml's element the renderer uses."""

    __slots__ = ("tag", "attrib", "text", "tail", "children")

    def __init__(self, tag: str, attrib: dict[str, str]) -> None:
        self.tag = tag
        self.attrib = attrib
        self.text: str | None = None
        self.tail: str | None = None
        self.children: list[_Node] = []

    def __iter__(self) -> Iterator[_Node]:
        return iter(self.children)

    def __len__(self) -> int:
        return len(self.children)

    def __getitem__(self, index: int | slice) -> Any:
        return self.children[index]

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)

    def iter(self) -> Iterator[_Node]:
        """This node and its descendants in document order (iteratively: trees can be deep)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def itertext(self) -> Iterator[str]:
        """Text and tails below this node in document order, like lxml's ``itertext``."""
        if self.text:
            yield self.text
        stack: list[tuple[Iterator[_Node], _Node | None]] = [(iter(self.children), None)]
        while stack:
            children, owner = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if owner is not None and owner.tail:
                    yield owner.tail
                continue
            if child.text:
                yield child.text
            stack.append((iter(child.children), child))


_SOUP_TOKEN = re.compile(
    r"<!\[CDATA\[(.*?)(?:\]\]>|\Z)"
    r"|<!--.*?(?:-->|\Z)"
    r"|<[!?][^<>]*>"
    r"|<(/?)([A-Za-z_][^\s/<>\"'=]*)((?:[^<>\"']|\"[^\"<]*\"|'[^'<]*')*)>",
    re.S,
)
_SOUP_ATTR = re.compile(
    r"([^\s=/<>\"']+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s<>\"']+)))?"
)
_VOID_TAGS = frozenset(
    {"br", "hr", "img", "col", "input", "meta", "link", "area", "base", "wbr", "source", "param",
     "embed", "track"}
)


def _soup_name(name: str) -> str:
    name = name.lower()
    prefix, sep, local = name.partition(":")
    if sep and prefix in _PREFIX_NS and local:
        return f"{{{_PREFIX_NS[prefix]}}}{local}"
    return name


def _soup_attrs(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for m in _SOUP_ATTR.finditer(raw):
        value = m.group(2)
        if value is None:
            value = m.group(3)
            if value is None:
                value = m.group(4) or ""
        attrs.setdefault(_soup_name(m.group(1)), html.unescape(value) if "&" in value else value)
    return attrs


def _parse_soup(text: str) -> _Node:
    """Tolerant tree builder for bodies that are not well-formed XML; keeps every text run."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    root = _Node(_ROOT_TAG, {})
    stack = [root]
    open_counts: dict[str, int] = {}
    # Text runs separated only by ignored markup are joined once, not concatenated repeatedly
    # (that would be quadratic on bodies with many stray end tags).
    pending: list[str] = []

    def place_text() -> None:
        value = "".join(pending)
        pending.clear()
        parent = stack[-1]
        if parent.children:
            last = parent.children[-1]
            last.tail = value if last.tail is None else last.tail + value
        else:
            parent.text = value if parent.text is None else parent.text + value

    tags: dict[str, tuple[str, bool]] = {}  # raw name -> (tag, may contain children)
    pos = 0
    for m in _SOUP_TOKEN.finditer(text):
        start = m.start()
        if start > pos:
            gap = text[pos:start]
            pending.append(html.unescape(gap) if "&" in gap else gap)
        pos = m.end()
        cdata, is_end, name, raw_attrs = m.groups()
        if cdata is not None:
            pending.append(cdata)
            continue
        if name is None:
            continue  # comment, doctype, processing instruction
        known = tags.get(name)
        if known is None:
            tag = _soup_name(name)
            known = tags[name] = (tag, tag not in _VOID_TAGS and not tag.startswith(_RI_TAG_START))
        tag, container = known
        if is_end:
            if open_counts.get(tag):
                if pending:
                    place_text()
                while True:
                    node = stack.pop()
                    open_counts[node.tag] -= 1
                    if node.tag == tag:
                        break
            continue  # an end tag nobody opened is ignored
        if pending:
            place_text()
        if raw_attrs:
            attrs = raw_attrs.rstrip()
            self_closing = attrs.endswith("/")
            node = _Node(tag, _soup_attrs(attrs) if attrs else {})
        else:
            self_closing = False
            node = _Node(tag, {})
        stack[-1].children.append(node)
        # ri: elements are always empty in storage format, even when written without "/>".
        if container and not self_closing:
            stack.append(node)
            open_counts[tag] = open_counts.get(tag, 0) + 1
    if pos < len(text):
        gap = text[pos:]
        pending.append(html.unescape(gap) if "&" in gap else gap)
    if pending:
        place_text()
    return root


_TAG_RE = re.compile(r"<[^>]*>")


def _strip_tags(text: str) -> str:
    """Last resort: drop anything tag-like, decode entities, normalise whitespace."""
    try:
        text = html.unescape(_TAG_RE.sub(" ", text))
        text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)
        lines = (_WS.sub(" ", line).strip() for line in text.splitlines())
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    except Exception:  # truly never raise
        return ""
