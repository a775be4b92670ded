"""Confluence storage format (XHTML with ``ac:``/``ri:`` elements) -> readable plain text.

Output format
-------------
The text is Markdown-flavoured so that it reads naturally to a person and to a language model:

* Headings, paragraphs, tables, lists, code blocks and panels are blocks separated by one blank
  line. ``<br/>`` is a line break. Whitespace inside text runs collapses to one space, no line ends
  in whitespace, there is never more than one blank line in a row and the result is stripped.
* ``<ul>`` items start with ``- ``, ``<ol>`` items with ``1. ``, ``2. `` (honouring ``start``).
  Nested lists, and the continuation lines of an item, are indented by two spaces per level
  (capped at 32 levels so that pathological nesting cannot blow up the output). Items are not
  separated by blank lines; blocks inside an item are separated by a single line break.
* Tables: one line per row (header rows too), cells joined by `` | ``; rows with only empty cells
  are dropped. Everything inside a cell is flattened onto that line.
* ``code`` / ``noformat`` macros: fenced with ``` (plus the ``language`` parameter), code kept as
  is apart from trailing whitespace, blank lines at the ends and runs of blank lines. ``<pre>`` and
  the plain-text body of any other macro are fenced the same way, without a language.
* Panels (``info``, ``note``, ``warning``, ``tip``, ``panel``, ``expand``, and Cloud ADF panels):
  a header line ``[Info: Title]`` (``[Info]`` without a title), then the body indented by two
  spaces. Other macros with a rich-text body (``details``, ``section``, ``excerpt``, ...) are
  transparent: their body is rendered in place.
* ``status`` macro -> ``[Title]`` (title as stored); ``<time datetime=...>`` -> the date;
  mentions -> ``@Display Name`` from ``user_names`` (looked up by account id, user key or
  username), else ``@<id>``; links -> their body, else the page/blog title, URL or space key;
  images -> ``[image: file.png]`` / ``[image: https://...]`` followed by any caption; attachment
  links and ``view-file``-style macros -> ``[attachment: file.pdf]``; tasks -> ``[x] body`` or
  ``[ ] body`` as list items; emoticons -> their emoji fallback.
* Macros whose output is not in the storage format (``toc``, ``children``, ``jira``, ``include``,
  ...) -> ``[macro: name]``, a paragraph of its own when the macro stands between blocks and inline
  inside running text (the same goes for ``[attachment: ...]`` of ``view-file``). ``anchor``
  renders nothing because it has no visible output either.
* Not text: attribute values, macro parameters, task ids/statuses, editor placeholders, comments,
  ADF attributes and the ADF fallback markup when the ADF node itself is present.

Example::

    <h2>Plan</h2><p>Ask <ac:link><ri:user ri:account-id="557"/></ac:link> &rarr; ship.</p>
    <ac:structured-macro ac:name="info"><ac:parameter ac:name="title">Heads up</ac:parameter>
    <ac:rich-text-body><p>Freeze on Friday.</p></ac:rich-text-body></ac:structured-macro>
    <ul><li>one<ol><li>two</li></ol></li></ul>

becomes (with ``user_names={"557": "Ada"}``)::

    Plan

    Ask @Ada → ship.

    [Info: Heads up]
      Freeze on Friday.

    - one
      1. two

Parsing strategy
----------------
Storage bodies from the API are well-formed XML fragments apart from HTML named entities, so the
fast path wraps the fragment in a root element that declares the ``ac``/``ri``/``at`` namespaces,
rewrites HTML named entities to characters (``html.entities``), escapes stray ``&`` and parses
with a strict lxml ``XMLParser`` (``huge_tree`` for big bodies, no entity resolution, no network).
Characters XML forbids (control characters, lone surrogates) are dropped, and the strict parse
retried, only after a first failure, which keeps that scan off the fast path.

A strict parser is used deliberately instead of ``recover=True``: libxml2's recovery is heuristic
and silently drops text (a stray end tag can close the wrapper and end the document; nesting
deeper than 2048 halts the parse). Any parse error instead routes the body to a small tolerant
tag-soup tree builder (regex tokenizer, end tags close the nearest matching open element or are
ignored, no depth limit) whose result is rendered by the same code, so malformed input keeps all
of its text (it is pure Python, roughly 1.5 µs per tag, which only matters for huge malformed
bodies). lxml's HTML parser was not used because it does not honour self-closing ``ri:`` elements
or CDATA bodies.

Rendering walks the tree with an explicit stack (no recursion), so 5,000 levels of nesting are
fine; if anything unexpected still goes wrong, tags are stripped as a last resort, so the function
never raises.
"""

