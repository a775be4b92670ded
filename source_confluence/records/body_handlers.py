"""Which handler renders which tag."""

from __future__ import annotations

from typing import Any

from source_confluence.records.body_blocks import (
    _INLINE,
    _h_block,
    _h_br,
    _h_cell,
    _h_heading,
    _h_li,
    _h_ol,
    _h_plain_body,
    _h_pre,
    _h_skip,
    _h_task,
    _h_time,
    _h_tr,
    _h_ul,
)
from source_confluence.records.body_macros import (
    _h_adf_extension,
    _h_adf_node,
    _h_emoticon,
    _h_image,
    _h_link,
    _h_macro,
    _h_resource,
)
from source_confluence.records.body_names import AC_ADF_NODE, AC_PLAIN_TEXT_BODY, _ac, _ri


def _build_handlers() -> dict[str, Any]:
    handlers: dict[str, Any] = {}
    for tag in ("p", "div", "blockquote", "section", "article", "header", "footer", "aside", "nav",
                "main", "figure", "figcaption", "dl", "dt", "dd", "address", "center", "caption"):
        handlers[tag] = _h_block
    for tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        handlers[tag] = _h_heading
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
