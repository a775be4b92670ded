"""`content_labels`: one row per (content, label), read key by key in rounds (label_rounds.py).

Adding or removing a label does not create a page version, so labels cannot ride on the content
cursor. Instead a round reads label by label: the label list (250 per request), then
for each label the pages, blog posts and attachments carrying it, plus each selected space's own
labels. Requests grow with the number of labels and labelled content, never one per page.

Data Center has no label list: each selected space's pages, blog posts and attachments are listed
without bodies, with their labels expanded (`metadata.labels`), one partition per space.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from airbyte_cdk.sources.types import Record

from source_confluence.api.protocol import ATTACHMENT, BLOGPOST, PAGE, LabelLists, LabelsWithContent
from source_confluence.records.builders import container_of, label_record
from source_confluence.streams.base import StreamPartition, describe_space
from source_confluence.streams.errors import translate_http_errors
from source_confluence.sync.context import ReadContext

STREAM = "content_labels"
LABELLED = ((PAGE, "pages"), (BLOGPOST, "blog_posts"), (ATTACHMENT, "attachments"))


class LabelPartition(StreamPartition):
    """Everything carrying one label."""

    def __init__(self, label: Mapping[str, Any], client: LabelLists, context: ReadContext) -> None:
        super().__init__(STREAM, {"label_id": str(label["id"])})
        self._label = label
        self._client = client
        self._context = context

    def read(self) -> Iterable[Record]:
        label_id = str(self._label["id"])
        selection = self._context.selection
        with translate_http_errors(STREAM, f"label {self._label.get('name')}"):
            for content_type, stream in LABELLED:
                if not selection.content_type_enabled(stream):
                    continue
                for listed in self._client.labelled(label_id, content_type):
                    if content_type == ATTACHMENT:
                        self._context.containers.resolve(container_of(item) for item in listed.results)
                    for item in listed.results:
                        data = self._record(item, content_type)
                        if data is not None:
                            yield Record(data=data, stream_name=STREAM)

    def _record(self, item: Mapping[str, Any], content_type: str) -> dict[str, Any] | None:
        selection = self._context.selection
        content_id = str(item["id"])
        if content_type == ATTACHMENT:
            container_id, container_type = container_of(item)
            if not selection.allows_container(container_id, container_type):
                return None
            container = self._context.containers.get(container_id or "")
            space_id = container.space_id if container else None
        else:
            space_id = str(item["spaceId"]) if item.get("spaceId") else None
            if not selection.allows_content(content_id, content_type, space_id):
                return None
        return label_record(self._label, content_id, content_type, space_id, self._context.now)


class SpaceLabelsPartition(StreamPartition):
    """The labels put on the selected spaces themselves."""

    def __init__(self, context: ReadContext) -> None:
        super().__init__(STREAM, {"scope": "spaces"})
        self._context = context

    def read(self) -> Iterable[Record]:
        client = self._context.client
        for space in self._context.directory.spaces():
            space_id = str(space["id"])
            with translate_http_errors(STREAM, describe_space(space)):
                for label in client.space_labels(space_id):
                    yield Record(data=label_record(label, space_id, "space", space_id, self._context.now),
                                 stream_name=STREAM)


class SpaceContentLabelsPartition(StreamPartition):
    """Everything labelled in one space, read with the content (Data Center)."""

    def __init__(self, space: Mapping[str, Any], client: LabelsWithContent, context: ReadContext) -> None:
        super().__init__(STREAM, {"space_id": str(space["id"])})
        self._space = space
        self._client = client
        self._context = context

    def read(self) -> Iterable[Record]:
        space_id = str(self._space["id"])
        selection = self._context.selection
        with translate_http_errors(STREAM, describe_space(self._space)):
            for content_type, stream in LABELLED:
                if not selection.content_type_enabled(stream):
                    continue
                for listed in self._client.labelled_in_space(space_id, content_type):
                    if content_type == ATTACHMENT:
                        self._context.containers.resolve(
                            container_of(item) for item in listed.results if item.get("labels"))
                    for item in listed.results:
                        yield from self._records(item, content_type, space_id)

    def _records(self, item: Mapping[str, Any], content_type: str, space_id: str) -> Iterator[Record]:
        labels = item.get("labels") or []
        if not labels:
            return
        content_id = str(item["id"])
        if content_type == ATTACHMENT:
            container_id, container_type = container_of(item)
            if not self._context.selection.allows_container(container_id, container_type, space_id):
                return
        elif not self._context.selection.allows_content(content_id, content_type, space_id):
            return
        for label in labels:
            yield Record(data=label_record(label, content_id, content_type, space_id, self._context.now),
                         stream_name=STREAM)