from __future__ import annotations

import codecs
import html
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from html.entities import html5 as _HTML5_ENTITIES
from typing import Any

from lxml import etree

__all__ = ["storage_to_text", "storage_to_texts", "word_count"]

# XML namespace names of the storage format, never fetched.
_AC_NS = "http://atlassian.com/content"  # ignore-https-check
_RI_NS = "http://atlassian.com/resource/identifier"  # ignore-https-check
_AT_NS = "http://atlassian.com/template"  # ignore-https-check
_PREFIX_NS = {"ac": _AC_NS, "ri": _RI_NS, "at": _AT_NS}
_RI_TAG_START = "{" + _RI_NS + "}"  # Clark-notation prefix shared by all ri: tags

_ROOT_TAG = "confluence-storage-root"
_OPEN = (
    f'<{_ROOT_TAG} xmlns:ac="{_AC_NS}" xmlns:ri="{_RI_NS}" xmlns:at="{_AT_NS}">'
).encode()
_CLOSE = f"</{_ROOT_TAG}>".encode()
# storage_to_texts puts each body of a batch in one of these (a name no storage body uses).
_BATCH_TAG = "confluence-storage-body"
_BATCH_OPEN = f"<{_BATCH_TAG}>".encode()
_BATCH_CLOSE = f"</{_BATCH_TAG}>".encode()
_BATCH_SEPARATOR = _BATCH_CLOSE + _BATCH_OPEN


def _ac(name: str) -> str:
    return f"{{{_AC_NS}}}{name}"


def _ri(name: str) -> str:
    return f"{{{_RI_NS}}}{name}"


AC_NAME = _ac("name")
AC_ANCHOR = _ac("anchor")
AC_EMOJI_FALLBACK = _ac("emoji-fallback")
AC_PARAMETER = _ac("parameter")
AC_DEFAULT_PARAMETER = _ac("default-parameter")
AC_RICH_TEXT_BODY = _ac("rich-text-body")
AC_PLAIN_TEXT_BODY = _ac("plain-text-body")
AC_LINK_BODY = _ac("link-body")
AC_PLAIN_TEXT_LINK_BODY = _ac("plain-text-link-body")
AC_CAPTION = _ac("caption")
AC_TASK_STATUS = _ac("task-status")
AC_ADF_NODE = _ac("adf-node")
AC_ADF_ATTRIBUTE = _ac("adf-attribute")
RI_USER = _ri("user")
RI_ATTACHMENT = _ri("attachment")
RI_FILENAME = _ri("filename")
RI_CONTENT_TITLE = _ri("content-title")
RI_VALUE = _ri("value")
RI_PAGE = _ri("page")
RI_BLOG_POST = _ri("blog-post")
RI_URL = _ri("url")
RI_SPACE = _ri("space")
RI_SPACE_KEY = _ri("space-key")
RI_SHORTCUT = _ri("shortcut")
RI_PARAMETER = _ri("parameter")
RI_USER_ID_ATTRS = (_ri("account-id"), _ri("userkey"), _ri("username"))

_WS = re.compile(r"\s+")
# Characters XML 1.0 cannot carry; lxml refuses them and UTF-8 cannot encode lone surrogates.
_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WHITESPACE_CONTROLS = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f")
# A literal first character lets `re` scan for candidates quickly; CDATA is cut out beforehand.
_ENTITY = re.compile(r"&(?:(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)?")
_CDATA_START = "<![CDATA["
_CDATA_END = "]]>"
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_XML_DECL = re.compile(r"\s*<\?xml[^>]*\?>")

