"""Reading attachment files: each format's text is what its writer wrote, the real type comes from
the bytes, and hostile or broken files get a status (never a crash, a hang or a memory spike)."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from confluence_double.files import (
    encrypted_pdf,
    lying_docx_as_text,
    make_csv,
    make_docx,
    make_html,
    make_markdown,
    make_pdf,
    make_pptx,
    make_text,
    make_xlsx,
    malformed_pdf,
    zip_bomb_docx,
)
from source_confluence.config.attachment_text import SUPPORTED_MEDIA_TYPES
from source_confluence.extraction import detect
from source_confluence.extraction.readers import Refused, check_zip
from source_confluence.extraction.runner import ExtractionRunner
from source_confluence.extraction.worker import extract

ALL = SUPPORTED_MEDIA_TYPES


@pytest.mark.parametrize(
    ("media_type", "content", "text"),
    [
        (detect.PDF, make_pdf(["Release notes", "Fixed (three) bugs"]), "Release notes\nFixed (three) bugs\n"),
        (detect.DOCX, make_docx(["Agenda", "Budget review"], [["who", "what"], ["li", "slides"]]),
         "Agenda\nBudget review\nwho\twhat\nli\tslides"),
        (detect.XLSX, make_xlsx({"Q1": [["region", "sales"], ["north", 42]], "Q2": [["south", 7.5]]}),
         "# Q1\nregion\tsales\nnorth\t42\n# Q2\nsouth\t7.5"),
        (detect.PPTX, make_pptx([("Kick-off", "Goals"), ("Risks", "Hiring")]),
         "# Slide 1\nKick-off\nGoals\n# Slide 2\nRisks\nHiring"),
        (detect.HTML, make_html("Status", ["On track", "No blockers"]), "Status\nStatus\nOn track\nNo blockers"),
        (detect.CSV, make_csv([["id", "name"], [1, "Zoë"]]), "id,name\n1,Zoë\n"),
        (detect.MARKDOWN, make_markdown("Runbook", ["Step one."]), "# Runbook\n\nStep one.\n"),
        (detect.PLAIN, make_text(["first", "second"]), "first\nsecond\n"),
        (detect.PLAIN, "café crème\n".encode("cp1252"), "café crème\n"),
        (detect.PLAIN, "naïve 🙂\n".encode("utf-16"), "naïve 🙂\n"),
    ],
)
def test_text_matches_what_was_written(media_type, content, text):
    assert extract(media_type, ALL, content) == ("ok", text)


@pytest.mark.parametrize(
    ("content", "declared", "real"),
    [
        (lying_docx_as_text(), "text/plain", detect.DOCX),
        (make_pdf(["x"]), detect.DOCX, detect.PDF),
        (make_xlsx({"s": [["x"]]}), "application/octet-stream", detect.XLSX),
        (make_html("t", ["p"]), "text/plain", detect.HTML),
        (make_text(["a,b"]), "text/csv; charset=utf-8", detect.CSV),
        (make_text(["a"]), "application/pdf", detect.PLAIN),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "application/pdf", None),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), detect.DOCX, detect.ENCRYPTED_OFFICE),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "application/msword", None),
        (b"PK\x03\x04not really a zip", detect.DOCX, None),
    ],
)
def test_the_real_type_comes_from_the_bytes(content, declared, real):
    assert detect.real_type(content, declared) == real


def test_a_type_left_out_of_the_options_is_not_read():
    assert extract("text/plain", ["application/pdf"], lying_docx_as_text()) == ("unsupported_type", None)
    assert extract("text/plain", [detect.DOCX], lying_docx_as_text()) == ("ok", "The media type lied about this file.")


def test_encrypted_pdf():
    assert extract(detect.PDF, ALL, encrypted_pdf()) == ("encrypted", None)


def test_pdf_with_only_an_owner_password_is_read():
    assert extract(detect.PDF, ALL, encrypted_pdf(user_password="")) == ("ok", "locked text\n")


def test_malformed_pdf_fails_with_a_reason():
    status, text = extract(detect.PDF, ALL, malformed_pdf())
    assert status.startswith("failed: unreadable pdf (")
    assert text is None


def test_zip_bomb_in_a_docx_is_refused_before_it_is_unpacked():
    assert extract(detect.DOCX, ALL, zip_bomb_docx(300)) == ("failed: archive unpacks to more than 256 MB", None)


def test_zip_member_that_unpacks_beyond_its_declared_size_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (4 * 1024 * 1024))
    data = bytearray(out.getvalue())
    # Declare 100 bytes in the local and the central header: the archive lies about its size.
    data[22:26] = struct.pack("<I", 100)
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", 100)
    with pytest.raises(zipfile.BadZipFile):
        check_zip(bytes(data), limit=1024 * 1024)
    with pytest.raises(Refused):
        check_zip(zipfile_of(2 * 1024 * 1024), limit=1024 * 1024)
    assert extract(detect.DOCX, ALL, bytes(data))[0].startswith("failed: unreadable document (BadZipFile")


def zipfile_of(size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * size)
    return out.getvalue()


def test_the_worker_answers_and_survives_its_limits():
    runner = ExtractionRunner(1024 * 1024)
    try:
        assert runner.extract(detect.PLAIN, ALL, b"hello\n").status == "ok"
        assert runner.extract(detect.PDF, ALL, encrypted_pdf()).status == "encrypted"
        assert runner.started == 1  # one process for many files
    finally:
        runner.close()


def test_cpu_limit_kills_the_reader_and_the_next_file_is_read():
    runner = ExtractionRunner(1024 * 1024, cpu_seconds=0)
    try:
        # A zero-second CPU budget: SIGXCPU ends the worker as soon as it works on the file.
        result = runner.extract(detect.XLSX, ALL, make_xlsx({"s": [[n] for n in range(20000)]}))
        assert (result.status, result.text) == ("failed: reading the file used more than 0 s of CPU", None)
        assert runner.started == 1
    finally:
        runner.close()
    again = ExtractionRunner(1024 * 1024)
    try:
        assert again.extract(detect.PLAIN, ALL, b"after\n").text == "after\n"
    finally:
        again.close()


def test_wall_timeout_kills_the_reader():
    runner = ExtractionRunner(1024 * 1024, wall_seconds=0.05)
    try:
        result = runner.extract(detect.XLSX, ALL, make_xlsx({"s": [[n] for n in range(20000)]}))
        assert result.status == "failed: reading the file took longer than 0.05 s"
        assert result.text is None
    finally:
        runner.close()


def test_memory_limit_is_a_status():
    # 250 MB of address space: the interpreter and libraries fit (they need under 160 MB), a 200 MB
    # document part (under the 256 MB unpack guard) cannot, however little the worker imports.
    runner = ExtractionRunner(1024 * 1024, address_space=250 * 1024 * 1024)
    try:
        result = runner.extract(detect.DOCX, ALL, _docx_with_document(zipfile_of(200 * 1024 * 1024)))
        assert (result.status, result.text) == ("failed: the file needs more memory than allowed", None)
        assert runner.extract(detect.PLAIN, ALL, b"still here\n").text == "still here\n"
        assert runner.started == 1  # MemoryError is caught in the worker, which goes on
    finally:
        runner.close()


def _docx_with_document(archive_with_document: bytes) -> bytes:
    """A real docx whose document part is replaced by the given archive's (a huge one)."""
    source = zipfile.ZipFile(io.BytesIO(make_docx(["x"])))
    huge = zipfile.ZipFile(io.BytesIO(archive_with_document))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                archive.writestr(item, source.read(item))
        archive.writestr("word/document.xml", b"<w:document>" + huge.read("word/document.xml") + b"</w:document>")
    return out.getvalue()
