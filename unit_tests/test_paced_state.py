"""A paced stream's state messages: at most one per interval, always one at its end, each covering
every checkpoint made before it (sync/paced_state.py)."""

from __future__ import annotations

from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import InMemoryMessageRepository

from source_confluence.streams.registry import STREAMS_BY_NAME
from source_confluence.sync.paced_state import PacedCursor
from source_confluence.sync.state import PartitionState


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def cursor(clock: Clock) -> tuple[PacedCursor, InMemoryMessageRepository]:
    repository = InMemoryMessageRepository()
    paced = PacedCursor("content_labels", {}, repository, ConnectorStateManager([]), interval_s=5.0, clock=clock)
    return paced, repository


def emitted(repository: InMemoryMessageRepository) -> list[list[str]]:
    """The labels each state message covers."""
    return [[entry["partition"]["label_id"] for entry in message.state.stream.stream_state.__dict__["states"]]
            for message in repository.consume_queue()]


def test_checkpoints_within_the_interval_go_out_with_the_next_message_or_the_last():
    clock = Clock()
    paced, repository = cursor(clock)
    for label in ("1", "2", "3"):
        paced.checkpoint({"label_id": label}, PartitionState(updated_at="2024-01-01T00:00:00.000Z", complete=True))
        clock.now += 1.0
    assert emitted(repository) == [["1"]]  # the first at once, the next two held
    clock.now += 5.0
    paced.checkpoint({"label_id": "4"}, PartitionState(updated_at="2024-01-01T00:00:00.000Z", complete=True))
    assert emitted(repository) == [["1", "2", "3", "4"]]  # the interval passed: it carries the held ones
    paced.checkpoint({"label_id": "5"}, PartitionState(updated_at="2024-01-01T00:00:00.000Z", complete=True))
    paced.close_partition(None)  # type: ignore[arg-type]
    assert emitted(repository) == []
    paced.ensure_at_least_one_state_emitted()  # the stream's end: its whole state, at once
    assert emitted(repository) == [["1", "2", "3", "4", "5"]]


def test_the_content_streams_are_paced_and_the_streams_others_wait_for_are_not():
    paced = {name for name, definition in STREAMS_BY_NAME.items() if definition.state_pace_s}
    assert paced == {"content_labels", "pages", "blog_posts", "comments", "attachments", "content_versions"}
    assert not paced & {"users", "folders", "decisions"}  # written ahead of content checkpoints (sync/references.py)