_MAX_INDENT = 64  # characters of indentation; deeper nesting stops indenting further
_FENCE_RUN = re.compile(r"`{3,}")

_PANELS = {
    "info": "Info",
    "note": "Note",
    "warning": "Warning",
    "tip": "Tip",
    "panel": "Panel",
    "expand": "Expand",
}
_ADF_PANELS = {
    "info": "Info",
    "note": "Note",
    "warning": "Warning",
    "tip": "Tip",
    "success": "Success",
    "error": "Error",
    "custom": "Panel",
}
_FILE_MACROS = frozenset(
    {"view-file", "viewfile", "viewpdf", "viewdoc", "viewxls", "viewppt", "multimedia"}
)
_INVISIBLE_MACROS = frozenset({"anchor"})


_RUN_MARKS: dict[str, str] = {}


def _mark_non_ascii(error: UnicodeEncodeError) -> tuple[str, int]:
    # One call per run of non-ASCII characters: a word character (what `\w` matches: alphanumeric
    # or "_") becomes "w", anything else a space, so the ASCII fast path below can count runs.
    # The same few runs (accents, dashes, quotes) recur in every body: their marks are cached.
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


def storage_to_text(storage: str | None, user_names: Mapping[str, str] | None = None) -> str | None:
    """Plain text of a storage-format body (see the module docstring); never raises."""
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


# --------------------------------------------------------------------------------------------
# Parsing


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
    """Rewrite entity references so that XML accepts them, leaving CDATA sections untouched."""
    if _CDATA_START not in text:
        return _ENTITY.sub(_replace_entity, text)
    parts = []
    pos = 0
    while True:
        start = text.find(_CDATA_START, pos)
        if start < 0:
            break
        end = text.find(_CDATA_END, start + len(_CDATA_START))
        if end < 0:
            break  # unterminated: the strict parse fails anyway and tag soup takes over
        parts.append(_ENTITY.sub(_replace_entity, text[pos:start]))
        end += len(_CDATA_END)
        parts.append(text[start:end])
        pos = end
    parts.append(_ENTITY.sub(_replace_entity, text[pos:]))
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


# --------------------------------------------------------------------------------------------
# Rendering

# A handler gets (renderer, element) and returns None when it consumed the element itself, or
# (children iterator, exit callback or None) to have the walker descend.


def _text_of(el: Any) -> str:
    return "".join(el.itertext())


def _param_text(el: Any) -> str:
    return " ".join(_text_of(el).split())


