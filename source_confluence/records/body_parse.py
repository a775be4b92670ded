"""The fast path: a storage body made well-formed XML (entities, forbidden characters) and parsed
strictly by lxml; any failure routes the body to the tolerant parser (body_fallback)."""

from __future__ import annotations

import re
import threading
from html.entities import html5 as _HTML5_ENTITIES
from typing import Any

from lxml import etree

from source_confluence.records.body_names import (
    _CDATA_END,
    _CDATA_START,
    _CLOSE,
    _ENTITY,
    _INVALID_CHARS,
    _OPEN,
    _WHITESPACE_CONTROLS,
    _XML_DECL,
    _XML_ENTITIES,
)


def _fix_invalid_char(match: re.Match[str]) -> str:
    return " " if match.group() in _WHITESPACE_CONTROLS else ""


def _remove_invalid_chars(text: str) -> str:
    if _INVALID_CHARS.search(text) is None:
        return text
    return _INVALID_CHARS.sub(_fix_invalid_char, text)


def _valid_xml_codepoint(cp: int) -> bool:
    if cp < 0x20:
        return cp in (0x9, 0xA, 0xD)
    return cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# "&name;" -> replacement that XML understands, precomputed for every HTML5 named entity.
_NAMED_ENTITY_XML = {
    f"&{name}": _xml_escape(value)
    for name, value in _HTML5_ENTITIES.items()
    if name.endswith(";") and name[:-1] not in _XML_ENTITIES
}


def _replace_entity(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref is None:
        return "&amp;"  # a stray ampersand is text
    token = match.group()
    if ref[0] == "#":
        try:
            cp = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
        except ValueError:
            return ""
        return token if _valid_xml_codepoint(cp) else ""
    if ref in _XML_ENTITIES:
        return token
    replacement = _NAMED_ENTITY_XML.get(token)
    # Unknown names stay visible as literal text rather than vanishing.
    return "&amp;" + token[1:] if replacement is None else replacement


_parsers = threading.local()


def _xml_parser() -> etree.XMLParser:
    # lxml parsers must not be shared between threads; the connector reads on worker threads.
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            recover=False,
            huge_tree=True,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            strip_cdata=True,
            remove_comments=True,
            remove_pis=True,
        )
        _parsers.parser = parser
    return parser


def _xmlify_entities(text: str) -> str:
    """Rewrite entity references so that XML accepts them, leaving CDATA sections untouched.

    Bodies hold few ampersands: hopping from one to the next with str.find (C speed) costs less than
    a regex scan of the whole body, or of each stretch between CDATA sections."""
    parts = []
    last = 0
    amp = text.find("&")
    cdata = text.find(_CDATA_START) if amp >= 0 else -1
    while amp >= 0:
        if 0 <= cdata < amp:
            end = text.find(_CDATA_END, cdata + len(_CDATA_START))
            if end < 0:
                cdata = -1  # unterminated: the strict parse fails anyway and tag soup takes over
                continue
            end += len(_CDATA_END)
            if amp < end:
                amp = text.find("&", end)
            cdata = text.find(_CDATA_START, end)
            continue
        match = _ENTITY.match(text, amp)
        if match is None:  # never: the pattern matches any "&"
            break
        parts.append(text[last:amp])
        parts.append(_replace_entity(match))
        last = match.end()
        amp = text.find("&", last)
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _prepare_xml(text: str) -> str:
    """A body as the strict parser takes it: entities XML knows, no XML declaration."""
    if "&" in text:
        text = _xmlify_entities(text)
    if text.startswith("<?xml") or text.lstrip().startswith("<?xml"):
        text = _XML_DECL.sub("", text, count=1)
    return text


def _parse_xml(text: str) -> Any:
    return etree.fromstring(_OPEN + _prepare_xml(text).encode("utf-8") + _CLOSE, _xml_parser())
