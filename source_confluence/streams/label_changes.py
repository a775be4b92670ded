"""The labels of the content a sync's walks emitted: between its rounds (label_rounds.py), the label
stream reads the current labels of the pages, blog posts and attachments changed since their cursors
(sync/changed.py), so a label added or removed with a new version arrives in the same sync.

Each row joins the set of the key whose round owns it (Cloud: its label; Data Center: its space), so
that its removal is found by that key's next round. A label removed together with an edit is not
seen here (only the labels present are listed): that key's next round emits its tombstone.

Cloud reads them in bulk, a search per 100 items (api/cloud/label_search.py), item by item for what
the search cannot answer for; Data Center in searches of a page of ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import LabelLists, LabelsOfContent, LabelsOfVersions
from source_confluence.records.builders import label_record
from source_confluence.streams.base import StreamPartition
from source_confluence.streams.errors import translate_http_errors
from source_confluence.sync.changed import LABELLED_KINDS
from source_confluence.sync.state import partition_key

if TYPE_CHECKING:
    from source_confluence.streams.label_rounds import Rounds

STREAM = "content_labels"
BATCH = 200
"""Changed items per checkpoint (on Cloud, two searches of 100)."""


class ChangedLabelsPartition(StreamPartition):
    def __init__(self, rounds: Rounds, client: LabelsOfContent) -> None:
        super().__init__(STREAM, {"scope": "changed"})
        self._rounds = rounds
        self._client = client

    def read(self) -> Iterable[Record]:
        context = self._rounds.context
        by_label = isinstance(context.client, LabelLists)
        for kind in LABELLED_KINDS:
            # A batch at a time from the scratch database, by id (issue 16: not the whole list at once).
            for read_back in context.changed.batches(kind, BATCH):
                owned: dict[str, tuple[Mapping[str, str], set[str]]] = {}
                batch = [content_id for content_id, _, _ in read_back]
                spaces = {content_id: space_id for content_id, space_id, _ in read_back}
                versions = {content_id: version for content_id, _, version in read_back}
                with translate_http_errors(STREAM, f"the labels of {len(batch)} changed {kind}(s)"):
                    for content_id, labels in self._labels(kind, batch, versions):
                        space_id = spaces.get(content_id)
                        for label in labels:
                            data = label_record(label, content_id, kind, space_id, context.now)
                            yield Record(data=data, stream_name=STREAM)
                            owner = {"label_id": data["label_id"]} if by_label else (
                                {"space_id": space_id} if space_id else None)
                            if owner is not None:
                                owned.setdefault(partition_key(owner), (owner, set()))[1].add(data["id"])
                # After the batch's records, as a walk checkpoints after its page.
                for key, rows in owned.values():
                    self._rounds.add_rows(key, rows)

    def _labels(self, kind: str, ids: list[str],
                versions: Mapping[str, int | None]) -> Iterable[tuple[str, list[Mapping[str, Any]]]]:
        if isinstance(self._client, LabelsOfVersions):
            return self._client.labels_at(kind, {content_id: versions.get(content_id) for content_id in ids})
        return self._client.labels_of(kind, ids)
