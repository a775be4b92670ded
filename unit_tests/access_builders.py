"""Request and response builders for the access streams' unit tests (v1 groups, members and audit,
v2 space permissions and roles; Data Center v1), shapes from ../shared/confluence-api/."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.mock_http import HttpRequest

from unit_tests import dc_builders
from unit_tests.builders import SITE, json_response, list_response, space, spaces_request

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
NOW_STAMP = "2024-06-01T12:00:00.000Z"
"""NOW as records carry it (`updated_at` of the access rows)."""


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The sync's start (the audit log's `endDate`) at NOW."""
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return NOW

    monkeypatch.setattr("source_confluence.source.datetime", Frozen)
    return NOW


def catalog(*streams: str, mode: SyncMode = SyncMode.full_refresh):
    builder = CatalogBuilder()
    for stream in streams:
        builder = builder.with_stream(stream, mode)
    return builder.build()


def v1_request(path: str, **params: Any) -> HttpRequest:
    return HttpRequest(f"{SITE}/wiki/rest/api{path}?{urlencode(params)}")


def dc_request(path: str, **params: Any) -> HttpRequest:
    return dc_builders.request(path, list(params.items()))


def v1_list(results: list[dict[str, Any]], start: int = 0, limit: int = 250, next_link: str | None = None,
            base: str = f"{SITE}/wiki"):
    links = {"base": base, "context": "/wiki"}
    if next_link:
        links["next"] = next_link
    return json_response({"results": results, "start": start, "limit": limit, "size": len(results), "_links": links})


def cloud_group(group_id: str, name: str) -> dict[str, Any]:
    return {"type": "group", "name": name, "id": group_id, "_links": {"self": f"{SITE}/wiki/rest/api/group/by-id"}}


def cloud_user(account_id: str, name: str, account_type: str = "atlassian") -> dict[str, Any]:
    return {"type": "known", "accountId": account_id, "accountType": account_type, "email": "",
            "publicName": name, "displayName": name}


def dc_user(key: str, username: str, name: str) -> dict[str, Any]:
    return {"type": "known", "username": username, "userKey": key, "displayName": name}


def audit_event(at_ms: int, summary: str, account_id: str | None = "acc-1", **author: Any) -> dict[str, Any]:
    return {
        "author": {"type": "user", "displayName": "Ann Admin", "operations": None,
                   **({"accountId": account_id} if account_id else {}), **author},
        "remoteAddress": "10.1.2.3", "creationDate": at_ms, "summary": summary, "description": "",
        "category": "Permissions", "sysAdmin": False, "superAdmin": False,
        "affectedObject": {"name": "ENG", "objectType": "Space"},
        "changedValues": [{"name": "Permission", "oldValue": "", "newValue": "VIEWSPACE"}],
        "associatedObjects": [{"name": "confluence-users", "objectType": "Group"}],
    }


DC_SPACE = {"id": 7, "key": "ENG", "name": "Engineering", "type": "global", "status": "current",
            "_links": {"webui": "/display/ENG"}}


def with_spaces(http: Any, limit: int = 250) -> None:
    """Every read lists the selected spaces first (unknown space keys fail before any stream runs)."""
    http.get(spaces_request(limit=limit), list_response([space("100", "ENG")]))


def with_dc_spaces(http: Any, limit: int = 250) -> None:
    http.get(dc_request("/space", expand="description.plain,homepage,metadata.labels", limit=limit),
             json_response({"results": [DC_SPACE], "start": 0, "limit": limit, "size": 1,
                            "_links": {"base": dc_builders.BASE}}))


def without_nulls(record: dict[str, Any]) -> dict[str, Any]:
    """Record messages leave null fields out (see the docs page)."""
    return {key: value for key, value in record.items() if value is not None}
