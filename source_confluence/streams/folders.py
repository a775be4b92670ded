"""`folders` (Cloud): the folders that synced pages sit in, and the folders those sit in.

Cloud v2 has no folder list, so after the content streams this stream looks up, one request each
(`/folders/{id}`; the API has no bulk form), every folder that the pages emitted in this sync name as
their parent, then the folders those folders name, until every parent chain reaches a page or the
space root. Each folder is read at most once per sync. A folder that is gone or hidden (404) is
skipped with a warning. v2 folders do not say their space: a folder is in the space of the page (or
folder) that named it.

Folder ids named by pages that a sync delivered but could not resolve (killed before this stream
ran) are kept in the state (`pending_folders`) and resolved by the next sync. Data Center has no
folders: the stream reads nothing there and says so once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api.cloud.client import API_V2, CloudClient
from source_confluence.http.transport import ConfluenceHttpError
from source_confluence.records.values import optional_str
from source_confluence.streams.base import StreamPartition
from source_confluence.streams.errors import translate_http_errors
from source_confluence.sync.context import ReadContext
from source_confluence.sync.emitted import FOLDER
from source_confluence.sync.state import PartitionedCursor, PartitionState
from source_confluence.timestamps import normalize_timestamp

LOGGER = logging.getLogger("airbyte")
STREAM = "folders"
KEY = {"scope": "site"}
PENDING = "pending_folders"
"""Folder ids (with their space) awaiting resolution, in the state's `container_cursors`."""


def folder_record(raw: Mapping[str, Any], space_id: str | None, resolved_at: str) -> dict[str, Any]:
    return {"id": str(raw["id"]), "title": optional_str(raw.get("title")), "space_id": space_id,
            "parent_id": optional_str(raw.get("parentId")), "parent_type": optional_str(raw.get("parentType")),
            "created_at": normalize_timestamp(raw.get("createdAt")), "author_id": optional_str(raw.get("authorId")),
            "owner_id": optional_str(raw.get("ownerId")), "status": optional_str(raw.get("status")),
            "resolved_at": resolved_at, "deleted_at": None}


def pending_folders(state: PartitionState | None) -> dict[str, str | None]:
    pending = ((state.container_cursors if state is not None else None) or {}).get(PENDING)
    if not isinstance(pending, Mapping):
        return {}
    return {str(k): (str(v) if v is not None else None) for k, v in pending.items()}


class PendingFolders:
    """Saves the folder ids the emitted pages name into the folders state, before those pages'
    records are emitted (`EmittedContent` calls `save`), so a sync killed before `folders` loses none."""

    def __init__(self, context: ReadContext, cursor: PartitionedCursor) -> None:
        self._emitted = context.emitted
        self._cursor = cursor
        self._prior = cursor.get(KEY) or PartitionState()
        self._carried = pending_folders(self._prior)
        self._saved = 0
        self._lock = threading.Lock()

    def save(self) -> None:
        with self._lock:  # partitions save from their threads; the collector only grows
            named = self._emitted.folders()
            if len(named) <= self._saved:
                return
            self._saved = len(named)
            parts = {**(self._prior.container_cursors or {}), PENDING: {**named, **self._carried}}
            self._cursor.checkpoint(KEY, PartitionState(updated_at=self._prior.updated_at,
                                                        complete=self._prior.complete, container_cursors=parts))


class FoldersPartition(StreamPartition):
    def __init__(self, context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> None:
        super().__init__(STREAM, KEY)
        self._context = context
        self._cursor = cursor
        self._use_state = use_state

    def read(self) -> Iterable[Record]:
        client, now = self._context.client, self._context.now
        if not isinstance(client, CloudClient):
            LOGGER.info("Stream 'folders': Confluence Data Center has no folders; the stream reads nothing.")
            self._cursor.checkpoint(KEY, PartitionState(updated_at=now, complete=True))
            return
        prior = self._cursor.get(KEY) if self._use_state else None
        todo = {**pending_folders(prior), **self._context.emitted.folders()}
        with translate_http_errors(STREAM, "the folders pages sit in"):
            yield from self._resolve(client, todo)
        self._cursor.checkpoint(KEY, PartitionState(updated_at=now, complete=True))

    def _resolve(self, client: CloudClient, todo: dict[str, str | None]) -> Iterator[Record]:
        """Each folder once, then the folders it sits in, until every chain ends."""
        done: set[str] = set()
        queue = list(todo.items())
        while queue:
            folder_id, space_id = queue.pop(0)
            if folder_id in done:
                continue
            done.add(folder_id)
            raw = self._folder(client, folder_id)
            if raw is None:
                continue
            yield Record(data=folder_record(raw, space_id, self._context.now), stream_name=STREAM)
            if raw.get("parentType") == FOLDER and raw.get("parentId") and str(raw["parentId"]) not in done:
                queue.append((str(raw["parentId"]), space_id))

    @staticmethod
    def _folder(client: CloudClient, folder_id: str) -> Mapping[str, Any] | None:
        if not folder_id.isdigit():
            LOGGER.warning(f"Stream 'folders': skipping folder id {folder_id!r}, which is not a number.")
            return None
        try:
            body, _ = client.transport.get(f"{API_V2}/folders/{folder_id}")
        except ConfluenceHttpError as error:
            if error.status == 404:
                LOGGER.warning(f"Stream 'folders': folder {folder_id} was not found (deleted, or the account cannot "
                               "see it); skipping it. Pages under it keep it as their parent_id.")
                return None
            raise
        return body if isinstance(body, Mapping) and body.get("id") is not None else None


def folder_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    yield FoldersPartition(context, cursor, use_state)
