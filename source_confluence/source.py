"""The Airbyte source: spec, check, discover and read.

`read` builds one CDK `DefaultStream` per selected stream and hands them to the CDK's
`ConcurrentSource`, which reads partitions (one per space and stream) on `num_workers` threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from queue import Queue
from typing import Any

from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    FailureType,
    Level,
    Status,
    SyncMode,
)
from airbyte_cdk.sources import Source
from airbyte_cdk.sources.concurrent_source.concurrent_source import ConcurrentSource
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import InMemoryMessageRepository
from airbyte_cdk.sources.message.concurrent_repository import ConcurrentMessageRepository
from airbyte_cdk.sources.streams.concurrent.abstract_stream import AbstractStream
from airbyte_cdk.sources.streams.concurrent.cursor import Cursor, CursorField, FinalStateCursor
from airbyte_cdk.sources.streams.concurrent.default_stream import DefaultStream
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.utils.slice_logger import DebugSliceLogger
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.auth import build_authenticator
from source_confluence.cloud_client import CloudClient
from source_confluence.config import ConfigError, ConnectorConfig, parse_config
from source_confluence.directories import ContainerDirectory, UserDirectory
from source_confluence.state import PartitionedCursor
from source_confluence.streams.attachments import attachment_partitions
from source_confluence.streams.base import ListPartitionGenerator, ReadContext, SpaceDirectory, load_schema
from source_confluence.streams.comments import comment_partitions
from source_confluence.streams.content import BLOG_POSTS, PAGES, content_partitions
from source_confluence.streams.labels import label_partitions
from source_confluence.streams.spaces import SpacesPartition
from source_confluence.streams.tasks import task_partitions
from source_confluence.streams.users import user_partitions
from source_confluence.timestamps import format_timestamp
from source_confluence.transport import ConfluenceHttpError, Transport

QUEUE_SIZE = 10_000


@dataclass(frozen=True)
class StreamDefinition:
    name: str
    primary_key: tuple[str, ...]
    cursor_field: str | None
    partitions: Callable[[ReadContext, Cursor, bool], Iterator[Partition]]
    runs_last: bool = False
    """Streams that need the others' records first (users) read in a second phase."""


STREAMS: tuple[StreamDefinition, ...] = (
    StreamDefinition("spaces", ("id",), None, lambda ctx, cur, use: iter([SpacesPartition(ctx)])),
    StreamDefinition("pages", ("id",), "updated_at", lambda ctx, cur, use: content_partitions(PAGES, ctx, cur, use)),
    StreamDefinition("blog_posts", ("id",), "updated_at",
                     lambda ctx, cur, use: content_partitions(BLOG_POSTS, ctx, cur, use)),
    StreamDefinition("comments", ("id",), "updated_at", comment_partitions),
    StreamDefinition("tasks", ("id",), "updated_at", task_partitions),
    StreamDefinition("content_labels", ("id",), None, lambda ctx, cur, use: label_partitions(ctx)),
    StreamDefinition("attachments", ("id",), "updated_at", attachment_partitions),
    StreamDefinition("users", ("account_id",), "resolved_at",
                     lambda ctx, cur, use: user_partitions(ctx, cur, ctx.gather_users), runs_last=True),
)
STREAMS_BY_NAME = {definition.name: definition for definition in STREAMS}
CONTENT_STREAMS = frozenset({"pages", "blog_posts", "comments", "tasks", "attachments"})


def build_context(config: ConnectorConfig, logger: logging.Logger, fail_fast: bool = False) -> ReadContext:
    transport = Transport(
        site_url=config.site_url,
        authenticator=build_authenticator(config.credentials),
        logger=logger,
        fail_fast=fail_fast,
        pool_size=max(config.num_workers * 2, 4),
    )
    client = CloudClient(transport, config.page_size)
    return ReadContext(
        config=config,
        client=client,
        directory=SpaceDirectory(client, config.space_keys),
        containers=ContainerDirectory(client),
        users=UserDirectory(client),
        now=format_timestamp(datetime.now(UTC)),
    )


