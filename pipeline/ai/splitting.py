"""A document's Markdown text -> chunks of at most ``max_tokens`` tokens (semantic-text-splitter).

The splitter cuts at the highest Markdown level that fits: headings, then blocks (paragraphs,
lists, code blocks), then lines, then sentences, then words. Two guarantees on top of it:

* A fenced code block is never cut open: one larger than a chunk is first re-cut into several
  complete fenced blocks at line boundaries (each fitting a chunk), so every chunk's fences pair up.
* A table row (one line of the body text: ``cell | cell``) is cut only when that single row is
  larger than a chunk; rows otherwise end a chunk at a line boundary (the splitter's line level).

Tokens are counted with the tokenizer of ``TOKENIZER_MODEL`` (OpenAI's cl100k_base BPE, embedded in
the library: no download), by the same splitter, so the counts are the ones the bound applies to.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from semantic_text_splitter import MarkdownSplitter, TextSplitter

TOKENIZER_MODEL = "gpt-3.5-turbo"
DEFAULT_MAX_TOKENS = 512
DEFAULT_OVERLAP_TOKENS = 64
MIN_MAX_TOKENS = 32
# A fence line as the connector writes it: after the line prefix of the lists, tasks and panels it
# sits in (a code block may open a list item: "- ```bash"), as in the documents' dbt heading shift.
_FENCE = re.compile(r"^((?:[ ]|- |[0-9]+\. |\[[ x]\] )*)(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")


class ChunkSettingsError(ValueError):
    """A chunk size or overlap that cannot work; the message names the setting and what to do."""


@dataclass(frozen=True)
class ChunkSettings:
    max_tokens: int = DEFAULT_MAX_TOKENS
    overlap_tokens: int = DEFAULT_OVERLAP_TOKENS

    def __post_init__(self) -> None:
        if isinstance(self.max_tokens, bool) or not isinstance(self.max_tokens, int) or self.max_tokens < MIN_MAX_TOKENS:
            raise ChunkSettingsError(f"max_tokens must be an integer of at least {MIN_MAX_TOKENS}, got {self.max_tokens!r}.")
        if isinstance(self.overlap_tokens, bool) or not isinstance(self.overlap_tokens, int) or self.overlap_tokens < 0:
            raise ChunkSettingsError(f"overlap_tokens must be an integer of 0 or more, got {self.overlap_tokens!r}.")
        if self.overlap_tokens >= self.max_tokens // 2:
            raise ChunkSettingsError(f"overlap_tokens ({self.overlap_tokens}) must be less than half of max_tokens "
                                     f"({self.max_tokens}): lower the overlap or raise the chunk size.")


@dataclass(frozen=True)
class TextChunk:
    ordinal: int
    text: str
    heading_path: str
    """The headings the chunk sits under, outermost first, joined by `` > `` ("" before any heading)."""
    token_count: int

    def chunk_id(self, document_id: str) -> str:
        """`<document id>:<ordinal>:<first 16 hex of the text's SHA-256>`: an unchanged chunk keeps its id."""
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]
        return f"{document_id}:{self.ordinal}:{digest}"


@lru_cache(maxsize=8)
def _markdown_splitter(max_tokens: int, overlap_tokens: int) -> MarkdownSplitter:
    return MarkdownSplitter.from_tiktoken_model(TOKENIZER_MODEL, max_tokens, overlap=overlap_tokens)


@lru_cache(maxsize=64)
def _fit_checker(capacity: int) -> TextSplitter:
    return TextSplitter.from_tiktoken_model(TOKENIZER_MODEL, capacity, trim=False)


def _fits(text: str, capacity: int) -> bool:
    return len(_fit_checker(capacity).chunks(text)) <= 1


def count_tokens(text: str, upper_bound: int) -> int:
    """Exact token count of a text known to hold at most `upper_bound` tokens: a binary search on the
    splitter's own "does it fit" (the library exposes no counter), about log2(upper_bound) checks."""
    if not text:
        return 0
    # A byte-level BPE token holds at least one byte: short texts need few checks.
    low, high = 1, min(upper_bound, len(text.encode("utf-8")))
    while low < high:
        middle = (low + high) // 2
        if _fits(text, middle):
            high = middle
        else:
            low = middle + 1
    return low


