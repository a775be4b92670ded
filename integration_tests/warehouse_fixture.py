"""A small, hand-made raw Confluence dataset for the dbt project's tests, and two loaders for it.

The records are shaped like the connector's (flat snake_case fields, string ids, ISO-8601 UTC
timestamps) and are checked against the stream schemas in ``source_confluence/schemas``. Each
record comes with the time it was extracted, because the loaders append: a record read by several
syncs lands as several rows, and the dbt staging models keep the latest one.

Two loaders write it the way the real ones do:

* :func:`load_duckdb` -- like PyAirbyte's DuckDB cache: one table per stream in schema ``main``,
  lower-cased columns typed from the JSON schema, plus ``_airbyte_raw_id``,
  ``_airbyte_extracted_at`` and ``_airbyte_meta`` (no ``_airbyte_generation_id``).
* :func:`load_postgres` -- like Airbyte's Postgres destination in append + dedup mode: one table
  per stream in a chosen schema, the same columns plus ``_airbyte_generation_id``, loaded sync by
  sync and keeping one row per primary key (a later load replaces the row), with a callback after
  each sync (where a real deployment runs ``dbt build``).

The story of the data (the reference time of the tests is ``AS_OF`` = 2024-07-01 00:00 UTC, a
Monday, with ``stale_after_days`` = 180, so a page is stale when last updated on or before
2024-01-03):

Spaces ENG (s-eng), OPS (s-ops), HR (s-hr). ENG was loaded twice, first under the name "Eng".

People alice, bob, carol, dave (dave was loaded twice, first as "Dave D"); u-ghost authored a page
but is missing from the users stream.

ENG  p-100 Engineering Home (root, stale: last update 2023-12-15, 199 days)
       p-101 Architecture (v1 by bob on 2024-06-03, v2 by carol on 2024-06-12; v2 was loaded twice,
             the later load renamed it "Architecture Overview")
         p-102 Runbooks (bob, 2024-06-04, version 1)
       p-103 Old design (stale at exactly 180 days: updated 2024-01-03)
       p-104 Q1 plan (not stale: updated 2024-01-04, 179 days)
       p-105 Scratch (bob, 2024-06-05, trashed on 2024-06-18)
       p-106 2024-06-17 Team sync (meeting notes, 3 action items; one mentions alice and u-ghost,
             shown as the connector writes mentions whose name it does not know: @<account id>)
     b-200 blog post "Release 1.0" (alice, 2024-06-11)
OPS  p-300 Ops Home (root, stale: 2023-09-04, 301 days)
       p-301 On-call (carol, 2024-05-06; v5 by bob on 2024-06-25)
       p-302 Incident 42 (u-ghost, 2024-05-07; purged 2024-06-20: a tombstone without title)
     p-303 2024-06-24 Ops standup (meeting notes under a folder, so a tree root; 1 action item)
     p-304 a draft (never counted)
     b-400 blog post "Ops newsletter" (bob 2024-05-08; v2 by carol 2024-06-03)
HR   p-500 HR Home (stale: 2023-08-07, 329 days; the only content: a thin and stale space)

No content at all was created or updated in the weeks of 2024-05-13, 05-20 and 05-27.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMAS_DIR = Path(__file__).resolve().parents[1] / "source_confluence" / "schemas"

AS_OF = "2024-07-01 00:00:00"
STREAMS = ("spaces", "users", "pages", "blog_posts", "comments", "tasks", "content_labels", "attachments")
GENERATION_ID = 3


@dataclass(frozen=True)
class RawRecord:
    stream: str
    extracted_at: str
    data: dict[str, Any]


def _ts(day: str, time: str = "00:00:00") -> str:
    """Connector-style timestamp string: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return f"{day}T{time}.000000Z"


def _site(path: str) -> str:
    return f"https://acme.atlassian.net/wiki{path}"


def _space(extracted: str, space_id: str, key: str, name: str, **extra: Any) -> RawRecord:
    data = {
        "id": space_id,
        "key": key,
        "name": name,
        "type": "global",
        "status": "current",
        "description": f"{name} space",
        "homepage_id": None,
        "author_id": "u-alice",
        "created_at": _ts("2023-01-02", "09:00:00"),
        "web_url": _site(f"/spaces/{key}"),
    }
    data.update(extra)
    return RawRecord("spaces", extracted, data)


