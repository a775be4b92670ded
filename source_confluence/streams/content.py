"""`pages` and `blog_posts`: incremental per space on `updated_at`.

v2 lists have no "modified since" filter, so one partition per space reads the list sorted by
modification time:
- with no lower bound at all (first sync, no start_date): oldest first, so the cursor can advance
  after every page and a restart resumes from the stored next-page link;
- with a lower bound (a cursor, or start_date): newest first, stopping at the first record older
  than the bound. A no-change sync therefore costs one request per space. The cursor moves to the
  newest record only once the walk reaches the bound; until then each page stores its next link,
  so a restart continues the same walk.
Ties at the cursor's exact instant are settled by `ids_at_cursor`: nothing missed, nothing repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.records import content_record
from source_confluence.state import PartitionedCursor, PartitionState
from source_confluence.streams.base import ReadContext, forbidden_space_warning
from source_confluence.timestamps import normalize_timestamp
from source_confluence.transport import ConfluenceHttpError

LOGGER = logging.getLogger("airbyte")

# Archived is always listed: content archived after it was synced must arrive with its new status.
LISTED_STATUSES = ("current", "archived", "trashed", "deleted")


@dataclass(frozen=True)
class ContentKind:
    stream: str
    list_path: str
    with_parent: bool


PAGES = ContentKind(stream="pages", list_path="/pages", with_parent=True)
BLOG_POSTS = ContentKind(stream="blog_posts", list_path="/blogposts", with_parent=False)


def raw_updated_at(content: Mapping[str, Any]) -> str | None:
    version = content.get("version") or {}
    return normalize_timestamp(version.get("createdAt")) or normalize_timestamp(content.get("createdAt"))


class ContentPartition(Partition):
    def __init__(
        self, kind: ContentKind, space: Mapping[str, Any], context: ReadContext, cursor: PartitionedCursor,
        use_state: bool,
    ) -> None:
        self._kind = kind
        self._space = space
        self._context = context
        self._cursor = cursor
        self._use_state = use_state
        self._key = {"space_id": str(space["id"])}

    def to_slice(self) -> Mapping[str, Any] | None:
        return self._key

    def stream_name(self) -> str:
        return self._kind.stream

    def __hash__(self) -> int:
        return hash((self._kind.stream, self._key["space_id"]))

    def read(self) -> Iterable[Record]:
        prior = self._cursor.get(self._key) if self._use_state else None
        try:
            yield from self._read(prior)
        except ConfluenceHttpError as error:
            if error.status in (403, 404):
                LOGGER.warning(forbidden_space_warning(self._kind.stream, self._space, error))
                return
            if error.status == 401:
                raise AirbyteTracedException(
                    message="Confluence stopped accepting the credentials during the sync (HTTP 401): the "
                    "token was revoked or expired. Reconnect the source with a valid token.",
                    internal_message=str(error),
                    failure_type=FailureType.config_error,
                ) from None
            raise AirbyteTracedException(
                message=f"Confluence rejected a request of stream '{self._kind.stream}' (HTTP {error.status}).",
                internal_message=str(error),
                failure_type=FailureType.system_error,
            ) from None

    def _read(self, prior: PartitionState | None) -> Iterator[Record]:
        if prior and prior.resume:
            try:
                yield from self._walk(prior.resume["next"], prior, resuming=True)
                return
            except ConfluenceHttpError as error:
                if error.status != 400:
                    raise
                # Cursors expire; walking again from the newest change is always correct.
                LOGGER.warning(
                    f"Stream '{self._kind.stream}', space {self._space.get('key')}: the saved page link was "
                    "rejected (expired); reading again from the newest change down to the cursor."
                )
                prior = replace(prior, resume=None)
        lower = prior.updated_at if prior and prior.updated_at else self._context.config.start_date
        order = "asc" if lower is None else "desc"
        first = self._context.client.first_page_url(
            self._kind.list_path,
            **{
                "space-id": self._key["space_id"],
                "sort": "modified-date" if order == "asc" else "-modified-date",
                "status": list(LISTED_STATUSES),
                "body-format": "storage",
            },
        )
        start = prior or PartitionState(updated_at=lower)
        yield from self._walk(first, replace(start, resume={"order": order, "next": first}), resuming=False)

    def _walk(self, link: str, state: PartitionState, resuming: bool) -> Iterator[Record]:
        resume = state.resume or {}
        order = resume.get("order", "desc")
        lower, lower_ids = state.updated_at, set(state.ids_at_cursor)
        if order == "asc":
            # Oldest first, the cursor itself is the newest instant emitted so far.
            high, high_ids = state.updated_at, list(state.ids_at_cursor)
        else:
            high = resume.get("high") if resuming else None
            high_ids = list(resume.get("high_ids") or []) if resuming else []
        skip_archived = not self._context.config.include_archived and not state.complete
        client = self._context.client
        for page in client.pages_from(link):
            reached_bound = False
            for content in page.results:
                updated_at = raw_updated_at(content)
                content_id = str(content.get("id"))
                if order == "desc" and lower is not None and updated_at is not None and (
                    updated_at < lower or (updated_at == lower and content_id in lower_ids)
                ):
                    reached_bound = True
                    break
                if updated_at is not None:
                    if high is None or updated_at > high:
                        high, high_ids = updated_at, [content_id]
                    elif updated_at == high:
                        high_ids.append(content_id)
                if skip_archived and content.get("status") == "archived":
                    continue
                data = content_record(content, page.base_url, with_parent=self._kind.with_parent)
                yield Record(data=data, stream_name=self._kind.stream, associated_slice=None)
            done = reached_bound or not page.next_link
            self._cursor.checkpoint(self._key, self._state_after(order, state, high, high_ids, page.next_link, done))
            if done:
                return

    @staticmethod
    def _state_after(
        order: str, state: PartitionState, high: str | None, high_ids: list[str], next_link: str | None,
        done: bool,
    ) -> PartitionState:
        if order == "asc":
            # Oldest first: everything up to `high` has been emitted, so the cursor moves page by page.
            return PartitionState(
                updated_at=high or state.updated_at,
                ids_at_cursor=tuple(high_ids) if high else state.ids_at_cursor,
                complete=done or state.complete,
                resume=None if done else {"order": "asc", "next": next_link},
            )
        if done:
            return PartitionState(
                updated_at=high or state.updated_at,
                ids_at_cursor=tuple(high_ids) if high else state.ids_at_cursor,
                complete=True,
            )
        # Newest first and not at the bound yet: the cursor stays, the walk's position is saved.
        return replace(state, resume={"order": "desc", "next": next_link, "high": high, "high_ids": high_ids})


def content_partitions(
    kind: ContentKind, context: ReadContext, cursor: PartitionedCursor, use_state: bool
) -> Iterator[Partition]:
    for space in context.directory.spaces():
        yield ContentPartition(kind, space, context, cursor, use_state)