def _fence_lines(lines: list[str], opening: str, reopening: str, closing: str, capacity: int) -> Iterator[str]:
    """Complete fenced blocks of `lines`, each fitting `capacity` tokens, the first opened by `opening`,
    the others by `reopening` (the same fence without a list marker); a single line too large for a
    chunk is cut by the plain-text splitter (words, then characters) and each piece fenced."""
    overhead = count_tokens(f"{opening}\n\n{closing}", capacity) + 2
    room = max(capacity - overhead, 8)
    piece: list[str] = []
    fence = [opening]

    def block(body: list[str]) -> str:
        text = "\n".join([fence[0], *body, closing])
        fence[0] = reopening
        return text

    for line in lines:
        if not _fits(line, room):
            if piece:
                yield block(piece)
                piece = []
            for part in _fit_checker(room).chunks(line):
                yield block([part])
            continue
        if piece and not _fits("\n".join([*piece, line]), room):
            yield block(piece)
            piece = []
        piece.append(line)
    if piece or not lines:
        yield block(piece)


def protect_code_blocks(text: str, capacity: int) -> str:
    """`text` with every fenced code block larger than `capacity` tokens re-cut into complete fenced
    blocks (same info string), separated by blank lines; smaller blocks and other text unchanged."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        opened = _FENCE.match(lines[index])
        if not opened:
            out.append(lines[index])
            index += 1
            continue
        prefix, marker = opened.group(1), opened.group(2)
        end = index + 1
        while end < len(lines) and not re.match(rf"^ *{re.escape(marker[0])}{{{len(marker)},}}\s*$", lines[end]):
            end += 1
        block = lines[index:end + 1]
        body = lines[index + 1:end]
        closing = lines[end] if end < len(lines) else " " * len(prefix) + marker
        if _fits("\n".join(block), capacity):
            out.extend(block)
        else:
            reopening = " " * len(prefix) + marker + opened.group(3)
            out.append("\n\n".join(_fence_lines(body, lines[index], reopening, closing, capacity)))
        index = end + 1
    return "\n".join(out)


def _headings(text: str) -> list[tuple[int, int, str]]:
    """(offset, level, title) of the ATX headings of `text`, outside fenced code blocks."""
    found: list[tuple[int, int, str]] = []
    offset = 0
    fence: str | None = None
    for line in text.split("\n"):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(2)[0] * len(opened.group(2))
        elif fence is not None and line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            fence = None
        elif fence is None:
            heading = _HEADING.match(line)
            if heading:
                found.append((offset, len(heading.group(1)), heading.group(2).strip()))
        offset += len(line) + 1
    return found


def _heading_path(headings: Iterable[tuple[int, int, str]], offset: int) -> str:
    stack: list[tuple[int, str]] = []
    for start, level, title in headings:
        if start > offset:
            break
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
    return " > ".join(title for _, title in stack)


def split_text(text: str, settings: ChunkSettings, known_counts: dict[str, int] | None = None) -> list[TextChunk]:
    """The chunks of one document, in order. `known_counts` (chunk text -> tokens, e.g. the previous
    run's) spares counting the chunks that did not change."""
    if not text or not text.strip():
        return []
    prepared = protect_code_blocks(text, settings.max_tokens)
    headings = _headings(prepared)
    splitter = _markdown_splitter(settings.max_tokens, settings.overlap_tokens)
    chunks = []
    for ordinal, (offset, chunk) in enumerate(splitter.chunk_indices(prepared)):
        tokens = (known_counts or {}).get(chunk)
        if tokens is None:
            tokens = count_tokens(chunk, settings.max_tokens)
        chunks.append(TextChunk(ordinal, chunk, _heading_path(headings, offset), tokens))
    return chunks
