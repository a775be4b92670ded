"""Text out of each supported format, with the well-kept library for it. Runs inside the extraction
worker (worker.py), whose process limits bound what a library does with a hostile file; the zip
guard below refuses a decompression bomb before a library opens it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from typing import cast

from source_confluence.extraction import detect

MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024
"""What an OOXML file may unpack to (declared and actual sizes of its members, together)."""
MAX_ZIP_MEMBERS = 10_000


class Encrypted(Exception):
    """The file needs a password."""


class Refused(Exception):
    """The file is not read (a zip bomb, too many parts): the message says why."""


def read_text(media_type: str, content: bytes) -> str:
    """The text of `content`, of the real `media_type` (detect.real_type)."""
    return _READERS[media_type](content)


def check_zip(content: bytes, limit: int = MAX_DECOMPRESSED_BYTES) -> None:
    """Refuses an archive whose members declare, or actually unpack to, more than `limit` bytes."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise Refused(f"archive has more than {MAX_ZIP_MEMBERS} parts")
        if sum(member.file_size for member in members) > limit:
            raise Refused(f"archive unpacks to more than {limit // (1024 * 1024)} MB")
        unpacked = 0
        for member in members:
            # zipfile stops at a member's declared size (and fails its CRC if more was packed), so
            # the declared sizes checked above bound this read too; counted to be sure.
            with archive.open(member) as stream:
                while chunk := stream.read(1024 * 1024):
                    unpacked += len(chunk)
                    if unpacked > limit:
                        raise Refused(f"archive unpacks to more than {limit // (1024 * 1024)} MB")


def _pdf(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    # An owner password alone (printing, copying restrictions) opens with an empty user password.
    if reader.is_encrypted and not reader.decrypt(""):
        raise Encrypted
    return "\n\n".join(text for page in reader.pages if (text := page.extract_text() or "").strip())


def _docx(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs if paragraph.text.strip()]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _xlsx(content: bytes) -> str:
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs; used in this function only

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        parts: list[str] = []
        for sheet in workbook.worksheets:
            parts.append(f"# {sheet.title}")
            for row in sheet.iter_rows(values_only=True):
                cells = ["" if value is None else str(value) for value in row]
                if any(cells):
                    parts.append("\t".join(cells).rstrip("\t"))
        return "\n".join(parts)
    finally:
        workbook.close()


def _pptx(content: bytes) -> str:
    from pptx import Presentation

    presentation = Presentation(io.BytesIO(content))
    parts: list[str] = []
    for number, slide in enumerate(presentation.slides, start=1):
        parts.append(f"# Slide {number}")
        parts.extend(_shape_texts(slide.shapes))
    return "\n".join(parts)


def _shape_texts(shapes: object) -> Iterator[str]:
    for shape in shapes:  # type: ignore[attr-defined]
        if getattr(shape, "has_text_frame", False) and shape.text_frame.text.strip():
            yield shape.text_frame.text
        if getattr(shape, "has_table", False):
            for row in shape.table.rows:
                yield "\t".join(cell.text for cell in row.cells)
        if hasattr(shape, "shapes"):  # a group
            yield from _shape_texts(shape.shapes)


_HTML_BLOCKS = ("title", "p", "div", "section", "article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
                "li", "tr", "br", "pre", "blockquote", "table", "ul", "ol", "dt", "dd")


def _html(content: bytes) -> str:
    from lxml import html

    root = cast(html.HtmlElement, html.fromstring(content))
    for hidden in list(root.iter("script", "style", "noscript", "template")):
        cast(html.HtmlElement, hidden).drop_tree()
    for block in root.iter(*_HTML_BLOCKS):
        block.tail = "\n" + (block.tail or "")  # blocks end lines; inline elements run on
    lines = (line.strip() for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _text(content: bytes) -> str:
    # UTF-8 (what Confluence and most tools write), UTF-16 with its byte-order mark, else Windows-1252
    # (Excel's and Notepad's legacy default for Western text); detectors guess short files wrongly.
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _ooxml(reader: Callable[[bytes], str]) -> Callable[[bytes], str]:
    def guarded(content: bytes) -> str:
        check_zip(content)
        return reader(content)

    return guarded


_READERS: dict[str, Callable[[bytes], str]] = {
    detect.PDF: _pdf,
    detect.DOCX: _ooxml(_docx),
    detect.XLSX: _ooxml(_xlsx),
    detect.PPTX: _ooxml(_pptx),
    detect.HTML: _html,
    detect.CSV: _text,
    detect.MARKDOWN: _text,
    detect.PLAIN: _text,
}
