"""For tests that read the state after each checkpoint of a paced stream (sync/paced_state.py): the
sync's streams unpaced, one state message per checkpoint. What a checkpoint holds does not depend on
pacing, only when it is written; pacing itself is tested in test_paced_state.py and
integration_tests/test_paced_content_state.py.

Use: `from unit_tests.every_checkpoint import every_checkpoint  # noqa: F401` and
`@pytest.mark.usefixtures("every_checkpoint")`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from source_confluence import source
from source_confluence.streams.registry import STREAMS_BY_NAME


@pytest.fixture
def every_checkpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    unpaced = {name: dataclasses.replace(definition, state_pace_s=None) for name, definition in STREAMS_BY_NAME.items()}
    monkeypatch.setattr(source, "STREAMS_BY_NAME", unpaced)
    yield