class _Renderer:
    __slots__ = (
        "out", "buf", "firsts", "cums", "compacts", "used", "blank", "blank_depth", "flatten",
        "lists", "rows", "user_names", "parent",
    )

    def __init__(self, user_names: Mapping[str, str] | None) -> None:
        self.out: list[str] = []  # finished lines
        self.buf: list[str] = []  # inline pieces of the line being built
        # Line-prefix contexts (list items, panels): first-line prefix, cumulative continuation
        # prefix, and whether blocks inside are separated by a line break instead of a blank line.
        self.firsts: list[str] = []
        self.cums: list[str] = [""]
        self.compacts: list[bool] = []
        self.used = 0  # contexts whose first line has been written (always a bottom slice)
        self.blank = False  # a blank line is due before the next line
        # Context depth at which that blank line was asked for: a blank asked for inside a context
        # whose first line is not written yet (just after a panel header) is dropped.
        self.blank_depth = 0
        self.flatten = 0  # > 0 inside table cells: everything goes on one line
        self.lists: list[list[Any]] = []  # [ordered, next number, item open, indent pushed]
        # Table rows: [cells so far, buf index at row start, has text, buf index scanned up to].
        self.rows: list[list[Any]] = []
        self.user_names = user_names
        self.parent: Any = None  # element whose children are being walked (None: the body itself)

    # -- line building --------------------------------------------------------------------

    def emit(self, text: str) -> None:
        out = self.out
        depth = len(self.firsts)
        used = self.used
        if self.blank:
            self.blank = False
            if out and out[-1] and self.blank_depth <= used:
                out.append("")
        if used == depth:
            prefix = self.cums[used]
        else:
            prefix = self.cums[used] + "".join(self.firsts[used:])
            self.used = depth
        out.append(prefix + text if prefix else text)

    def flush(self) -> None:
        buf = self.buf
        if buf:
            # split/join collapses Unicode whitespace like \s+ but is several times faster.
            text = " ".join("".join(buf).split())
            buf.clear()
            if text:
                self.emit(text)

    def block(self) -> None:
        if self.flatten:
            self.buf.append(" ")
            return
        if self.buf:
            self.flush()
        if not (self.compacts and self.compacts[-1]):
            depth = len(self.firsts)
            if not self.blank or depth < self.blank_depth:
                self.blank_depth = depth
            self.blank = True

    def newline(self) -> None:
        if self.flatten:
            self.buf.append(" ")
        elif self.buf:
            self.flush()

    def push_ctx(self, first: str, rest: str, compact: bool) -> None:
        self.firsts.append(first)
        cum = self.cums[-1]
        self.cums.append(cum + rest if len(cum) < _MAX_INDENT else cum)
        self.compacts.append(compact)

    def pop_ctx(self) -> None:
        self.firsts.pop()
        self.cums.pop()
        self.compacts.pop()
        depth = len(self.firsts)
        if self.used > depth:
            self.used = depth
        if self.blank_depth > depth:
            self.blank_depth = depth

    def code_block(self, code: str, language: str) -> None:
        lines = code.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        start, end = 0, len(lines)
        while start < end and not lines[start].strip():
            start += 1
        while end > start and not lines[end - 1].strip():
            end -= 1
        if start == end:
            return
        lines = lines[start:end]
        if self.flatten:
            self.buf.append(" " + " ".join(lines) + " ")
            return
        fence = "```"
        if "```" in code:
            fence = "`" * (max(len(run) for run in _FENCE_RUN.findall(code)) + 1)
        self.block()
        self.emit(fence + language)
        out = self.out
        for line in lines:
            line = line.rstrip()
            if line:
                self.emit(line)
            elif out[-1]:
                out.append("")
        self.emit(fence)
        self.block()

    def begin_panel(self, header: str) -> None:
        if self.flatten:
            self.buf.append(f" [{header}] ")
            return
        self.block()
        self.emit(f"[{header}]")
        self.push_ctx("  ", "  ", False)

    def end_panel(self) -> None:
        if self.flatten:
            self.buf.append(" ")
            return
        self.flush()
        self.pop_ctx()
        self.block()

    def begin_item(self, marker: str) -> None:
        if self.lists:
            self.lists[-1][2] = True
        if self.flatten:
            self.buf.append(" " + marker)
            return
        self.flush()
        self.push_ctx(marker, "  ", True)

    def end_item(self) -> None:
        if self.lists:
            self.lists[-1][2] = False
        if self.flatten:
            self.buf.append(" ")
            return
        self.flush()
        self.pop_ctx()

    def mention(self, user: Any) -> str:
        names = self.user_names
        first_id = None
        for attr in RI_USER_ID_ATTRS:
            user_id = user.get(attr)
            if user_id:
                if names:
                    try:
                        name = names.get(user_id)
                    except Exception:  # an odd mapping must not break the body
                        name = None
                    if name:
                        return f"@{name}"
                if first_id is None:
                    first_id = user_id
        return f"@{first_id}" if first_id else "@unknown-user"

    # -- tree walk ----------------------------------------------------------------------

    def render(self, root: Any) -> str:
        buf = self.buf
        append = buf.append
        handlers = _HANDLERS
        inline = _INLINE
        block = _h_block
        exit_block = _exit_block
        block_break = self.block
        text = root.text
        if text:
            append(text)
        # Entries: (children still to visit, exit callback, element whose tail follows its exit).
        stack: list[tuple[Iterator[Any], Any, Any]] = [(iter(root), None, None)]
        while stack:
            children, on_exit, owner = stack[-1]
            # Siblings are consumed here; descending pushes an entry and breaks out to the top.
            for child in children:
                tag = child.tag
                if tag.__class__ is not str:
                    # Comments, processing instructions: no text, but their tail is.
                    if child.tail:
                        append(child.tail)
                    continue
                handler = handlers.get(tag)
                if handler is None:
                    # Hand-written bodies may use upper case; anything else unknown is inline.
                    handler = handlers.get(tag.lower(), inline)
                if handler is inline:
                    text = child.text
                    if text:
                        append(text)
                    if len(child):
                        stack.append((iter(child), None, child))
                        break
                    tail = child.tail
                    if tail:
                        append(tail)
                    continue
                if handler is block:
                    block_break()
                    text = child.text
                    if text:
                        append(text)
                    stack.append((iter(child), exit_block, child))
                    break
                self.parent = owner
                result = handler(self, child)
                if result is None:
                    tail = child.tail
                    if tail:
                        append(tail)
                    continue
                stack.append((result[0], result[1], child))
                break
            else:
                stack.pop()
                if on_exit is exit_block:
                    block_break()
                elif on_exit is not None:
                    on_exit(self, owner)
                if owner is not None:
                    tail = owner.tail
                    if tail:
                        append(tail)
        self.flush()
        # Only a first line indented by a list nested directly in a list loses its indentation.
        return "\n".join(self.out).strip()


