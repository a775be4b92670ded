"""Attachment files: real files of every type the connector reads, made with the same libraries'
writers (``makers``), the hostile ones (``hostile``), and the download endpoint both flavours
serve them from (``serve``)."""

from .hostile import encrypted_pdf, huge, lying_docx_as_text, malformed_pdf, zip_bomb_docx
from .makers import make_csv, make_docx, make_html, make_markdown, make_pdf, make_pptx, make_text, make_xlsx
from .serve import StreamedBody, StreamedResponse, download_response

__all__ = [
    "StreamedBody", "StreamedResponse", "download_response", "encrypted_pdf", "huge", "lying_docx_as_text",
    "make_csv", "make_docx", "make_html", "make_markdown", "make_pdf", "make_pptx", "make_text", "make_xlsx",
    "malformed_pdf", "zip_bomb_docx",
]
