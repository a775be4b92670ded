"""The storage format's names (``ac:``/``ri:`` tags in Clark notation) and the constants of the
text rules (see docs/body-text.md)."""

from __future__ import annotations

import re
from typing import Any

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

# Containers whose direct children are blocks: a macro placed there is a block of its own, while
# one inside a paragraph or heading is part of the sentence.
_BLOCK_PARENTS = frozenset(
    {_ac(name) for name in ("rich-text-body", "layout", "layout-section", "layout-cell", "adf-content")}
    | {"td", "th", "li", "div", "blockquote", "section", "article", "body", "html", _ROOT_TAG}
)


def _text_of(el: Any) -> str:
    if not len(el):  # most parameters and code bodies: no need for the itertext generator
        return el.text or ""
    return "".join(el.itertext())


def _param_text(el: Any) -> str:
    return " ".join(_text_of(el).split())
