"""What the content walks keep for the sync's later streams is kept only when such a stream is
selected (issue 16: at the benchmark's full size, 110,000 pages and blog posts each)."""

from __future__ import annotations

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker

from source_confluence import SourceConfluence
from source_confluence import source as source_module
from source_confluence.sync.changed import ChangedContent
from source_confluence.sync.context import ReadContext
from source_confluence.sync.emitted import EmittedContent
from unit_tests.builders import config, content_list_request, list_response, page, space, spaces_request

T1, T2 = "2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00.000Z"


def pages_sync(monkeypatch: pytest.MonkeyPatch) -> ReadContext:
    contexts: list[ReadContext] = []
    real = source_module.build_context

    def capture(*args, **kwargs):  # type: ignore[no-untyped-def]
        contexts.append(real(*args, **kwargs))
        return contexts[-1]

    monkeypatch.setattr(source_module, "build_context", capture)
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        http.get(content_list_request("pages", "100", descending=False), list_response([page("1", T1), page("2", T2)]))
        output = read(SourceConfluence(), config(), CatalogBuilder().with_stream("pages", SyncMode.incremental).build())
    assert [r.record.data["id"] for r in output.records] == ["1", "2"]
    return contexts[0]


def test_pages_alone_keep_nothing_for_labels_or_restrictions(monkeypatch: pytest.MonkeyPatch) -> None:
    context = pages_sync(monkeypatch)
    assert (context.changed.enabled, context.emitted.keeps_changed) == (False, False)
    assert len(context.changed) == 0
    assert context.changed.of("page") == {}
    assert list(context.emitted.changed()) == []


def test_the_collectors_keep_what_their_streams_read_unless_told_not_to() -> None:
    changed, emitted = ChangedContent(), EmittedContent()
    record = {"id": "7", "status": "current", "space_id": "100", "version_number": 3, "updated_at": T2}
    changed.add("page", record)
    emitted.add("pages", [record])
    assert changed.of("page") == {"7": "100"} and changed.versions("page") == {"7": 3}
    assert [(c.id, c.content_type, c.space_id, c.updated_at) for c in emitted.changed()] == [("7", "page", "100", T2)]
    changed.enabled = emitted.keeps_changed = False
    changed.add("page", {**record, "id": "8"})
    emitted.add("pages", [{**record, "id": "8", "parent_type": "folder", "parent_id": "55"}])
    assert changed.of("page") == {"7": "100"}
    assert [c.id for c in emitted.changed()] == ["7"]
    assert emitted.folders() == {"55": "100"}  # `folders` reads these whatever restrictions do
