"""The download endpoint both flavours serve (``/download/attachments/{container id}/{file name}``
under the wiki base, with ``?version=N``): an uploaded version's bytes, or a file generated for the
attachment's media type and version, so every attachment of a generated site downloads as a real
file whose text says which attachment and version it is (``expected_text``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

from ..api.wire import Response
from ..model import Attachment, Site
from . import makers

CHUNK = 64 * 1024


@dataclass(frozen=True)
class StreamedBody:
    """A body made while it is sent (a 1 GB upload without 1 GB in memory)."""

    size: int
    declare_length: bool = True
    """False: no Content-Length; the client learns the size only by reading."""

    def chunks(self) -> Iterator[bytes]:
        block = (b"0123456789abcdef" * (CHUNK // 16))
        sent = 0
        while sent < self.size:
            piece = block[: min(CHUNK, self.size - sent)]
            sent += len(piece)
            yield piece


@dataclass
class StreamedResponse(Response):
    stream: StreamedBody | None = None


def expected_text(att: Attachment, version: int) -> str:
    return f"Attachment {att.title} version {version}"


def generated(att: Attachment, version: int) -> bytes:
    """A real file of the attachment's media type (images and others: a few bytes of that kind)."""
    line = expected_text(att, version)
    kind = att.media_type
    if kind == "application/pdf":
        return makers.make_pdf([line])
    if kind.endswith("wordprocessingml.document"):
        return makers.make_docx([line])
    if kind.endswith("spreadsheetml.sheet"):
        return makers.make_xlsx({"Sheet1": [[line]]})
    if kind.endswith("presentationml.presentation"):
        return makers.make_pptx([(att.title, line)])
    if kind == "text/html":
        return makers.make_html(att.title, [line])
    if kind.startswith("text/") or kind == "application/json":
        return makers.make_text([line])
    if kind == "image/png":
        return b"\x89PNG\r\n\x1a\n" + line.encode()
    return b"\x00\x01binary\x00" + line.encode()


def download_response(site: Site, container_id: str, file_name: str, version: str | None) -> Response:
    """The file; 404 when no current attachment of that name hangs off the container."""
    name = unquote(file_name)
    with site.lock:
        att = next((site.attachments[i] for i in site.attachments_by_container.get(container_id, ())
                    if site.attachments[i].title == name and site.attachments[i].status == "current"), None)
        if att is None:
            return Response(404, [("Content-Type", "text/plain")], b"Not found")
        number = att.version.number
        if version is not None:
            if not version.isdigit() or not 1 <= int(version) <= number:
                return Response(400, [("Content-Type", "text/plain")], b"Bad version")
            number = int(version)
        body = site.attachment_files.get(att.id, {}).get(number)
        media_type = att.media_type
        if body is None:
            body = generated(att, number)
    headers = [("Content-Type", media_type)]
    if isinstance(body, StreamedBody):
        return StreamedResponse(200, headers, b"", body)
    return Response(200, headers, body)


DOWNLOADS = "/download/attachments/"


def download_at(site: Site, rest: str, raw_query: str) -> Response:
    """``rest``: the path after DOWNLOADS (``{container id}/{file name}``)."""
    container_id, _, file_name = rest.partition("/")
    version = parse_qs(raw_query).get("version", [None])[0]
    return download_response(site, container_id, file_name, version)