def _user(extracted: str, account_id: str, display_name: str, **extra: Any) -> RawRecord:
    handle = account_id.removeprefix("u-")
    data = {
        "account_id": account_id,
        "display_name": display_name,
        "public_name": handle,
        "email": f"{handle}@acme.test",
        "account_type": "atlassian",
        "account_status": "active",
        "profile_url": _site(f"/people/{account_id}"),
        "resolved_at": extracted,  # the connector stamps users with the sync's start
    }
    data.update(extra)
    return RawRecord("users", extracted, data)


def _content(
    stream: str,
    extracted: str,
    content_id: str,
    *,
    space_id: str | None,
    title: str | None,
    author: str | None,
    created: str | None,
    updated: str,
    version: int | None,
    version_author: str | None = None,
    owner: str | None = None,
    status: str = "current",
    deleted_at: str | None = None,
    parent_id: str | None = None,
    parent_type: str | None = None,
    words: int | None = 120,
) -> RawRecord:
    data: dict[str, Any] = {
        "id": content_id,
        "space_id": space_id,
        "title": title,
        "status": status,
        "author_id": author,
        "owner_id": owner if owner is not None else author,
        "created_at": created,
        "updated_at": updated,
        "version_number": version,
        "version_author_id": version_author if version_author is not None else author,
        "version_message": None,
        "minor_edit": False if version is not None else None,
        "body_storage": None if status == "deleted" else f"<p>{title}</p>",
        "body_text": None if status == "deleted" else title,
        "word_count": None if status == "deleted" else words,
        "web_url": None if title is None else _site(f"/spaces/x/{stream}/{content_id}"),
        "deleted_at": deleted_at,
    }
    if stream == "pages":
        data["parent_id"] = parent_id
        data["parent_type"] = parent_type if parent_type is not None else ("page" if parent_id else None)
        data["position"] = None
    return RawRecord(stream, extracted, data)


def _page(extracted: str, content_id: str, **kwargs: Any) -> RawRecord:
    return _content("pages", extracted, content_id, **kwargs)


def _blog(extracted: str, content_id: str, **kwargs: Any) -> RawRecord:
    return _content("blog_posts", extracted, content_id, **kwargs)


def _comment(
    extracted: str,
    comment_id: str,
    *,
    container_id: str,
    space_id: str,
    author: str,
    created: str,
    updated: str | None = None,
    comment_type: str = "footer",
    resolution: str | None = None,
    status: str = "current",
    deleted_at: str | None = None,
    parent_comment_id: str | None = None,
    version: int = 1,
) -> RawRecord:
    return RawRecord(
        "comments",
        extracted,
        {
            "id": comment_id,
            "comment_type": comment_type,
            "container_id": container_id,
            "container_type": "page",
            "space_id": space_id,
            "parent_comment_id": parent_comment_id,
            "status": status,
            "resolution_status": resolution,
            "inline_original_selection": "some text" if comment_type == "inline" else None,
            "title": "Re: page",
            "author_id": author,
            "created_at": created,
            "updated_at": updated or created,
            "version_number": version,
            "body_storage": "<p>comment</p>",
            "body_text": "comment",
            "web_url": _site(f"/comments/{comment_id}"),
            "deleted_at": deleted_at,
        },
    )


def _task(
    extracted: str,
    task_id: str,
    *,
    container_id: str,
    space_id: str,
    text: str,
    created: str,
    updated: str,
    assignee: str | None,
    due: str | None,
    status: str = "incomplete",
    completed_by: str | None = None,
    completed: str | None = None,
    creator: str = "u-dave",
) -> RawRecord:
    return RawRecord(
        "tasks",
        extracted,
        {
            "id": task_id,
            "local_id": f"local-{task_id}",
            "container_id": container_id,
            "container_type": "page",
            "space_id": space_id,
            "status": status,
            "body_text": text,
            "created_by": creator,
            "assigned_to": assignee,
            "completed_by": completed_by,
            "due_at": due,
            "created_at": created,
            "updated_at": updated,
            "completed_at": completed,
        },
    )


def _label(extracted: str, content_id: str, label_id: str, name: str, space_id: str, content_type: str = "page") -> RawRecord:
    return RawRecord(
        "content_labels",
        extracted,
        {
            "id": f"{content_id}:{label_id}",
            "content_id": content_id,
            "content_type": content_type,
            "space_id": space_id,
            "label_id": label_id,
            "label_name": name,
            "label_prefix": "global",
        },
    )


