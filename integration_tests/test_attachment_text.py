"""`attachment_text` over the double (Cloud and Data Center): real files of every supported type
are read, hostile ones get a status, and an incremental sync downloads only new versions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from confluence_double import ConfluenceDouble, SiteSpec
from confluence_double.datacenter import DataCenterDouble
from confluence_double.files import (
    encrypted_pdf,
    huge,
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
from confluence_double.files.serve import expected_text
from confluence_double.model import MEDIA_TYPES
from integration_tests.conftest import final_state, records_by_stream, sync

SPEC = SiteSpec(spaces=2, pages=40, blog_posts=5, footer_comments=10, inline_comments=5, tasks=10,
                attachments=24, labels=5, users=6, seed=15, body_bytes=400)
SUPPORTED = {MEDIA_TYPES[ext][0] for ext in ("pdf", "docx", "xlsx", "pptx", "txt", "csv")}
ON = {"attachment_text": True}
# What each upload holds, what it is declared as, and the text (or status) the connector must report.
UPLOADS: list[tuple[bytes | Any, str, str | None, str]] = [
    (make_pdf(["Quarterly plan", "Ship the (new) search"]), "application/pdf", "Quarterly plan\nShip the (new) search\n", "ok"),
    (make_docx(["Meeting notes", "Decided: go"], [["owner", "due"], ["ana", "May"]]), MEDIA_TYPES["docx"][0],
     "Meeting notes\nDecided: go\nowner\tdue\nana\tMay", "ok"),
    (make_xlsx({"Budget": [["item", "cost"], ["laptops", 1200]]}), MEDIA_TYPES["xlsx"][0],
     "# Budget\nitem\tcost\nlaptops\t1200", "ok"),
    (make_pptx([("Roadmap", "Q3: launch")]), MEDIA_TYPES["pptx"][0], "# Slide 1\nRoadmap\nQ3: launch", "ok"),
    (make_html("Status", ["All green"]), "text/html", "Status\nStatus\nAll green", "ok"),
    (make_csv([["a", "b"], [1, 2]]), "text/csv", "a,b\n1,2\n", "ok"),
    (make_markdown("Runbook", ["Restart it."]), "text/markdown", "# Runbook\n\nRestart it.\n", "ok"),
    (make_text(["plain words"]), "text/plain", "plain words\n", "ok"),
    (lying_docx_as_text(), "text/plain", "The media type lied about this file.", "ok"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "application/pdf", None, "unsupported_type"),
    (encrypted_pdf(), "application/pdf", None, "encrypted"),
    (zip_bomb_docx(300), MEDIA_TYPES["docx"][0], None, "failed: archive unpacks to more than 256 MB"),
]


def _upload_all(double: ConfluenceDouble) -> dict[str, tuple[str | None, str]]:
    """Uploads UPLOADS onto the site's first current attachments; attachment id -> (text, status)."""
    site = double.site
    targets = [a for a in sorted(site.attachments.values(), key=lambda a: a.num) if a.status == "current"]
    expected: dict[str, tuple[str | None, str]] = {}
    for att, (content, media_type, text, status) in zip(targets, UPLOADS, strict=False):
        site.upload_attachment_version(att.id, content, media_type=media_type)
        expected[att.id] = (text, status)
    return expected


def _downloads(double: ConfluenceDouble) -> list[str]:
    return [r.path for r in double.requests if "/download/attachments/" in r.path]


def _expected_generated(double: ConfluenceDouble, record: Mapping[str, Any]) -> tuple[str | None, str | None]:
    att = double.site.attachment(record["id"])
    if att.status != "current":
        return None, None
    if att.media_type not in SUPPORTED:
        return None, "unsupported_type"
    if att.file_size > 20 * 1024 * 1024:
        return None, "too_large"
    text = expected_text(att, att.version.number)
    if att.media_type.endswith("spreadsheetml.sheet"):
        return "# Sheet1\n" + text, "ok"
    if att.media_type.endswith("presentationml.presentation"):
        return f"# Slide 1\n{att.title}\n{text}", "ok"
    return (text + "\n" if att.media_type.startswith("text/") or att.media_type == "application/pdf" else text), "ok"


