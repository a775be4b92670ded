"""Files that attack or break a reader: what the connector must answer with a status."""

from __future__ import annotations

import io
import zipfile

from .makers import make_docx, make_pdf
from .serve import StreamedBody


def zip_bomb_docx(unpacked_mb: int = 300) -> bytes:
    """A real .docx whose document part unpacks to `unpacked_mb` MB (about 1 MB packed)."""
    source = zipfile.ZipFile(io.BytesIO(make_docx(["bomb"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, source.read(item))
        with bomb.open("word/document.xml", "w", force_zip64=True) as part:
            block = b" " * (1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(block)
    return out.getvalue()


def malformed_pdf() -> bytes:
    """A PDF header followed by garbage where objects should be, and no cross-reference table."""
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj << /Kids [3 0 R" + bytes(range(256)) * 8


def encrypted_pdf(user_password: str = "s3cret") -> bytes:  # noqa: S107 - a test file's password
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["locked text"]))))
    writer.encrypt(user_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def lying_docx_as_text() -> bytes:
    """A real .docx: upload it declared as text/plain (or as a PDF) to test detection by bytes."""
    return make_docx(["The media type lied about this file."])


def huge(size: int = 1024 * 1024 * 1024, declare_length: bool = True) -> StreamedBody:
    """`size` bytes of text made while they are sent, never stored (1 GB by default)."""
    return StreamedBody(size, declare_length)