_INLINE = object()  # sentinel: descend, no special behaviour


def _descend(r: _Renderer, el: Any, on_exit: Any = None) -> tuple[Iterator[Any], Any]:
    text = el.text  # lxml builds a new string on every access: read it once
    if text:
        r.buf.append(text)
    return iter(el), on_exit


def _h_skip(r: _Renderer, el: Any) -> None:
    return None


def _exit_block(r: _Renderer, el: Any) -> None:
    r.block()


def _h_block(r: _Renderer, el: Any) -> tuple[Iterator[Any], Any]:
    r.block()
    return _descend(r, el, _exit_block)


def _h_br(r: _Renderer, el: Any) -> Any:
    r.newline()
    if el.text or len(el):
        return _descend(r, el)
    return None


def _exit_list(r: _Renderer, el: Any) -> None:
    state = r.lists.pop()
    if state[3]:
        r.flush()
        r.pop_ctx()
    if r.lists:
        r.newline()  # still inside an outer list: keep it compact
    else:
        r.block()


def _begin_list(r: _Renderer, el: Any, ordered: bool) -> tuple[Iterator[Any], Any]:
    if r.lists:
        r.newline()  # a nested list is part of the outer list, not a new block
    else:
        r.block()
    start = 1
    if ordered:
        try:
            start = int(el.get("start") or 1)
        except ValueError:
            start = 1
    indent = False
    if r.lists and not r.lists[-1][2] and not r.flatten:
        # A list directly inside a list (not inside an item) still nests one level deeper.
        r.push_ctx("  ", "  ", True)
        indent = True
    r.lists.append([ordered, start, False, indent])
    return _descend(r, el, _exit_list)


def _h_ul(r: _Renderer, el: Any) -> tuple[Iterator[Any], Any]:
    return _begin_list(r, el, False)


def _h_ol(r: _Renderer, el: Any) -> tuple[Iterator[Any], Any]:
    return _begin_list(r, el, True)


def _exit_item(r: _Renderer, el: Any) -> None:
    r.end_item()


def _h_li(r: _Renderer, el: Any) -> tuple[Iterator[Any], Any]:
    marker = "- "
    if r.lists:
        state = r.lists[-1]
        if state[0]:
            marker = f"{state[1]}. "
            state[1] += 1
    r.begin_item(marker)
    return _descend(r, el, _exit_item)