def _attachment(
    extracted: str,
    attachment_id: str,
    *,
    container_id: str,
    space_id: str | None,
    title: str | None,
    updated: str,
    status: str = "current",
    deleted_at: str | None = None,
) -> RawRecord:
    return RawRecord(
        "attachments",
        extracted,
        {
            "id": attachment_id,
            "title": title,
            "media_type": None if title is None else "image/png",
            "file_size": None if title is None else 2048,
            "comment": None,
            "container_id": None if status == "deleted" else container_id,
            "container_type": None if status == "deleted" else "page",
            "space_id": space_id,
            "status": status,
            "author_id": None if status == "deleted" else "u-bob",
            "created_at": None if status == "deleted" else _ts("2024-06-12", "10:00:00"),
            "updated_at": updated,
            "version_number": None if status == "deleted" else 1,
            "download_url": None if title is None else _site(f"/download/{attachment_id}"),
            "web_url": None if title is None else _site(f"/attachments/{attachment_id}"),
            "deleted_at": deleted_at,
        },
    )


# Sync times (the loaders' _airbyte_extracted_at).
SYNC_1 = _ts("2024-06-01", "02:00:00")
SYNC_2 = _ts("2024-06-05", "02:00:00")
SYNC_3 = _ts("2024-06-14", "02:00:00")
SYNC_4 = _ts("2024-06-20", "02:00:00")
SYNC_5 = _ts("2024-06-28", "02:00:00")

ENG, OPS, HR = "s-eng", "s-ops", "s-hr"