@pytest.mark.parametrize("flavour", ["cloud", "datacenter"])
def test_full_sync_reads_every_type_and_gives_hostile_files_a_status(flavour: str) -> None:
    with (ConfluenceDouble(SPEC) if flavour == "cloud" else DataCenterDouble(SPEC)) as double:
        uploaded = _upload_all(double)
        output = sync(double, ["attachments"], **ON)
        records = records_by_stream(output)["attachments"]
        assert set(uploaded) <= set(records)
        for att_id, (text, status) in uploaded.items():
            assert (records[att_id].get("text_status"), records[att_id].get("text_content")) == (status, text), att_id
            assert records[att_id].get("text_extracted_at") is not None
        generated = [r for r in records.values() if r["id"] not in uploaded]
        assert generated
        for record in generated:
            text, status = _expected_generated(double, record)
            assert (record.get("text_status"), record.get("text_content")) == (status, text), record["title"]
        # One download per record whose declared type is read and whose listed size is under the cap.
        read = [r for r in records.values() if r.get("text_status") not in (None, "unsupported_type", "too_large")
                or r["id"] in uploaded and r.get("text_status") == "unsupported_type"]
        assert len(_downloads(double)) == len(read)


def test_incremental_sync_downloads_only_new_versions() -> None:
    with ConfluenceDouble(SPEC) as double:
        first = sync(double, ["attachments"], **ON)
        assert _downloads(double)
        changed = [a for a in sorted(double.site.attachments.values(), key=lambda a: a.num) if a.status == "current"][:2]
        for number, att in enumerate(changed):
            double.site.upload_attachment_version(att.id, make_text([f"new version {number}"]), media_type="text/plain")
        double.reset_requests()
        second = sync(double, ["attachments"], state=final_state(first), **ON)
        records = records_by_stream(second)["attachments"]
        assert {r["id"] for r in records.values()} == {a.id for a in changed}
        assert [records[a.id].get("text_content") for a in changed] == ["new version 0\n", "new version 1\n"]
        assert len(_downloads(double)) == 2
        assert all(f"version={a.version.number}" in q for a, q in zip(changed, _download_queries(double), strict=True))
        double.reset_requests()
        third = sync(double, ["attachments"], state=final_state(second), **ON)
        assert records_by_stream(third)["attachments"] == {}
        assert _downloads(double) == []


def _download_queries(double: ConfluenceDouble) -> list[str]:
    return ["&".join(f"{k}={v[0]}" for k, v in r.query.items()) for r in double.requests
            if "/download/attachments/" in r.path]


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_gigabyte_upload_stops_at_the_cap(declare_length: bool) -> None:
    with ConfluenceDouble(SPEC) as double:
        att = next(a for a in double.site.attachments.values() if a.status == "current")
        double.site.upload_attachment_version(att.id, huge(declare_length=declare_length), media_type="text/plain")
        att.file_size = 1000  # the listing understates it: only the download can tell
        output = sync(double, ["attachments"], attachment_text_max_mb=1, **ON)
        record = records_by_stream(output)["attachments"][att.id]
        assert (record.get("text_status"), record.get("text_content")) == ("too_large", None)


def test_a_malformed_pdf_is_failed_not_fatal() -> None:
    with ConfluenceDouble(SPEC) as double:
        att = next(a for a in double.site.attachments.values() if a.status == "current")
        double.site.upload_attachment_version(att.id, malformed_pdf(), media_type="application/pdf")
        output = sync(double, ["attachments"], **ON)
        record = records_by_stream(output)["attachments"][att.id]
        assert record.get("text_status").startswith("failed: unreadable pdf")
        assert record.get("text_content") is None


def test_off_by_default_downloads_nothing() -> None:
    with ConfluenceDouble(SPEC) as double:
        output = sync(double, ["attachments"])
        records = records_by_stream(output)["attachments"]
        assert records
        assert all(r.get("text_content") is None and r.get("text_status") is None and r.get("text_extracted_at") is None
                   for r in records.values())
        assert _downloads(double) == []


def test_download_failures_are_a_status_and_5xx_is_retried() -> None:
    with ConfluenceDouble(SPEC) as double:
        texts = [a for a in sorted(double.site.attachments.values(), key=lambda a: a.num) if a.status == "current"][:3]
        for number, att in enumerate(texts):
            double.site.upload_attachment_version(att.id, make_text([f"file {number}"]), media_type="text/plain")
        gone, elsewhere, flaky = (f"/wiki/download/attachments/{a.container_id}/{a.title}" for a in texts)
        double.faults.add(status=404, count=None, path_prefix=gone)
        double.faults.add(status=302, count=None, path_prefix=elsewhere,
                          headers={"Location": "https://media.example.net/file/1"}, body=b"")
        double.faults.add(status=503, count=1, path_prefix=flaky)
        output = sync(double, ["attachments"], **ON)
        records = records_by_stream(output)["attachments"]
        assert records[texts[0].id].get("text_status") == "failed: download answered HTTP 404"
        assert records[texts[1].id].get("text_status") == "failed: download redirected to another host (media.example.net)"
        assert (records[texts[2].id].get("text_status"), records[texts[2].id].get("text_content")) == ("ok", "file 2\n")
        assert not any("media.example.net" in r.path for r in double.requests)
