"""The real type of a file, from its bytes: the declared media type is only a hint, trusted to tell
apart text formats that look alike (CSV, Markdown, plain text).

Eight formats in three families are told apart by their signatures: `%PDF-`; a zip holding
`word/`, `xl/` or `ppt/` parts (OOXML); and text (UTF-8, UTF-16 with its byte-order mark, or a
legacy 8-bit encoding: no NUL bytes, few control characters), HTML by its opening tags. An OLE2
compound file declared as OOXML is Office's encrypted wrapper.
"""

from __future__ import annotations

import io
import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
HTML = "text/html"
CSV = "text/csv"
MARKDOWN = "text/markdown"
PLAIN = "text/plain"
OOXML = (DOCX, XLSX, PPTX)
TEXT_TYPES = (CSV, MARKDOWN, PLAIN)

ENCRYPTED_OFFICE = "encrypted-office"
"""Not a media type: an OLE2 container that Office uses for password-protected OOXML."""

_OOXML_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")
_SNIFF_BYTES = 4096


def real_type(content: bytes, declared: str | None) -> str | None:
    """The media type the bytes are (one of the eight), ENCRYPTED_OFFICE, or None (anything else)."""
    head = content[:1024]
    if b"%PDF-" in head:
        return PDF
    if content.startswith(b"PK\x03\x04"):
        return _ooxml_type(content)
    if content.startswith(_OLE2):
        return ENCRYPTED_OFFICE if _base(declared) in OOXML else None
    if not _looks_like_text(content[:_SNIFF_BYTES]):
        return None
    sniffed = content[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniffed.startswith(_HTML_STARTS):
        return HTML
    declared_base = _base(declared)
    return declared_base if declared_base in TEXT_TYPES else PLAIN


def _ooxml_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    for part, media_type in _OOXML_MAIN_PARTS.items():
        if part in names:
            return media_type
    return None


def _looks_like_text(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 (its NUL bytes are half of its ASCII letters)
    if b"\x00" in sample:
        return False
    try:
        # A multi-byte character cut at the sample's end is still text.
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3:
            return True
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return controls <= len(sample) // 100


def _base(media_type: str | None) -> str:
    return (media_type or "").split(";")[0].strip().lower()