class SourceConfluence(Source):
    # -- check -------------------------------------------------------------------------------
    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        try:
            parsed = parse_config(config)
            context = build_context(parsed, logger, fail_fast=True)
            user = context.client.current_user()
            if user.get("type") == "anonymous" or not (user.get("accountId") or user.get("userKey")):
                return _failed(
                    "Confluence treated the connector as an anonymous visitor, so the credentials were not "
                    "accepted. Check credentials.email and credentials.api_token."
                )
            context.directory.spaces()
        except ConfigError as error:
            return _failed(error.message or str(error))
        except ConfluenceHttpError as error:
            return _failed(_check_http_message(error, config))
        except AirbyteTracedException as error:
            return _failed(error.message or "The connection check failed.")
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    # -- discover ----------------------------------------------------------------------------
    def streams(self, config: Mapping[str, Any]) -> list[AbstractStream]:
        parsed = parse_config(config)
        logger = logging.getLogger("airbyte")
        context = build_context(parsed, logger)
        repository = InMemoryMessageRepository()
        return [
            self._stream(definition, context, FinalStateCursor(definition.name, None, repository), False)
            for definition in STREAMS
        ]

    def discover(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteCatalog:
        return AirbyteCatalog(streams=[stream.as_airbyte_stream() for stream in self.streams(config)])

    # -- read --------------------------------------------------------------------------------
    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: list[AirbyteStateMessage] | None = None,
    ) -> Iterator[AirbyteMessage]:
        parsed = parse_config(config)
        selected = _validate_catalog(catalog)
        context = build_context(parsed, logger)
        try:
            context.directory.spaces()  # lists spaces once, and rejects unknown space keys before any thread starts
        except ConfluenceHttpError as error:
            raise AirbyteTracedException(
                message=_check_http_message(error, config),
                internal_message=str(error),
                failure_type=FailureType.config_error if error.status in (401, 403) else FailureType.system_error,
            ) from None

        context.gather_users = not any(definition.name in CONTENT_STREAMS for definition, _ in selected)
        state_manager = ConnectorStateManager(state=state)
        for phase in (False, True):
            batch = [(definition, mode) for definition, mode in selected if definition.runs_last == phase]
            if batch:
                yield from self._read_phase(batch, context, state_manager, logger)

    def _read_phase(
        self, selected: list[tuple[StreamDefinition, SyncMode]], context: ReadContext,
        state_manager: ConnectorStateManager, logger: logging.Logger,
    ) -> Iterator[AirbyteMessage]:
        queue: Queue[Any] = Queue(maxsize=QUEUE_SIZE)
        repository = ConcurrentMessageRepository(queue, InMemoryMessageRepository(Level.INFO))
        streams: list[AbstractStream] = []
        for definition, sync_mode in selected:
            incremental = sync_mode == SyncMode.incremental
            if definition.cursor_field:
                cursor: Cursor = PartitionedCursor(
                    definition.name,
                    state_manager.get_stream_state(definition.name, None) if incremental else {},
                    repository,
                    state_manager,
                )
            else:
                cursor = FinalStateCursor(definition.name, None, repository)
            streams.append(self._stream(definition, context, cursor, incremental))

        workers = context.config.num_workers
        source = ConcurrentSource.create(
            num_workers=workers,
            initial_number_of_partitions_to_generate=1 if workers == 1 else min(2, workers - 1),
            logger=logger,
            slice_logger=DebugSliceLogger(),
            message_repository=repository,
            queue=queue,
        )
        yield from source.read(streams)

    @staticmethod
    def _stream(definition: StreamDefinition, context: ReadContext, cursor: Cursor, use_state: bool) -> DefaultStream:
        return DefaultStream(
            partition_generator=ListPartitionGenerator(lambda: definition.partitions(context, cursor, use_state)),
            name=definition.name,
            json_schema=dict(load_schema(definition.name)),
            primary_key=list(definition.primary_key),
            cursor_field=CursorField(definition.cursor_field) if definition.cursor_field else None,
            logger=logging.getLogger(f"airbyte.{definition.name}"),
            cursor=cursor,
        )


def _validate_catalog(catalog: ConfiguredAirbyteCatalog) -> list[tuple[StreamDefinition, SyncMode]]:
    selected = []
    unknown = []
    for configured in catalog.streams:
        definition = STREAMS_BY_NAME.get(configured.stream.name)
        if definition is None:
            unknown.append(configured.stream.name)
            continue
        if configured.sync_mode == SyncMode.incremental and not definition.cursor_field:
            raise ConfigError(
                "catalog",
                f"stream '{definition.name}' does not support incremental sync.",
                "Choose full refresh for it in the connection settings.",
            )
        if configured.sync_mode not in (SyncMode.incremental, SyncMode.full_refresh):
            raise ConfigError("catalog", f"stream '{definition.name}' asks for an unknown sync mode.",
                              "Use full_refresh or incremental.")
        selected.append((definition, configured.sync_mode))
    if unknown:
        raise ConfigError(
            "catalog",
            f"unknown stream(s) {', '.join(sorted(unknown))}.",
            f"Refresh the source schema; this connector offers: {', '.join(STREAMS_BY_NAME)}.",
        )
    return selected


def _failed(message: str) -> AirbyteConnectionStatus:
    return AirbyteConnectionStatus(status=Status.FAILED, message=message)


def _check_http_message(error: ConfluenceHttpError, config: Mapping[str, Any]) -> str:
    site = config.get("site_url", "the site") if isinstance(config, Mapping) else "the site"
    if error.status == 401:
        return (
            "Confluence rejected the credentials (HTTP 401). Check credentials.email and "
            "credentials.api_token: the token must belong to that email's Atlassian account and must not "
            "be revoked."
        )
    if error.status == 403:
        return (
            "The credentials were accepted but the account may not use the Confluence REST API on this site "
            "(HTTP 403). Ask a site admin to grant the account Confluence access, or check IP allowlists."
        )
    if error.status == 404:
        return (
            f"No Confluence REST API was found at {site} (HTTP 404). Check site_url: it should be the site "
            "root, e.g. https://your-domain.atlassian.net."
        )
    return f"Confluence answered HTTP {error.status} ({error.detail}) to the connection check."