RECORDS: list[RawRecord] = [
    # --- spaces (full refresh; appended twice for ENG) ---
    _space(SYNC_1, ENG, "ENG", "Eng"),
    _space(SYNC_1, OPS, "OPS", "Operations"),
    _space(SYNC_1, HR, "HR", "People"),
    _space(SYNC_4, ENG, "ENG", "Engineering", homepage_id="p-100"),
    # --- users ---
    _user(SYNC_1, "u-alice", "Alice Able"),
    _user(SYNC_1, "u-bob", "Bob Brown"),
    _user(SYNC_1, "u-carol", "Carol Chen"),
    _user(SYNC_1, "u-dave", "Dave D"),
    _user(SYNC_4, "u-dave", "Dave Diaz"),
    # --- pages: ENG ---
    _page(
        SYNC_1,
        "p-100",
        space_id=ENG,
        title="Engineering Home",
        author="u-alice",
        created=_ts("2023-11-06", "10:00:00"),
        updated=_ts("2023-12-15", "09:00:00"),
        version=3,
    ),
    _page(
        SYNC_2,
        "p-101",
        space_id=ENG,
        title="Architecture",
        author="u-bob",
        parent_id="p-100",
        created=_ts("2024-06-03", "09:00:00"),
        updated=_ts("2024-06-03", "09:00:00"),
        version=1,
    ),
    _page(
        SYNC_3,
        "p-101",
        space_id=ENG,
        title="Architecture",
        author="u-bob",
        parent_id="p-100",
        created=_ts("2024-06-03", "09:00:00"),
        updated=_ts("2024-06-12", "15:00:00"),
        version=2,
        version_author="u-carol",
    ),
    # The same version read again by an overlapping sync, with a renamed title: the later load wins.
    _page(
        SYNC_4,
        "p-101",
        space_id=ENG,
        title="Architecture Overview",
        author="u-bob",
        parent_id="p-100",
        created=_ts("2024-06-03", "09:00:00"),
        updated=_ts("2024-06-12", "15:00:00"),
        version=2,
        version_author="u-carol",
    ),
    _page(
        SYNC_2,
        "p-102",
        space_id=ENG,
        title="Runbooks",
        author="u-bob",
        parent_id="p-101",
        created=_ts("2024-06-04", "11:00:00"),
        updated=_ts("2024-06-04", "11:00:00"),
        version=1,
    ),
    _page(
        SYNC_1,
        "p-103",
        space_id=ENG,
        title="Old design",
        author="u-carol",
        parent_id="p-100",
        created=_ts("2023-10-02", "08:00:00"),
        updated=_ts("2024-01-03", "12:00:00"),
        version=2,
    ),
    _page(
        SYNC_1,
        "p-104",
        space_id=ENG,
        title="Q1 plan",
        author="u-dave",
        parent_id="p-100",
        owner="u-dave",
        created=_ts("2023-12-01", "08:00:00"),
        updated=_ts("2024-01-04", "08:00:00"),
        version=4,
        version_author="u-alice",
    ),
    _page(
        SYNC_2,
        "p-105",
        space_id=ENG,
        title="Scratch",
        author="u-bob",
        parent_id="p-100",
        created=_ts("2024-06-05", "01:00:00"),
        updated=_ts("2024-06-05", "01:00:00"),
        version=1,
    ),
    _page(
        SYNC_4,
        "p-105",
        space_id=ENG,
        title="Scratch",
        author="u-bob",
        parent_id="p-100",
        status="trashed",
        created=_ts("2024-06-05", "01:00:00"),
        updated=_ts("2024-06-18", "10:00:00"),
        version=1,
        deleted_at=_ts("2024-06-18", "10:00:00"),
    ),
    _page(
        SYNC_4,
        "p-106",
        space_id=ENG,
        title="2024-06-17 Team sync",
        author="u-dave",
        parent_id="p-100",
        created=_ts("2024-06-17", "14:00:00"),
        updated=_ts("2024-06-18", "09:00:00"),
        version=2,
        version_author="u-alice",
    ),
    # --- pages: OPS ---
    _page(
        SYNC_1,
        "p-300",
        space_id=OPS,
        title="Ops Home",
        author="u-carol",
        created=_ts("2023-09-04", "12:00:00"),
        updated=_ts("2023-09-04", "12:00:00"),
        version=1,
    ),
    _page(
        SYNC_1,
        "p-301",
        space_id=OPS,
        title="On-call",
        author="u-carol",
        parent_id="p-300",
        created=_ts("2024-05-06", "09:00:00"),
        updated=_ts("2024-05-20", "09:00:00"),
        version=4,
        version_author="u-carol",
    ),
    _page(
        SYNC_5,
        "p-301",
        space_id=OPS,
        title="On-call",
        author="u-carol",
        parent_id="p-300",
        created=_ts("2024-05-06", "09:00:00"),
        updated=_ts("2024-06-25", "16:30:00"),
        version=5,
        version_author="u-bob",
    ),
    _page(
        SYNC_1,
        "p-302",
        space_id=OPS,
        title="Incident 42",
        author="u-ghost",
        parent_id="p-300",
        created=_ts("2024-05-07", "07:00:00"),
        updated=_ts("2024-05-07", "07:00:00"),
        version=1,
    ),
    # Purged: the connector emits a tombstone with only the id, status, space and times.
    _page(
        SYNC_4,
        "p-302",
        space_id=OPS,
        title=None,
        author=None,
        version=None,
        status="deleted",
        created=None,
        updated=_ts("2024-06-20", "08:00:00"),
        deleted_at=_ts("2024-06-20", "08:00:00"),
        owner=None,
        version_author=None,
        words=None,
    ),
    _page(
        SYNC_5,
        "p-303",
        space_id=OPS,
        title="2024-06-24 Ops standup",
        author="u-bob",
        parent_id="f-900",
        parent_type="folder",
        created=_ts("2024-06-24", "10:00:00"),
        updated=_ts("2024-06-24", "10:00:00"),
        version=1,
    ),
    _page(
        SYNC_5,
        "p-304",
        space_id=OPS,
        title="Half-written idea",
        author="u-alice",
        status="draft",
        created=_ts("2024-06-26", "10:00:00"),
        updated=_ts("2024-06-26", "10:00:00"),
        version=1,
    ),
    # --- pages: HR ---
    _page(
        SYNC_1,
        "p-500",
        space_id=HR,
        title="HR Home",
        author="u-dave",
        created=_ts("2023-08-07", "09:00:00"),
        updated=_ts("2023-08-07", "09:00:00"),
        version=1,
    ),
    # --- blog posts ---
    _blog(
        SYNC_3,
        "b-200",
        space_id=ENG,
        title="Release 1.0",
        author="u-alice",
        created=_ts("2024-06-11", "10:00:00"),
        updated=_ts("2024-06-11", "10:00:00"),
        version=1,
    ),
    _blog(
        SYNC_1,
        "b-400",
        space_id=OPS,
        title="Ops newsletter",
        author="u-bob",
        created=_ts("2024-05-08", "10:00:00"),
        updated=_ts("2024-05-08", "10:00:00"),
        version=1,
    ),
    _blog(
        SYNC_2,
        "b-400",
        space_id=OPS,
        title="Ops newsletter",
        author="u-bob",
        created=_ts("2024-05-08", "10:00:00"),
        updated=_ts("2024-06-03", "08:00:00"),
        version=2,
        version_author="u-carol",
    ),
    # --- comments ---
    _comment(
        SYNC_3,
        "c-1",
        container_id="p-101",
        space_id=ENG,
        author="u-carol",
        created=_ts("2024-06-12", "16:00:00"),
    ),
    _comment(
        SYNC_3,
        "c-2",
        container_id="p-101",
        space_id=ENG,
        author="u-alice",
        created=_ts("2024-06-13", "09:00:00"),
        parent_comment_id="c-1",
    ),
    _comment(
        SYNC_3,
        "c-3",
        container_id="p-101",
        space_id=ENG,
        author="u-bob",
        created=_ts("2024-06-13", "10:00:00"),
        comment_type="inline",
        resolution="open",
    ),
    _comment(
        SYNC_4,
        "c-4",
        container_id="p-101",
        space_id=ENG,
        author="u-carol",
        created=_ts("2024-06-14", "10:00:00"),
        comment_type="inline",
        resolution="resolved",
    ),
    _comment(
        SYNC_4,
        "c-5",
        container_id="p-106",
        space_id=ENG,
        author="u-alice",
        created=_ts("2024-06-18", "11:00:00"),
        comment_type="inline",
        resolution="reopened",
    ),
    _comment(
        SYNC_4,
        "c-6",
        container_id="p-300",
        space_id=OPS,
        author="u-carol",
        created=_ts("2024-06-19", "09:00:00"),
    ),
    _comment(
        SYNC_5,
        "c-6",
        container_id="p-300",
        space_id=OPS,
        author="u-carol",
        created=_ts("2024-06-19", "09:00:00"),
        updated=_ts("2024-06-22", "09:00:00"),
        status="trashed",
        deleted_at=_ts("2024-06-22", "09:00:00"),
    ),
    _comment(
        SYNC_2,
        "c-7",
        container_id="p-105",
        space_id=ENG,
        author="u-bob",
        created=_ts("2024-06-05", "01:30:00"),
    ),
    _comment(
        SYNC_5,
        "c-8",
        container_id="p-301",
        space_id=OPS,
        author="u-dave",
        created=_ts("2024-06-26", "09:00:00"),
        comment_type="inline",
        resolution="open",
    ),
    _comment(
        SYNC_5,
        "c-8",
        container_id="p-301",
        space_id=OPS,
        author="u-dave",
        created=_ts("2024-06-26", "09:00:00"),
        updated=_ts("2024-06-27", "09:00:00"),
        comment_type="inline",
        resolution="resolved",
        version=2,
    ),
    # --- tasks (action items) ---
    _task(
        SYNC_4,
        "t-1",
        container_id="p-106",
        space_id=ENG,
        text="Write the migration plan",
        created=_ts("2024-06-17", "14:00:00"),
        updated=_ts("2024-06-17", "14:00:00"),
        assignee="u-bob",
        due=_ts("2024-06-21"),
    ),
    _task(
        SYNC_4,
        "t-2",
        container_id="p-106",
        space_id=ENG,
        text="Book the review",
        created=_ts("2024-06-17", "14:00:00"),
        updated=_ts("2024-06-17", "14:00:00"),
        assignee="u-carol",
        due=_ts("2024-06-28"),
    ),
    _task(
        SYNC_5,
        "t-2",
        container_id="p-106",
        space_id=ENG,
        text="Book the review",
        created=_ts("2024-06-17", "14:00:00"),
        updated=_ts("2024-06-27", "10:00:00"),
        assignee="u-carol",
        due=_ts("2024-06-28"),
        status="complete",
        completed_by="u-carol",
        completed=_ts("2024-06-27", "10:00:00"),
    ),
    _task(
        SYNC_4,
        "t-3",
        container_id="p-106",
        space_id=ENG,
        text="Collect feedback from @u-alice and @u-ghost",
        created=_ts("2024-06-17", "14:00:00"),
        updated=_ts("2024-06-17", "14:00:00"),
        assignee=None,
        due=None,
    ),
    _task(
        SYNC_5,
        "t-4",
        container_id="p-303",
        space_id=OPS,
        text="Rotate the pager",
        created=_ts("2024-06-24", "10:00:00"),
        updated=_ts("2024-06-24", "10:00:00"),
        assignee="u-bob",
        due=_ts("2024-07-01"),
        creator="u-bob",
    ),
    _task(
        SYNC_5,
        "t-5",
        container_id="p-301",
        space_id=OPS,
        text="Update escalation list",
        created=_ts("2024-06-10", "10:00:00"),
        updated=_ts("2024-06-10", "10:00:00"),
        assignee="u-bob",
        due=_ts("2024-06-30"),
        creator="u-carol",
    ),
    _task(
        SYNC_5,
        "t-6",
        container_id="p-301",
        space_id=OPS,
        text="Test the failover",
        created=_ts("2024-06-10", "10:00:00"),
        updated=_ts("2024-06-26", "12:00:00"),
        assignee="u-dave",
        due=_ts("2024-06-25"),
        status="complete",
        completed_by="u-dave",
        completed=_ts("2024-06-26", "12:00:00"),
        creator="u-carol",
    ),
    _task(
        SYNC_4,
        "t-7",
        container_id="p-105",
        space_id=ENG,
        text="Tidy up",
        created=_ts("2024-06-05", "01:00:00"),
        updated=_ts("2024-06-05", "01:00:00"),
        assignee="u-bob",
        due=_ts("2024-06-01"),
        creator="u-bob",
    ),
    _task(
        SYNC_3,
        "t-8",
        container_id="p-101",
        space_id=ENG,
        text="Review the diagrams",
        created=_ts("2024-06-12", "10:00:00"),
        updated=_ts("2024-06-14", "01:00:00"),
        assignee="u-bob",
        due=None,
        status="complete",
        completed_by="u-bob",
        completed=_ts("2024-06-14", "01:00:00"),
        creator="u-carol",
    ),
    # --- labels ---
    _label(SYNC_4, "p-106", "l-1", "meeting-notes", ENG),
    _label(SYNC_5, "p-303", "l-1", "meeting-notes", OPS),
    _label(SYNC_2, "p-102", "l-2", "runbook", ENG),
    _label(SYNC_4, "p-102", "l-2", "runbook", ENG),
    _label(SYNC_1, "p-301", "l-2", "runbook", OPS),
    _label(SYNC_2, "p-105", "l-2", "runbook", ENG),
    _label(SYNC_3, "p-101", "l-3", "architecture", ENG),
    _label(SYNC_1, "p-302", "l-4", "incident", OPS),
    _label(SYNC_1, HR, "l-5", "hr", HR, content_type="space"),
    _label(SYNC_1, "p-500", "l-6", "policy", HR),
    _label(SYNC_2, "b-400", "l-7", "newsletter", OPS, content_type="blogpost"),
    # --- attachments ---
    _attachment(
        SYNC_3,
        "a-1",
        container_id="p-101",
        space_id=ENG,
        title="diagram.png",
        updated=_ts("2024-06-12", "10:00:00"),
    ),
    _attachment(
        SYNC_3,
        "a-2",
        container_id="p-101",
        space_id=ENG,
        title="old-diagram.png",
        updated=_ts("2024-06-12", "10:00:00"),
    ),
    _attachment(
        SYNC_5,
        "a-2",
        container_id="p-101",
        space_id=None,
        title=None,
        status="deleted",
        updated=_ts("2024-06-25", "12:00:00"),
        deleted_at=_ts("2024-06-25", "12:00:00"),
    ),
]


