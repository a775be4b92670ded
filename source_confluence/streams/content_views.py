"""`content_views` (Cloud, opt-in `page_views`): views and distinct viewers per live page and blog post.

Confluence counts views per content, one request per count (`/wiki/rest/api/analytics/content/{id}/
views` and `/viewers`), and no list says whose counts moved. So every sync spends at most
`page_views_budget` requests, the listing of live content ids included, on the most out-of-date
counts: never counted first, then the oldest `counted_at`. With P live pages and blog posts, L
listing requests (P/250 and one per space and type) and budget B, every one is counted again within
ceil(2P / (B - L)) syncs. One partition for the site; its state keeps, per sync start, the ids it
counted then (`container_cursors.counted_at`, compact id sets), forgetting content no longer live.
Data Center has no analytics API: the stream is empty there and says so once.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import CONTAINER_TYPES, ContentAnalytics
from source_confluence.streams.base import StreamPartition
from source_confluence.streams.errors import translate_http_errors
from source_confluence.sync.context import ReadContext
from source_confluence.sync.idset import decode_ids, encode_ids
from source_confluence.sync.selection import CONTAINER_STREAM
from source_confluence.sync.state import PartitionedCursor, PartitionState
from source_confluence.timestamps import normalize_timestamp

LOGGER = logging.getLogger("airbyte")
STREAM = "content_views"
KEY = {"scope": "site"}
COUNTED = "counted_at"
"""Where the state keeps the ids counted per sync start (in `container_cursors`)."""
CHECKPOINT_EVERY = 100


def load_counted(state: PartitionState | None) -> dict[str, str]:
    """content id -> when it was last counted; an undecodable part is dropped (counts start over)."""
    stored = ((state.container_cursors if state is not None else None) or {}).get(COUNTED) or {}
    counted: dict[str, str] = {}
    try:
        for at, ids in stored.items():
            moment = normalize_timestamp(at)
            if moment is None:
                raise ValueError("not a timestamp")
            counted.update(dict.fromkeys(decode_ids(ids), moment))
    except (ValueError, TypeError, AttributeError):
        LOGGER.warning(f"Stream '{STREAM}': the saved `container_cursors.{COUNTED}` cannot be decoded; every "
                       "live page counts as never counted.")
        return {}
    return counted


def counted_state(counted: Mapping[str, str]) -> PartitionState:
    by_time: dict[str, set[str]] = {}
    for content_id, at in counted.items():
        by_time.setdefault(at, set()).add(content_id)
    return PartitionState(updated_at=max(by_time, default=None), complete=True,
                          container_cursors={COUNTED: {at: encode_ids(ids) for at, ids in sorted(by_time.items())}})


class ContentViewsPartition(StreamPartition):
    def __init__(self, context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> None:
        super().__init__(STREAM, KEY)
        self._context = context
        self._cursor = cursor
        self._use_state = use_state

    def read(self) -> Iterable[Record]:
        client = self._context.client
        if not isinstance(client, ContentAnalytics):
            return
        counted = load_counted(self._cursor.get(KEY) if self._use_state else None)
        with translate_http_errors(STREAM, "the site's pages and blog posts"):
            budget = self._context.config.page_views_budget
            live, spent = self._live(budget)
            room = max(budget - spent, 0) // 2
            if live is None or not room:
                LOGGER.warning(f"Stream '{STREAM}': listing the live pages and blog posts took the whole "
                               f"page_views_budget ({budget} requests) and nothing was counted; raise it.")
                return
            counted = {i: at for i, at in counted.items() if i in live}
            # Never counted first, then the oldest counts; ids in order among equals.
            order = sorted(live, key=lambda i: (i in counted, counted.get(i, ""), len(i), i))
            LOGGER.info(f"Stream '{STREAM}': counting {min(room, len(order))} of {len(live)} live pages and "
                        f"blog posts; every one is counted within {math.ceil(len(live) / room)} sync(s) at this "
                        "budget.")
            yield from self._count(order[:room], live, counted, client)

    def _live(self, budget: int) -> tuple[dict[str, tuple[str, str]] | None, int]:
        """Live (current) pages and blog posts in the selection: id -> (type, space id), and the
        requests spent listing them; None when the listing would pass the budget."""
        context = self._context
        page_size = context.client.page_size
        live: dict[str, tuple[str, str]] = {}
        spent = 0
        for space in context.directory.spaces():
            space_id = str(space["id"])
            for container_type in CONTAINER_TYPES:
                if not context.selection.content_type_enabled(CONTAINER_STREAM[container_type]):
                    continue
                spent += 1
                for n, item in enumerate(context.client.listing(container_type, space_id), start=1):
                    if n % page_size == 0:
                        spent += 1  # the next page of the listing
                    if spent > budget:
                        return None, spent
                    content_id = str(item["id"])
                    if item.get("status") == "current" and context.selection.allows_content(
                            content_id, container_type, space_id):
                        live[content_id] = (container_type, space_id)
                if spent > budget:
                    return None, spent
        return live, spent

    def _count(self, wanted: list[str], live: Mapping[str, tuple[str, str]], counted: dict[str, str],
               client: ContentAnalytics) -> Iterator[Record]:
        config, now = self._context.config, self._context.now
        counted_from = config.page_views_from or config.start_date
        for n, content_id in enumerate(wanted, start=1):
            views = client.content_count(content_id, "views", counted_from)
            viewers = client.content_count(content_id, "viewers", counted_from) if views is not None else None
            if views is None or viewers is None:
                counted.pop(content_id, None)  # gone since it was listed
                continue
            content_type, space_id = live[content_id]
            counted[content_id] = now
            yield Record(data=_record(content_id, content_type, space_id, views, viewers, counted_from, now),
                         stream_name=STREAM)
            if n % CHECKPOINT_EVERY == 0:
                self._cursor.checkpoint(KEY, counted_state(counted))
        self._cursor.checkpoint(KEY, counted_state(counted))


def _record(content_id: str, content_type: str, space_id: str, views: int, viewers: int, counted_from: str | None,
            counted_at: str) -> dict[str, Any]:
    return {"content_id": content_id, "content_type": content_type, "space_id": space_id, "views": views,
            "viewers": viewers, "counted_from": counted_from, "counted_at": counted_at}


def view_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    if not context.config.page_views:
        LOGGER.info(f"Stream '{STREAM}' reads nothing: page views are off (`page_views`); turning them on "
                    "costs up to `page_views_budget` requests per sync.")
        return
    if not isinstance(context.client, ContentAnalytics):
        LOGGER.info(f"Stream '{STREAM}' reads nothing: Confluence Data Center has no page analytics API.")
        return
    yield ContentViewsPartition(context, cursor, use_state)
