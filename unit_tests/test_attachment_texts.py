"""What the attachments stream downloads and reports with attachment_text on (a fake client)."""

from __future__ import annotations

from source_confluence.config.attachment_text import SUPPORTED_MEDIA_TYPES, AttachmentTextOptions
from source_confluence.http.download import Fetched
from source_confluence.streams.attachment_text import AttachmentTexts

RAW = {"downloadLink": "/download/attachments/1/a.txt?version=2"}


class FakeClient:
    def __init__(self, fetched: Fetched) -> None:
        self.fetched = fetched
        self.asked: list[tuple[str, int]] = []

    def download(self, link: str, max_bytes: int) -> Fetched:
        self.asked.append((link, max_bytes))
        return self.fetched


def texts(fetched: Fetched, max_bytes: int = 1000) -> tuple[AttachmentTexts, FakeClient]:
    client = FakeClient(fetched)
    options = AttachmentTextOptions(max_bytes=max_bytes, media_types=frozenset(SUPPORTED_MEDIA_TYPES))
    return AttachmentTexts(options, client), client  # type: ignore[arg-type]


def record(**values):
    return {"status": "current", "media_type": "text/plain", "file_size": 10, **values}


def test_reads_the_file_once_through_the_client():
    reader, client = texts(Fetched(b"hello\n"))
    try:
        fields = reader.fields(record(), RAW)
    finally:
        reader.close()
    assert (fields["text_status"], fields["text_content"]) == ("ok", "hello\n")
    assert fields["text_extracted_at"].endswith("Z")
    assert client.asked == [("/download/attachments/1/a.txt?version=2", 1000)]


def test_what_is_not_downloaded():
    reader, client = texts(Fetched(b"never"))
    assert reader.fields(record(status="trashed"), RAW) == dict.fromkeys(
        ("text_content", "text_extracted_at", "text_status"))
    assert reader.fields(record(media_type="image/png"), RAW)["text_status"] == "unsupported_type"
    assert reader.fields(record(file_size=1001), RAW)["text_status"] == "too_large"
    assert reader.fields(record(), {})["text_status"] == "failed: Confluence gave no download link"
    assert client.asked == []


def test_download_outcomes_become_statuses():
    reader, _ = texts(Fetched(None, too_large=True))
    assert reader.fields(record(), RAW)["text_status"] == "too_large"
    reader, _ = texts(Fetched(None, failure="download answered HTTP 404", http_status=404))
    assert reader.fields(record(), RAW)["text_status"] == "failed: download answered HTTP 404"


def test_text_longer_than_the_cap_is_too_large():
    reader, _ = texts(Fetched(b"x" * 900), max_bytes=800)
    try:
        fields = reader.fields(record(file_size=None), RAW)
    finally:
        reader.close()
    assert (fields["text_status"], fields["text_content"]) == ("too_large", None)