# --------------------------------------------------------------------------------------------
# schema handling
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # string | integer | boolean | timestamp


def stream_columns(stream: str) -> list[Column]:
    """Columns of a stream, in schema order, with the kind the loaders type them as."""
    schema = json.loads((SCHEMAS_DIR / f"{stream}.json").read_text())
    columns = []
    for name, spec in schema["properties"].items():
        types = spec.get("type", "string")
        types = [types] if isinstance(types, str) else types
        base = next(t for t in types if t != "null")
        if base == "string" and spec.get("format") == "date-time":
            kind = "timestamp"
        elif base in ("integer", "boolean", "string"):
            kind = base
        else:
            raise ValueError(f"{stream}.{name}: unsupported type {types}")
        columns.append(Column(name.lower(), kind))
    return columns


def validate_records(records: Iterable[RawRecord] = RECORDS) -> None:
    """Every fixture record has the schema's required fields and no field the schema lacks."""
    for record in records:
        schema = json.loads((SCHEMAS_DIR / f"{record.stream}.json").read_text())
        unknown = set(record.data) - set(schema["properties"])
        missing = set(schema.get("required", [])) - {k for k, v in record.data.items() if v is not None}
        if unknown or missing:
            raise ValueError(f"{record.stream} {record.data}: unknown {unknown}, missing {missing}")


