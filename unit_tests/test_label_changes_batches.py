"""`content_labels` reads the changed content back from its scratch database a batch at a time
(issue 16): at the benchmark's full size the whole list (~100,000 pages) read into dicts at once
added about 12 MB to the second phase's peak."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from source_confluence.streams import label_changes
from source_confluence.streams.label_changes import ChangedLabelsPartition
from source_confluence.sync import spill
from source_confluence.sync.changed import ChangedContent

NOW = "2026-12-01T00:00:00.000Z"


class Labels:
    """Every content carries one label, `l<id>` (LabelsOfVersions: told the versions the sync read)."""

    def __init__(self) -> None:
        self.asked: list[dict[str, int | None]] = []

    def labels_at(self, content_type: str, versions: Mapping[str, int | None]
                  ) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
        self.asked.append(dict(versions))
        for content_id in versions:
            yield content_id, [{"id": f"l{content_id}", "name": "x", "prefix": "global"}]


class Rounds:
    def __init__(self, changed: ChangedContent) -> None:
        self.context = SimpleNamespace(changed=changed, client=None, now=NOW)
        self.rows: list[tuple[Mapping[str, str], set[str]]] = []

    def add_rows(self, key: Mapping[str, str], rows: set[str]) -> None:
        self.rows.append((key, rows))


def test_the_changed_labels_read_the_changed_content_a_batch_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(label_changes, "BATCH", 7)
    largest: list[int] = []
    real = spill.Spill.query

    def spy(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        rows = real(self, sql, parameters)
        largest.append(len(rows))
        return rows

    monkeypatch.setattr(spill.Spill, "query", spy)
    changed = ChangedContent()
    # Emitted out of id order, some twice (the newest version is kept), in two spaces.
    ids = [str(n) for n in range(100, 150)][::-1] + ["1", "20", "105"]
    for n, content_id in enumerate(ids):
        changed.add("page", {"id": content_id, "space_id": f"s{n % 2}", "version_number": n})
    changed.add("attachment", {"id": "att9", "space_id": "s0", "version_number": None})
    client = Labels()
    rounds = Rounds(changed)
    try:
        records = [record.data for record in ChangedLabelsPartition(rounds, client).read()]  # type: ignore[arg-type]
    finally:
        changed.close()
    expected = sorted(set(ids))
    assert [r["content_id"] for r in records] == expected + ["att9"]
    assert [r["space_id"] for r in records[:3]] == ["s0", "s1", "s0"]  # "1", "100", "101" (by string)
    assert client.asked[0] == {"1": 50, "100": 49, "101": 48, "102": 47, "103": 46, "104": 45, "105": 52}
    assert [len(batch) for batch in client.asked] == [7] * 7 + [3, 1]
    assert sum(len(rows) for _, rows in rounds.rows) == len(expected) + 1
    assert max(largest) <= 7
