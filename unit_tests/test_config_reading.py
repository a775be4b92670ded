"""One reading of the config per command: the entrypoint's validation parses it, and check, discover
and read use that typed config instead of parsing the platform's document again."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from airbyte_cdk.models import AirbyteMessageSerializer, ConfiguredAirbyteCatalogSerializer, SyncMode, Type
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest

from source_confluence import SourceConfluence
from source_confluence.config import fields
from source_confluence.entrypoint import ConfluenceEntrypoint
from unit_tests.builders import CONFIG, CURRENT_USER_URL, current_user, json_response, list_response, space, spaces_request


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the config parses: every parse reads the credentials first, through `fields.credentials`."""
    counted: list[int] = []
    original: Callable[..., Any] = fields.credentials

    def counting(raw: Any) -> Any:
        counted.append(1)
        return original(raw)

    monkeypatch.setattr(fields, "credentials", counting)
    return counted


def run(tmp_path: Any, *args: str) -> list[Any]:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(CONFIG))
    entrypoint = ConfluenceEntrypoint(SourceConfluence())
    lines = entrypoint.run(entrypoint.parse_args([args[0], "--config", str(config), *args[1:]]))
    return [AirbyteMessageSerializer.load(json.loads(line)) for line in lines]


def test_check_parses_the_config_once(tmp_path, parses):
    with HttpMocker() as http:
        http.get(HttpRequest(CURRENT_USER_URL), json_response(current_user()))
        http.get(spaces_request(), list_response([space()]))
        messages = run(tmp_path, "check")
    [status] = [m.connectionStatus for m in messages if m.type == Type.CONNECTION_STATUS]
    assert status.status.value == "SUCCEEDED"
    assert len(parses) == 1


def test_discover_parses_the_config_once(tmp_path, parses):
    messages = run(tmp_path, "discover")
    [catalog] = [m.catalog for m in messages if m.type == Type.CATALOG]
    assert "pages" in {stream.name for stream in catalog.streams}
    assert len(parses) == 1


def test_read_parses_the_config_once(tmp_path, parses):
    catalog = tmp_path / "catalog.json"
    configured = CatalogBuilder().with_stream("spaces", SyncMode.full_refresh).build()
    catalog.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(configured)))
    with HttpMocker() as http:
        http.get(spaces_request(), list_response([space()]))
        messages = run(tmp_path, "read", "--catalog", str(catalog))
    records = [m.record.data for m in messages if m.type == Type.RECORD]
    assert [record["key"] for record in records] == ["ENG"]
    assert len(parses) == 1