def _to_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "timestamp":
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return value


def rows_for(stream: str, records: Iterable[RawRecord] = RECORDS) -> list[tuple]:
    """Rows of one stream in column order, followed by raw id, extraction time and meta."""
    columns = stream_columns(stream)
    rows = []
    for index, record in enumerate(r for r in records if r.stream == stream):
        values = [_to_value(c.kind, record.data.get(c.name)) for c in columns]
        raw_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"confluence-fixture/{stream}/{index}"))
        extracted_at = _to_value("timestamp", record.extracted_at)
        meta = json.dumps({"changes": [], "sync_id": int(extracted_at.strftime("%m%d"))})
        rows.append((*values, raw_id, extracted_at, meta))
    return rows


# --------------------------------------------------------------------------------------------
# loaders
# --------------------------------------------------------------------------------------------

_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
}
_POSTGRES_TYPES = {
    "string": "varchar",
    "integer": "bigint",
    "boolean": "boolean",
    "timestamp": "timestamp with time zone",
}


def load_duckdb(path: str | Path, schema: str = "main", records: list[RawRecord] = RECORDS) -> None:
    """Write the dataset into a DuckDB file the way PyAirbyte's DuckDB cache does."""
    import duckdb

    validate_records(records)
    con = duckdb.connect(str(path))
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for stream in STREAMS:
            columns = stream_columns(stream)
            ddl = ", ".join(f'"{c.name}" {_DUCKDB_TYPES[c.kind]}' for c in columns)
            con.execute(
                f'CREATE OR REPLACE TABLE "{schema}"."{stream}" ({ddl}, "_airbyte_raw_id" VARCHAR, '
                '"_airbyte_extracted_at" TIMESTAMP WITH TIME ZONE, "_airbyte_meta" JSON)'
            )
            rows = rows_for(stream, records)
            if rows:
                placeholders = ", ".join("?" for _ in range(len(columns) + 3))
                insert = f'INSERT INTO "{schema}"."{stream}" VALUES ({placeholders})'  # noqa: S608 - fixed names
                con.executemany(insert, rows)
    finally:
        con.close()


