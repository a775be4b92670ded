"""`audit_records` (incremental, cursor `created_at`): the site's audit log.

Each sync asks for the events created from the cursor minus `OVERLAP` (first sync: `start_date`, or
everything the site keeps) up to the sync's start (`startDate`/`endDate`, epoch ms), paged through.
The overlap catches events the log files a little after their time; the ids of the events emitted
within the overlap are kept in the state (`cursor_versions`, by time) and not emitted again. Cost:
ceil(new events/limit) requests, at least one.

Reading the log needs the 'Confluence Administrator' global permission (OAuth scope
`read:audit-log:confluence`); Data Center: a Confluence or system administrator. Without it the
API answers 401 or 403: the stream is skipped with a warning naming the permission, the sync goes
on, and the state stays as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import timedelta

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from source_confluence.http.transport import ConfluenceHttpError
from source_confluence.records.access_builders import audit_record
from source_confluence.streams.base import StreamPartition
from source_confluence.sync.context import ReadContext
from source_confluence.sync.state import PartitionedCursor, PartitionState
from source_confluence.timestamps import format_timestamp, parse_timestamp

LOGGER = logging.getLogger("airbyte")
STREAM = "audit_records"
KEY = {"scope": "site"}
OVERLAP = timedelta(minutes=5)
NEEDS = ("the 'Confluence Administrator' global permission (Cloud; OAuth scope read:audit-log:confluence) or "
         "Confluence administrator rights (Data Center)")


def epoch_ms(timestamp: str) -> int:
    return int(parse_timestamp(timestamp).timestamp() * 1000)


def shifted(timestamp: str, by: timedelta) -> str:
    return format_timestamp(parse_timestamp(timestamp) + by)


class AuditPartition(StreamPartition):
    def __init__(self, context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> None:
        super().__init__(STREAM, KEY)
        self._context = context
        self._cursor = cursor
        self._prior = (cursor.get(KEY) if use_state else None) or PartitionState()

    def read(self) -> Iterable[Record]:
        prior = self._prior
        known = {event_id: at for at, ids in (prior.cursor_versions or {}).items() for event_id in ids}
        lower = shifted(prior.updated_at, -OVERLAP) if prior.updated_at else self._context.config.start_date
        emitted: dict[str, str] = {}
        try:
            for event in self._context.client.access.audit_records(
                    epoch_ms(lower) if lower else None, epoch_ms(self._context.now)):
                data = audit_record(event)
                if data["id"] in known or data["id"] in emitted:
                    continue
                if data["created_at"] is not None:
                    emitted[data["id"]] = data["created_at"]
                yield Record(data=data, stream_name=STREAM)
        except ConfluenceHttpError as error:
            if error.status not in (401, 403):
                raise
            LOGGER.warning(f"Stream '{STREAM}' skipped: the account may not read the audit log (HTTP "
                           f"{error.status}). It needs {NEEDS}. The other streams go on; the stream's state is "
                           "unchanged.")
            return
        self._cursor.checkpoint(KEY, next_state(prior, {**known, **emitted}))


def next_state(prior: PartitionState, seen: dict[str, str]) -> PartitionState:
    """The newest time read becomes the cursor; the ids read within the overlap before it are kept."""
    cursor = max([*seen.values(), *([prior.updated_at] if prior.updated_at else [])], default=None)
    if cursor is None:
        return PartitionState(complete=True)
    floor = shifted(cursor, -OVERLAP)
    versions: dict[str, list[str]] = {}
    for event_id, at in sorted(seen.items(), key=lambda item: (item[1], item[0])):
        if at >= floor:
            versions.setdefault(at, []).append(event_id)
    return PartitionState(updated_at=cursor, complete=True,
                          cursor_versions={at: tuple(ids) for at, ids in versions.items()} or None)


def audit_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    yield AuditPartition(context, cursor, use_state)
