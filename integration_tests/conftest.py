"""Fixtures for tests that run the connector against the Confluence double over real HTTP."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pytest
import requests
from airbyte_cdk.models import AirbyteStateMessage, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read

from confluence_double import ConfluenceDouble, SiteSpec
from source_confluence import SourceConfluence

ALL_STREAMS = ("spaces", "pages", "blog_posts", "comments", "tasks", "content_labels", "attachments", "users",
               "content_versions", "content_restrictions", "folders",
               "groups", "group_members", "audit_records", "space_permissions", "decisions")
FULL_REFRESH_ONLY = {"spaces", "groups"}
SMALL_SITE = SiteSpec(spaces=3, pages=1000, blog_posts=100, footer_comments=600, inline_comments=200,
                      tasks=300, attachments=200, labels=40, users=25, seed=7, body_bytes=1500)


def catalog(streams: Iterable[str] = ALL_STREAMS, full_refresh: bool = False):
    builder = CatalogBuilder()
    for name in streams:
        mode = SyncMode.full_refresh if full_refresh or name in FULL_REFRESH_ONLY else SyncMode.incremental
        builder = builder.with_stream(name, mode)
    return builder.build()


def sync(double: ConfluenceDouble, streams: Iterable[str] = ALL_STREAMS, state: list[AirbyteStateMessage] | None = None,
         expect_failure: bool = False, **config: Any) -> EntrypointOutput:
    return read(SourceConfluence(), {**double.config(), **config}, catalog(streams), state,
                expecting_exception=expect_failure)


def records_by_stream(output: EntrypointOutput) -> dict[str, dict[str, Mapping[str, Any]]]:
    """stream -> primary key -> last record emitted for it."""
    out: dict[str, dict[str, Mapping[str, Any]]] = defaultdict(dict)
    for message in output.records:
        data = message.record.data
        out[message.record.stream][data.get("id") or data.get("account_id")] = data
    return out


def final_state(output: EntrypointOutput) -> list[AirbyteStateMessage]:
    """The last state message of every stream, as the platform would hand them back."""
    latest: dict[str, AirbyteStateMessage] = {}
    for message in output.state_messages:
        latest[message.state.stream.stream_descriptor.name] = message.state
    return list(latest.values())


def requests_by_path(double: ConfluenceDouble) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for request in double.requests:
        counts[request.path] += 1
    return dict(counts)


@pytest.fixture
def double() -> Iterator[ConfluenceDouble]:
    with ConfluenceDouble(SMALL_SITE) as server:
        yield server


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[requests.PreparedRequest]:
    """Every request that leaves `requests` during the test, as sent (for contract checks)."""
    sent: list[requests.PreparedRequest] = []
    original = requests.Session.send

    def record(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        sent.append(request.copy())
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", record)
    return sent


@pytest.fixture
def tiny_double() -> Iterator[ConfluenceDouble]:
    spec = SiteSpec(spaces=2, pages=120, blog_posts=20, footer_comments=60, inline_comments=20, tasks=40,
                    attachments=20, labels=10, users=8, seed=11, body_bytes=800)
    with ConfluenceDouble(spec) as server:
        yield server


# The end-to-end marts run (session-scoped), shared by the modules comparing marts with their truth.
from integration_tests.marts_pipeline import pipeline  # noqa: E402, F401
