"""Confluence storage format (XHTML with ``ac:``/``ri:`` elements) -> readable plain text.

The output rules, an example and the parsing strategy are in docs/body-text.md."""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence

from lxml import etree

from source_confluence.records.body_fallback import _parse_soup, _strip_tags
from source_confluence.records.body_names import _CLOSE, _OPEN
from source_confluence.records.body_parse import _parse_xml, _prepare_xml, _remove_invalid_chars, _xml_parser
from source_confluence.records.body_render import _Renderer

__all__ = ["storage_to_text", "storage_to_texts", "word_count"]

# storage_to_texts puts each body of a batch in one of these (a name no storage body uses).
_BATCH_TAG = "confluence-storage-body"
_BATCH_OPEN = f"<{_BATCH_TAG}>".encode()
_BATCH_CLOSE = f"</{_BATCH_TAG}>".encode()
_BATCH_SEPARATOR = _BATCH_CLOSE + _BATCH_OPEN


_RUN_MARKS: dict[str, str] = {}


def _mark_non_ascii(error: UnicodeError) -> tuple[str, int]:
    # One call per run of non-ASCII characters: a word character (what `\w` matches: alphanumeric
    # or "_") becomes "w", anything else a space, so the ASCII fast path below can count runs.
    # The same few runs (accents, dashes, quotes) recur in every body: their marks are cached.
    if not isinstance(error, UnicodeEncodeError):  # registered for encoding only
        raise error
    run = error.object[error.start:error.end]
    marks = _RUN_MARKS.get(run)
    if marks is None:
        marks = "".join(["w" if ch.isalnum() or ch == "_" else " " for ch in run])
        if len(run) <= 16 and len(_RUN_MARKS) < 4096:
            _RUN_MARKS[run] = marks
    return marks, error.end


codecs.register_error("source_confluence.word_marks", _mark_non_ascii)
# ASCII byte -> b"w" for word characters ([A-Za-z0-9_]), b" " for everything else.
_WORD_MARKS = bytes(0x77 if i < 128 and (chr(i).isalnum() or i == 0x5F) else 0x20 for i in range(256))


def word_count(text: str | None) -> int:
    r"""Number of words (runs of Unicode word characters, what `\w+` matches) in `text`; 0 for None
    or "". Counted on a w/space mask of the text (C-speed translate and count) rather than with a
    regex that builds a string per word: a sixth of the time on typical bodies."""
    if not text:
        return 0
    marks = text.encode("ascii", "source_confluence.word_marks").translate(_WORD_MARKS)
    return marks.count(b" w") + (marks[0] == 0x77)


def storage_to_text(storage: object, user_names: Mapping[str, str] | None = None) -> str | None:
    """Plain text of a storage-format body (docs/body-text.md); never raises. Meant for a str or None,
    forgiving with bytes and other scalars."""
    if storage is None:
        return None
    if not isinstance(storage, str):
        # Be forgiving with callers that hand over raw bytes or other scalars.
        try:
            storage = (
                storage.decode("utf-8", "replace")
                if isinstance(storage, (bytes, bytearray))
                else str(storage)
            )
        except Exception:
            return ""
    if not storage:
        return ""
    try:
        try:
            root = _parse_xml(storage)
        except Exception:  # any parse failure means "not well-formed": go tolerant
            # Characters XML forbids make libxml2 (or UTF-8 encoding) fail, so they are only
            # looked for here, off the fast path; a clean retry usually parses strictly.
            clean = _remove_invalid_chars(storage)
            root = None
            if clean is not storage:
                try:
                    root = _parse_xml(clean)
                except Exception:
                    root = None
            if root is None:
                root = _parse_soup(clean)
        return _Renderer(user_names).render(root)
    except Exception:  # the contract is to never raise; keep the text at least
        return _strip_tags(storage)


def storage_to_texts(bodies: Sequence[str | None], user_names: Mapping[str, str] | None = None,
                     batch_bytes: int = 256 * 1024) -> list[str | None]:
    """``[storage_to_text(body, user_names) for body in bodies]``, with one XML parse per
    `batch_bytes` of bodies rather than one per body.

    lxml lets go of the GIL for every parse, and a connector thread that lets go of it waits its
    turn to get it back behind the other workers: parsing a page of results in a few documents
    instead of one per body removes most of those hand-offs (and libxml2's per-document set-up).
    The size cap bounds the tree held at once (a 256 KB batch is ~1.5 MB of tree). Bodies are
    parsed side by side, each in an element of its own; when such a document is not well-formed
    (one malformed body is enough), each of its bodies goes through ``storage_to_text`` alone, so
    the result is always the same as converting them one by one.
    """
    texts: list[str | None] = [None] * len(bodies)
    batch: list[int] = []
    parts: list[bytes] = []
    size = 0
    for index, body in enumerate(bodies):
        if body.__class__ is not str or not body or _BATCH_TAG in body:
            texts[index] = storage_to_text(body, user_names)
            continue
        try:
            part = _prepare_xml(body).encode("utf-8")
        except Exception:  # e.g. a lone surrogate: the single-body path knows what to do
            texts[index] = storage_to_text(body, user_names)
            continue
        batch.append(index)
        parts.append(part)
        size += len(part)
        if size >= batch_bytes:
            _convert_batch(bodies, batch, parts, user_names, texts)
            batch, parts, size = [], [], 0
    if batch:
        _convert_batch(bodies, batch, parts, user_names, texts)
    return texts


def _convert_batch(bodies: Sequence[str | None], batch: list[int], parts: list[bytes],
                   user_names: Mapping[str, str] | None, texts: list[str | None]) -> None:
    elements = None
    if len(batch) > 1:
        try:
            root = etree.fromstring(_OPEN + _BATCH_OPEN + _BATCH_SEPARATOR.join(parts) + _BATCH_CLOSE + _CLOSE,
                                    _xml_parser())
            elements = list(root)
        except Exception:
            elements = None
        if elements is not None and (
                len(elements) != len(batch) or root.text or any(el.tag != _BATCH_TAG or el.tail for el in elements)):
            elements = None
    if elements is None:
        for index in batch:
            texts[index] = storage_to_text(bodies[index], user_names)
        return
    for index, element in zip(batch, elements, strict=True):
        try:
            texts[index] = _Renderer(user_names).render(element)
        except Exception:
            texts[index] = storage_to_text(bodies[index], user_names)