def _h_task(r: _Renderer, el: Any) -> tuple[Iterator[Any], Any]:
    done = False
    for child in el:
        if child.tag == AC_TASK_STATUS:
            done = _param_text(child).lower() == "complete"
            break
    r.begin_item("[x] " if done else "[ ] ")
    return _descend(r, el, _exit_item)


# Appended between cells; recognised by identity so that a cell whose text is "|" still counts.
_CELL_SEPARATOR = " | "


def _has_text(pieces: list[str]) -> bool:
    return any(piece is not _CELL_SEPARATOR and piece.strip() for piece in pieces)


def _exit_row(r: _Renderer, el: Any) -> None:
    _, start, has_text, scanned = r.rows.pop()
    buf = r.buf
    if not has_text and not _has_text(buf[scanned:]):
        del buf[start:]  # a row of empty cells carries nothing
        has_text = False
    else:
        has_text = True
    r.newline()
    if r.rows:
        # Everything so far is accounted for in the enclosing row (nested tables).
        outer = r.rows[-1]
        outer[2] = outer[2] or has_text
        outer[3] = len(buf)


def _h_tr(r: _Renderer, el: Any) -> tuple[Iterator[Any], Any]:
    buf = r.buf
    if r.rows:
        # A row nested in a cell: settle the enclosing row's pieces now so that no piece is ever
        # scanned twice (deeply nested tables would otherwise cost quadratic time).
        outer = r.rows[-1]
        if not outer[2]:
            outer[2] = _has_text(buf[outer[3]:])
        outer[3] = len(buf)
    r.newline()
    r.rows.append([0, len(buf), False, len(buf)])
    return _descend(r, el, _exit_row)


def _exit_cell(r: _Renderer, el: Any) -> None:
    r.flatten -= 1


def _h_cell(r: _Renderer, el: Any) -> tuple[Iterator[Any], Any]:
    if r.rows:
        row = r.rows[-1]
        if row[0]:
            r.buf.append(_CELL_SEPARATOR)
        row[0] += 1
    r.flatten += 1
    return _descend(r, el, _exit_cell)


def _h_pre(r: _Renderer, el: Any) -> None:
    r.code_block(_text_of(el), "")


def _h_plain_body(r: _Renderer, el: Any) -> None:
    r.code_block(_text_of(el), "")


def _h_time(r: _Renderer, el: Any) -> Any:
    value = el.get("datetime")
    if value:
        r.buf.append(value.strip())
    if el.text or len(el):
        return _descend(r, el)
    return None


def _resource_label(res: Any) -> str:
    """What a link to `res` (an ``ri:`` element) shows when it has no body of its own."""
    tag = res.tag
    if tag == RI_ATTACHMENT:
        return f"[attachment: {res.get(RI_FILENAME) or ''}]"
    if tag == RI_PAGE or tag == RI_BLOG_POST:
        return res.get(RI_CONTENT_TITLE) or ""
    if tag == RI_URL:
        return res.get(RI_VALUE) or ""
    if tag == RI_SPACE:
        return res.get(RI_SPACE_KEY) or ""
    if tag == RI_SHORTCUT:
        return res.get(RI_PARAMETER) or ""
    return ""


def _h_resource(r: _Renderer, el: Any) -> None:
    # An ri: element outside ac:link / ac:image (unusual, but seen in hand-edited bodies).
    r.buf.append(r.mention(el) if el.tag == RI_USER else _resource_label(el))


def _exit_attachment_link(r: _Renderer, el: Any) -> None:
    for child in el:
        if child.tag == RI_ATTACHMENT:
            r.buf.append(f" [attachment: {child.get(RI_FILENAME) or ''}]")
            return


