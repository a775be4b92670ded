"""Renders a parsed body to text with an explicit stack (no recursion); handlers per tag are in
body_handlers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from source_confluence.records.body_blocks import _INLINE, _exit_block, _h_block
from source_confluence.records.body_handlers import _HANDLERS
from source_confluence.records.body_names import _FENCE_RUN, _MAX_INDENT, RI_USER_ID_ATTRS

# A handler gets (renderer, element) and returns None when it consumed the element itself, or
# (children iterator, exit callback or None) to have the walker descend; an iterator of None
# stands for the element's own children (a leaf then exits at once, with no stack entry).


class _Renderer:
    __slots__ = (
        "out", "buf", "firsts", "cums", "compacts", "used", "blank", "blank_depth", "flatten",
        "lists", "rows", "headings", "user_names", "parent",
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
        self.headings: list[int] = []  # buf index where each open heading's text starts
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
            text = buf[0] if len(buf) == 1 else "".join(buf)
            # split/join collapses Unicode whitespace like \s+ but is several times faster; most
            # lines need none of it. isprintable() is False for every whitespace but " ".
            if not (text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "):
                text = " ".join(text.split())
            buf.clear()
            if text:
                if self.blank or self.used != len(self.firsts):
                    self.emit(text)
                else:  # emit's common case, inline: no blank line due, the prefix is known
                    prefix = self.cums[self.used]
                    self.out.append(prefix + text if prefix else text)

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
        # Children are iterated from a slice: lxml builds that list faster than it steps its iterator.
        stack: list[tuple[Iterator[Any], Any, Any]] = [(iter(root[:]), None, None)]
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
                    kids = child[:]  # also the leaf test: cheaper than len() and then a slice
                    if kids:
                        stack.append((iter(kids), None, child))
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
                    kids = child[:]
                    if kids:
                        stack.append((iter(kids), exit_block, child))
                        break
                    block_break()  # a leaf block exits at once, without a stack entry
                    tail = child.tail
                    if tail:
                        append(tail)
                    continue
                self.parent = owner
                result = handler(self, child)
                if result is not None:
                    grandchildren, exit_child = result
                    if grandchildren is not None:
                        stack.append((grandchildren, exit_child, child))
                        break
                    kids = child[:]
                    if kids:
                        stack.append((iter(kids), exit_child, child))
                        break
                    if exit_child is exit_block:
                        block_break()
                    elif exit_child is not None:
                        exit_child(self, child)
                tail = child.tail
                if tail:
                    append(tail)
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
