"""Tag handlers for blocks: paragraphs, lists, tasks, tables, preformatted text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from source_confluence.records.body_names import AC_TASK_STATUS, _param_text, _text_of

if TYPE_CHECKING:
    from source_confluence.records.body_render import _Renderer

_INLINE = object()  # sentinel: descend, no special behaviour


def _descend(r: _Renderer, el: Any, on_exit: Any = None) -> tuple[None, Any]:
    text = el.text  # lxml builds a new string on every access: read it once
    if text:
        r.buf.append(text)
    return None, on_exit  # None: the walker visits el's own children (none: it exits at once)


def _h_skip(r: _Renderer, el: Any) -> None:
    return None


def _exit_block(r: _Renderer, el: Any) -> None:
    r.block()


def _h_block(r: _Renderer, el: Any) -> tuple[Iterator[Any] | None, Any]:
    r.block()
    return _descend(r, el, _exit_block)


# A heading is one Markdown ATX line ("## Text"), so a Markdown splitter cuts at it and knows its
# level; its content is flattened onto that line. Inside a table cell it stays plain text.
def _exit_heading(r: _Renderer, el: Any) -> None:
    start = r.headings.pop()
    r.flatten -= 1
    if not r.flatten and not "".join(r.buf[start:]).strip():
        del r.buf[start - 1:]  # an empty heading: drop its marker too
    r.block()


def _h_heading(r: _Renderer, el: Any) -> tuple[Iterator[Any] | None, Any] | None:
    r.block()
    if not r.flatten and not len(el):
        # A heading of plain text (most are): its line at once, nothing when it is blank.
        text = el.text
        if text and not text.isspace():
            r.buf.append("#" * int(el.tag[-1]) + " ")
            r.buf.append(text)
        r.block()
        return None
    if not r.flatten:
        r.buf.append("#" * int(el.tag[-1]) + " ")
    r.headings.append(len(r.buf))
    r.flatten += 1
    return _descend(r, el, _exit_heading)


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


def _begin_list(r: _Renderer, el: Any, ordered: bool) -> tuple[Iterator[Any] | None, Any]:
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


def _h_ul(r: _Renderer, el: Any) -> tuple[Iterator[Any] | None, Any]:
    return _begin_list(r, el, False)


def _h_ol(r: _Renderer, el: Any) -> tuple[Iterator[Any] | None, Any]:
    return _begin_list(r, el, True)


def _exit_item(r: _Renderer, el: Any) -> None:
    r.end_item()


def _h_li(r: _Renderer, el: Any) -> tuple[Iterator[Any] | None, Any] | None:
    marker = "- "
    if r.lists:
        state = r.lists[-1]
        if state[0]:
            marker = f"{state[1]}. "
            state[1] += 1
    if r.flatten or len(el):
        r.begin_item(marker)
        return _descend(r, el, _exit_item)
    # Most items are a line of text: begin_item, the text and end_item in one step.
    if r.lists:
        r.lists[-1][2] = False  # begin_item sets it, end_item clears it
    if r.buf:
        r.flush()
    r.push_ctx(marker, "  ", True)
    text = el.text
    if text:
        r.buf.append(text)
        r.flush()
    r.pop_ctx()
    return None


def _h_task(r: _Renderer, el: Any) -> tuple[Iterator[Any] | None, Any]:
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
    for piece in pieces:
        # Not piece.strip(): isspace is the same test (Unicode whitespace) without a copy.
        if piece and piece is not _CELL_SEPARATOR and not piece.isspace():
            return True
    return False


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


def _h_tr(r: _Renderer, el: Any) -> tuple[Iterator[Any] | None, Any]:
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


def _h_cell(r: _Renderer, el: Any) -> tuple[Iterator[Any] | None, Any] | None:
    if r.rows:
        row = r.rows[-1]
        if row[0]:
            r.buf.append(_CELL_SEPARATOR)
        row[0] += 1
    if len(el) == 1:
        para = el[0]
        if para.tag == "p" and not len(para):
            # Most cells are one paragraph of text: what the walker would add (a block break
            # is a space in a cell), without a stack entry for the cell.
            buf = r.buf
            text = el.text
            if text:
                buf.append(text)
            buf.append(" ")
            text = para.text
            if text:
                buf.append(text)
            buf.append(" ")
            tail = para.tail
            if tail:
                buf.append(tail)
            return None
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