def _h_link(r: _Renderer, el: Any) -> Any:
    resource = None
    body = None
    for child in el:
        tag = child.tag
        if tag.__class__ is not str:
            continue
        if tag.startswith(_RI_TAG_START):
            if resource is None:
                resource = child
        elif (tag == AC_LINK_BODY or tag == AC_PLAIN_TEXT_LINK_BODY) and body is None:
            body = child
    rtag = resource.tag if resource is not None else None
    if body is None:
        if rtag == RI_USER:
            r.buf.append(r.mention(resource))
        elif resource is not None:
            r.buf.append(_resource_label(resource))
        else:
            r.buf.append(el.get(AC_ANCHOR) or "")
        return None
    on_exit = None
    if rtag == RI_ATTACHMENT:
        on_exit = _exit_attachment_link
        if body.tag == AC_PLAIN_TEXT_LINK_BODY:
            filename = resource.get(RI_FILENAME) or ""
            if _param_text(body) == filename.strip():
                on_exit = None
    if body.text:
        r.buf.append(body.text)
    return iter(body), on_exit


def _h_image(r: _Renderer, el: Any) -> Any:
    label = ""
    captions = []
    for child in el:
        tag = child.tag
        if tag == RI_ATTACHMENT:
            label = label or child.get(RI_FILENAME) or ""
        elif tag == RI_URL:
            label = label or child.get(RI_VALUE) or ""
        elif tag == AC_CAPTION:
            captions.append(child)
    r.buf.append(f"[image: {label}]" if label else "[image]")
    if captions:
        r.buf.append(" ")
        return iter(captions), None
    return None


def _h_emoticon(r: _Renderer, el: Any) -> None:
    fallback = el.get(AC_EMOJI_FALLBACK)
    if fallback:
        r.buf.append(fallback)
    else:
        name = el.get(AC_NAME)
        if name:
            r.buf.append(f":{name}:")


def _exit_panel(r: _Renderer, el: Any) -> None:
    r.end_panel()


def _h_macro(r: _Renderer, el: Any) -> Any:
    name = (el.get(AC_NAME) or "").strip().lower()
    params: dict[str, Any] = {}
    bodies = []
    plain = None
    for child in el:
        tag = child.tag
        if tag == AC_PARAMETER:
            params.setdefault((child.get(AC_NAME) or "").strip().lower(), child)
        elif tag == AC_DEFAULT_PARAMETER:
            params.setdefault("", child)
        elif tag == AC_RICH_TEXT_BODY:
            bodies.append(child)
        elif tag == AC_PLAIN_TEXT_BODY:
            if plain is None:
                plain = child
            bodies.append(child)
        elif isinstance(tag, str):
            # Content placed straight inside the macro (hand-written or legacy storage) is still
            # text the reader should see: treat it as part of the body.
            bodies.append(child)

    if name in ("code", "noformat"):
        language = ""
        if name == "code" and "language" in params:
            language = _param_text(params["language"])
        if plain is not None:
            r.code_block(_text_of(plain), language)
            bodies.remove(plain)
        return (iter(bodies), None) if bodies else None

    panel = _PANELS.get(name)
    if panel is not None:
        title = _param_text(params["title"]) if "title" in params else ""
        r.begin_panel(f"{panel}: {title}" if title else panel)
        return iter(bodies), _exit_panel

    if name == "status":
        title = _param_text(params["title"]) if "title" in params else ""
        if title:
            r.buf.append(f"[{title}]")
        return None

    if name in _FILE_MACROS:
        standalone = _at_block_level(r)
        if standalone:
            r.block()
        filename = ""
        param = params.get("name")
        if param is not None:
            for node in param.iter():
                # Element.iter / _Node.iter: iterative, so deep parameters are fine.
                if node.tag == RI_ATTACHMENT:
                    filename = node.get(RI_FILENAME) or ""
                    break
            else:
                filename = _param_text(param)
        r.buf.append(f"[attachment: {filename}]")
        if standalone:
            r.block()
        return None

    if name in _INVISIBLE_MACROS:
        return None
    if bodies:
        # The macro's content is in the body (details, section, excerpt, ...): show it in place.
        r.block()
        return iter(bodies), _exit_block
    standalone = _at_block_level(r)
    if standalone:
        r.block()
    r.buf.append(f"[macro: {name}]" if name else "[macro]")
    if standalone:
        r.block()
    return None


