"""The streams, one declaration each: name, primary key, cursor field and partitioning.

Adding a stream is a row here, a record builder (records/builders.py), a schema
(schemas/<name>.json) and tests; docs/architecture.md walks through the five steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from airbyte_cdk.sources.streams.concurrent.cursor import Cursor
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition

from source_confluence.streams.access import groups_partitions
from source_confluence.streams.access_rounds import group_member_partitions, space_permission_partitions
from source_confluence.streams.attachments import attachment_partitions
from source_confluence.streams.audit import audit_partitions
from source_confluence.streams.comments import comment_partitions
from source_confluence.streams.content import BLOG_POSTS, PAGES, content_partitions
from source_confluence.streams.content_views import view_partitions
from source_confluence.streams.decisions import decision_partitions
from source_confluence.streams.folders import folder_partitions
from source_confluence.streams.label_rounds import label_round_partitions
from source_confluence.streams.restrictions import restriction_partitions
from source_confluence.streams.spaces import SpacesPartition
from source_confluence.streams.tasks import task_partitions
from source_confluence.streams.users import user_partitions
from source_confluence.streams.versions import version_partitions
from source_confluence.sync.context import ReadContext
from source_confluence.sync.state import PartitionedCursor

Partitioning = Callable[[ReadContext, PartitionedCursor, bool], Iterator[Partition]]
"""(context, the stream's cursor, whether to start from its saved state) -> the stream's partitions."""
STATE_PACE_S = 5.0
"""The paced streams' least time between two state messages: each re-emits the stream's whole state
(every partition's), which at 1x cost ~150 MB of messages per full sync unpaced. A sync killed
mid-way reads again at most this long of what the last message did not cover. Not for users,
folders and decisions, whose states go ahead of the content checkpoints (sync/references.py)."""
Snapshot = Callable[[ReadContext], Iterator[Partition]]
"""A stream without a cursor: its partitions read everything every sync."""


@dataclass(frozen=True)
class StreamDefinition:
    name: str
    primary_key: tuple[str, ...]
    cursor_field: str | None
    """None: a snapshot stream (full refresh in either sync mode)."""
    partitions: Partitioning | None = None
    snapshot: Snapshot | None = None
    runs_last: bool = False
    """Streams that need the others' records first (users) read in a second phase."""
    state_pace_s: float | None = None
    """The least time between two of the stream's state messages (sync/paced_state.py); None: one
    per checkpoint."""

    def __post_init__(self) -> None:
        if (self.partitions is None) == (self.snapshot is None) or (self.snapshot is None) != bool(self.cursor_field):
            raise ValueError(f"stream '{self.name}': a cursor field with partitions, or a snapshot without one")

    def read(self, context: ReadContext, cursor: Cursor, use_state: bool) -> Iterator[Partition]:
        """The partitions of one sync; `cursor` is a `PartitionedCursor` for a stream with a cursor field."""
        if self.snapshot is not None:
            return self.snapshot(context)
        if self.partitions is None or not isinstance(cursor, PartitionedCursor):
            raise TypeError(f"stream '{self.name}' reads with a PartitionedCursor")
        return self.partitions(context, cursor, use_state)


def _pages(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    return content_partitions(PAGES, context, cursor, use_state)


def _blog_posts(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    return content_partitions(BLOG_POSTS, context, cursor, use_state)


def _spaces(context: ReadContext) -> Iterator[Partition]:
    yield SpacesPartition(context)


def _users(context: ReadContext, cursor: PartitionedCursor, use_state: bool) -> Iterator[Partition]:
    return user_partitions(context, cursor, context.gather_users)


STREAMS: tuple[StreamDefinition, ...] = (
    StreamDefinition("spaces", ("id",), None, snapshot=_spaces),
    StreamDefinition("pages", ("id",), "updated_at", _pages, state_pace_s=STATE_PACE_S),
    StreamDefinition("blog_posts", ("id",), "updated_at", _blog_posts, state_pace_s=STATE_PACE_S),
    StreamDefinition("comments", ("id",), "updated_at", comment_partitions, state_pace_s=STATE_PACE_S),
    StreamDefinition("tasks", ("id",), "updated_at", task_partitions),
    StreamDefinition("content_labels", ("id",), "updated_at", label_round_partitions, runs_last=True,
                     state_pace_s=STATE_PACE_S),
    StreamDefinition("attachments", ("id",), "updated_at", attachment_partitions, state_pace_s=STATE_PACE_S),
    StreamDefinition("users", ("account_id",), "resolved_at", _users, runs_last=True),
    StreamDefinition("content_versions", ("id",), "created_at", version_partitions, state_pace_s=STATE_PACE_S),
    StreamDefinition("content_restrictions", ("id",), "updated_at", restriction_partitions, runs_last=True),
    StreamDefinition("folders", ("id",), "resolved_at", folder_partitions, runs_last=True),
    StreamDefinition("groups", ("id",), None, snapshot=groups_partitions),
    StreamDefinition("group_members", ("id",), "updated_at", group_member_partitions),
    StreamDefinition("audit_records", ("id",), "created_at", audit_partitions),
    StreamDefinition("space_permissions", ("id",), "updated_at", space_permission_partitions),
    StreamDefinition("decisions", ("id",), "updated_at", decision_partitions, runs_last=True),
    StreamDefinition("content_views", ("content_id",), "counted_at", view_partitions),
)
STREAMS_BY_NAME = {definition.name: definition for definition in STREAMS}
CONTENT_STREAMS = frozenset({"pages", "blog_posts", "comments", "tasks", "attachments"})
