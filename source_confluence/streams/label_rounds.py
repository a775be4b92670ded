"""`content_labels` incremental: each sync reads only the labels whose turn has come.

Adding or removing a label creates no version of its content, so no content cursor can find it.
The labels are instead read in rounds: the site's labels fall into keys (Cloud: one per label, read
as everything carrying it, `labels.LabelPartition`; Data Center: one per space, read with its
content, `labels.SpaceContentLabelsPartition`; both: the spaces' own labels), and each key is read
again once per `label_reconciliation_interval_hours`, at its own turn in the interval
(sync/rolling.py), so a sync reads about `gap / interval` of the site and a no-change sync with no
turn due reads no label at all. A key's state keeps the ids of the (content, label) rows it emitted
(sync/idset.py, compressed); a row no longer there when its key is read again is emitted once more
with `deleted_at` set (a tombstone), so the removal reaches the warehouse. Every row a round emits
has `updated_at` = the sync's start, later than any row of an earlier sync: the cursor.

Between rounds, the labels of the content the sync's walks emitted (pages, blog posts, attachments
changed since their cursors; the stream reads in the second phase, after them) are read from that
content (streams/label_changes.py), so a label that comes with a new version arrives in the same
sync, and its row joins its key's set. On Cloud that is a request per changed item: when the changed
items would cost more than reading every key (a first sync of the content streams), every key is
read instead.

Cloud's label list itself is a key: it is read when its turn comes or when a known label is due
(its name and prefix come from the list); a label not in state yet is due at once, and a label gone
from the list has all its rows tombstoned. A key never read (no state: the first sync, or a state
from the releases where the stream was a snapshot) is due at once, so that sync reads every label.

Worst case: a label added to or removed from content reaches the destination at most
`interval + gap` after the change (`gap`: the time between two syncs).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition

from source_confluence.api.protocol import LabelLists, LabelsOfContent, LabelsWithContent
from source_confluence.streams.label_changes import ChangedLabelsPartition
from source_confluence.streams.labels import (
    STREAM,
    LabelPartition,
    SpaceContentLabelsPartition,
    SpaceLabelsPartition,
)
from source_confluence.streams.round_partition import RoundPartition
from source_confluence.sync import rounds as generic
from source_confluence.sync.context import ReadContext
from source_confluence.sync.idset import decode_ids
from source_confluence.sync.state import PartitionedCursor, PartitionState

LOGGER = logging.getLogger("airbyte")
SPACES_KEY = {"scope": "spaces"}
LABEL_LIST_KEY = {"scope": "labels"}


def tombstone(row_id: str, at: str) -> dict[str, Any]:
    """A removed (content, label) row: its ids, `deleted_at` and the cursor at detection time."""
    content_id, _, label_id = row_id.rpartition(":")
    return {"id": row_id, "content_id": content_id, "content_type": None, "space_id": None,
            "label_id": label_id, "label_name": None, "label_prefix": None, "updated_at": at, "deleted_at": at}


class Rounds(generic.Rounds):
    """The label rounds (sync/rounds.py), once per `label_reconciliation_interval_hours`."""

    def __init__(self, context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> None:
        super().__init__(context, cursor, use_state, STREAM, context.config.label_reconciliation_interval_hours)

    def round(self, key: Mapping[str, str], inner: Partition | None) -> RoundPartition:
        return RoundPartition(key, inner, self, lambda _key, row_id, at: tombstone(row_id, at), "label(s)")


def label_round_partitions(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    rounds = Rounds(context, cursor, use_state)
    client = context.client
    if not rounds.every_key and isinstance(client, LabelLists) and 2 * len(context.changed) > (
            rounds.rows_held() + 3 * len(rounds.saved)):
        LOGGER.info(f"Stream '{STREAM}': {len(context.changed)} items changed, more than reading every label "
                    "costs: reading every label.")
        rounds.every_key = True
    if not rounds.every_key and isinstance(client, LabelsOfContent):
        yield ChangedLabelsPartition(rounds, client)
    if rounds.due(SPACES_KEY):
        yield rounds.round(SPACES_KEY, SpaceLabelsPartition(context))
    if isinstance(client, LabelLists):
        yield from _cloud_rounds(rounds, client, context, cursor)
    elif isinstance(client, LabelsWithContent):
        for space in context.directory.spaces():
            key = {"space_id": str(space["id"])}
            if rounds.due(key):
                yield rounds.round(key, SpaceContentLabelsPartition(space, client, context))


def _cloud_rounds(rounds: Rounds, client: LabelLists, context: ReadContext,
                  cursor: PartitionedCursor) -> Iterator[Partition]:
    known = [key for key in rounds.saved if set(key) == {"label_id"}]
    if not rounds.due(LABEL_LIST_KEY) and not any(rounds.due(key) for key in known):
        return
    listed: set[str] = set()
    for label in client.labels():
        key = {"label_id": str(label["id"])}
        listed.add(key["label_id"])
        rounds.remember(key)
        if rounds.due(key):
            yield rounds.round(key, LabelPartition(label, client, context))
    for key in known:
        state = cursor.get(key)
        if key["label_id"] not in listed and state is not None and state.synced_ids and decode_ids(state.synced_ids):
            yield rounds.round(key, None)  # deleted from the site: every row it had is gone
    cursor.checkpoint(LABEL_LIST_KEY, PartitionState(reconciled_at=context.now))