def _at_block_level(r: _Renderer) -> bool:
    """Whether the element being handled sits between blocks rather than inside running text."""
    parent = r.parent
    return parent is None or parent.tag in _BLOCK_PARENTS


def _h_adf_extension(r: _Renderer, el: Any) -> Any:
    nodes = [child for child in el if child.tag == AC_ADF_NODE]
    if nodes:
        # The fallback markup duplicates the node's content; render the node only.
        return iter(nodes), None
    return _descend(r, el)


def _h_adf_node(r: _Renderer, el: Any) -> Any:
    if (el.get("type") or "").lower() == "panel":
        kind = ""
        for child in el:
            if child.tag == AC_ADF_ATTRIBUTE and (child.get("key") or "") == "panel-type":
                kind = _param_text(child).lower()
                break
        r.begin_panel(_ADF_PANELS.get(kind, "Panel"))
        return iter(el), _exit_panel
    return _h_block(r, el)


def _build_handlers() -> dict[str, Any]:
    handlers: dict[str, Any] = {}
    for tag in ("p", "div", "blockquote", "section", "article", "header", "footer", "aside", "nav",
                "main", "figure", "figcaption", "dl", "dt", "dd", "address", "center", "caption",
                "h1", "h2", "h3", "h4", "h5", "h6"):
        handlers[tag] = _h_block
    for name in ("layout", "layout-section", "layout-cell", "rich-text-body", "adf-content"):
        handlers[_ac(name)] = _h_block
    handlers["hr"] = _h_block
    handlers["br"] = _h_br
    handlers["ul"] = _h_ul
    handlers["ol"] = _h_ol
    handlers["li"] = _h_li
    handlers[_ac("task-list")] = _h_ul
    handlers[_ac("task")] = _h_task
    handlers["table"] = _h_block
    handlers["tr"] = _h_tr
    handlers["td"] = _h_cell
    handlers["th"] = _h_cell
    handlers["pre"] = _h_pre
    handlers["time"] = _h_time
    handlers[_ac("link")] = _h_link
    handlers[_ac("image")] = _h_image
    handlers[_ac("emoticon")] = _h_emoticon
    handlers[_ac("structured-macro")] = _h_macro
    handlers[_ac("macro")] = _h_macro
    handlers[AC_PLAIN_TEXT_BODY] = _h_plain_body
    handlers[_ac("adf-extension")] = _h_adf_extension
    handlers[AC_ADF_NODE] = _h_adf_node
    for name in ("parameter", "default-parameter", "task-id", "task-uuid", "task-status",
                 "placeholder", "adf-attribute", "adf-fallback"):
        handlers[_ac(name)] = _h_skip
    for name in ("user", "attachment", "page", "blog-post", "url", "space", "shortcut"):
        handlers[_ri(name)] = _h_resource
    for tag in ("span", "strong", "b", "em", "i", "u", "s", "del", "ins", "sub", "sup", "code",
                "a", "small", "big", "font", "mark", "cite", "q", "abbr", "kbd", "samp", "var",
                "tbody", "thead", "tfoot", "colgroup", "col", "label",
                _ac("task-body"), _ac("link-body"), _ac("plain-text-link-body"), _ac("caption"),
                _ac("inline-comment-marker")):
        handlers[tag] = _INLINE
    return handlers


_HANDLERS = _build_handlers()
# Containers whose direct children are blocks: a macro placed there is a block of its own, while
# one inside a paragraph or heading is part of the sentence.
_BLOCK_PARENTS = frozenset(
    {_ac(name) for name in ("rich-text-body", "layout", "layout-section", "layout-cell", "adf-content")}
    | {"td", "th", "li", "div", "blockquote", "section", "article", "body", "html", _ROOT_TAG}
)