SYNCS = (SYNC_1, SYNC_2, SYNC_3, SYNC_4, SYNC_5)
PRIMARY_KEYS = {"users": "account_id"}  # every other stream: id


def load_postgres(connection: Any, schema: str, after_sync: Callable[[str], None],
                  records: list[RawRecord] = RECORDS) -> None:
    """Write the dataset with a DB-API connection (psycopg2) the way Airbyte's Postgres destination
    does in append + dedup mode: sync by sync, each load replacing the row of its primary key, so the
    tables end with one row per id (the latest load). ``after_sync(sync)`` runs after each sync."""
    validate_records(records)
    with connection.cursor() as cur:
        cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for stream in STREAMS:
            columns = stream_columns(stream)
            ddl = ", ".join(f'"{c.name}" {_POSTGRES_TYPES[c.kind]}' for c in columns)
            cur.execute(f'DROP TABLE IF EXISTS "{schema}"."{stream}"')
            cur.execute(
                f'CREATE TABLE "{schema}"."{stream}" ({ddl}, "_airbyte_raw_id" varchar NOT NULL, '
                '"_airbyte_extracted_at" timestamp with time zone NOT NULL, "_airbyte_meta" jsonb NOT NULL, '
                '"_airbyte_generation_id" bigint)'
            )
    connection.commit()
    for sync in SYNCS:
        loaded_at = _to_value("timestamp", sync)
        with connection.cursor() as cur:
            for stream in STREAMS:
                columns = stream_columns(stream)
                key = PRIMARY_KEYS.get(stream, "id")
                position = [c.name for c in columns].index(key)
                rows = [(*row, GENERATION_ID) for row in rows_for(stream, records) if row[len(columns) + 1] == loaded_at]
                for row in rows:
                    cur.execute(f'DELETE FROM "{schema}"."{stream}" WHERE "{key}" = %s', (row[position],))  # noqa: S608
                    placeholders = ", ".join("%s" for _ in range(len(columns) + 4))
                    cur.execute(f'INSERT INTO "{schema}"."{stream}" VALUES ({placeholders})', row)  # noqa: S608
        connection.commit()
        after_sync(sync)
