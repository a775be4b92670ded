"""The content streams' paced state (sync/paced_state.py) against the same sync unpaced: fewer state
messages, the same records, and the same final state, so pacing changes when a state is written,
never what it says."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime

import pytest
from airbyte_cdk.models import AirbyteStateMessageSerializer

from integration_tests.conftest import final_state, sync
from source_confluence import source
from source_confluence.streams.registry import STREAMS_BY_NAME

pytestmark = pytest.mark.integration

PACED = ("pages", "blog_posts", "comments", "attachments", "content_versions")


class SyncStart(datetime):
    """Both syncs start at the same moment: the state's `reconciled_at` is the sync's start."""

    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 1, 1, tzinfo=UTC)


def unpaced() -> dict[str, source.StreamDefinition]:
    return {name: dataclasses.replace(definition, state_pace_s=None) for name, definition in STREAMS_BY_NAME.items()}


def comparable_records(output) -> list[tuple[str, str]]:
    return sorted((m.record.stream, repr(sorted(m.record.data.items()))) for m in output.records)


def states(output) -> dict[str, dict]:
    return {message.stream.stream_descriptor.name: AirbyteStateMessageSerializer.dump(message)["stream"]["stream_state"]
            for message in final_state(output)}


def state_messages(output) -> Counter[str]:
    return Counter(m.state.stream.stream_descriptor.name for m in output.state_messages)


def test_a_paced_sync_writes_fewer_states_and_ends_on_the_same_state(tiny_double, monkeypatch):
    options = {"page_size": 10, "num_workers": 2, "version_history": "all"}
    monkeypatch.setattr(source, "datetime", SyncStart)
    paced = sync(tiny_double, PACED, **options)
    monkeypatch.setattr(source, "STREAMS_BY_NAME", unpaced())
    every_checkpoint = sync(tiny_double, PACED, **options)

    assert comparable_records(paced) == comparable_records(every_checkpoint)
    assert states(paced) == states(every_checkpoint)
    written, unpaced_written = state_messages(paced), state_messages(every_checkpoint)
    for stream in PACED:  # the whole sync fits in one interval: its first checkpoint and its end
        assert written[stream] < unpaced_written[stream], (stream, written, unpaced_written)
