"""The Airbyte source: spec, check, discover and read.

`read` builds one CDK `DefaultStream` per selected stream and hands them to the CDK's
`ConcurrentSource`, which reads partitions (one per space and stream) on `num_workers` threads.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from queue import Queue
from typing import Any

from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    AirbyteStateType,
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
from airbyte_cdk.sources.utils.slice_logger import DebugSliceLogger
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from requests.auth import AuthBase

from source_confluence.api.cloud.client import CloudClient
from source_confluence.api.cloud.gateway import GatewayTransport, cloud_id_from_resources, cloud_id_from_tenant_info
from source_confluence.api.datacenter.client import DataCenterClient
from source_confluence.api.protocol import ConfluenceApi
from source_confluence.check_messages import anonymous_message, check_http_message, failed
from source_confluence.config import (
    ConfigError,
    ConnectorConfig,
    PlatformConfig,
    document_of,
    typed_config,
)
from source_confluence.http.auth import ATLASSIAN, AtlassianEndpoints, NoAuth, build_authenticator, is_mutable_config
from source_confluence.http.points import PointsLedger
from source_confluence.http.tls import trust_store
from source_confluence.http.transport import ConfluenceHttpError, Transport
from source_confluence.records.body_pool import BODY_STREAMS, close_shared_pool, start_shared_pool
from source_confluence.streams.base import ListPartitionGenerator, load_schema
from source_confluence.streams.decision_pending import PendingDecisions
from source_confluence.streams.folders import PendingFolders
from source_confluence.streams.registry import CONTENT_STREAMS, STREAMS, STREAMS_BY_NAME, StreamDefinition
from source_confluence.streams.users import PendingUsers
from source_confluence.sync.context import ReadContext, SpaceDirectory
from source_confluence.sync.directories import ContainerDirectory, UserDirectory
from source_confluence.sync.paced_state import PacedCursor
from source_confluence.sync.references import ReferenceCollector
from source_confluence.sync.state import PartitionedCursor
from source_confluence.timestamps import format_timestamp

QUEUE_SIZE = 10_000
LOGGER = logging.getLogger("airbyte")


def build_context(config: ConnectorConfig, logger: logging.Logger, fail_fast: bool = False,
                  raw_config: MutableMapping[str, Any] | None = None,
                  endpoints: AtlassianEndpoints = ATLASSIAN, gather_users: bool = False) -> ReadContext:
    """The API client for the configured deployment and authentication method, and the per-sync lookups.

    `raw_config` is the platform's config: OAuth writes the rotated refresh token back into it.
    `gather_users`: `users` runs without content streams and must find the accounts itself.
    """
    credentials = config.credentials
    authenticator = build_authenticator(credentials, raw_config, endpoints)
    pool_size = max(config.num_workers * 2, 4)
    ledger = PointsLedger()

    def transport(site_url: str, auth: AuthBase = authenticator, verify: bool | str = True) -> Transport:
        return Transport(site_url=site_url, authenticator=auth, logger=logger, fail_fast=fail_fast,
                         pool_size=pool_size, verify=verify, allow_plain_http=config.allow_plain_http,
                         max_rate_limit_wait_seconds=config.max_rate_limit_wait_minutes * 60.0,
                         ledger=ledger, max_points_per_hour=config.max_points_per_hour,
                         media_origins=endpoints.media_origins if credentials.is_cloud else ())

    client: ConfluenceApi
    if not credentials.is_cloud:
        client = DataCenterClient(transport(config.site_url, verify=trust_store(credentials.ca_certificate)),
                                  config.page_size, config.site_url, credentials.server_time_zone,
                                  timedelta(minutes=config.search_index_lag_minutes))
    elif credentials.uses_gateway:
        def cloud_id() -> str:
            if credentials.auth_type == "oauth2.0":
                resources, _ = transport(endpoints.api_url).get(endpoints.accessible_resources_path)
                return cloud_id_from_resources(resources, config.site_url)
            tenant, _ = transport(config.site_url, auth=NoAuth()).get("/_edge/tenant_info")
            return cloud_id_from_tenant_info(tenant, config.site_url)

        gateway = GatewayTransport(config.site_url, cloud_id, endpoints.gateway, transport)
        client = CloudClient(gateway, config.page_size, web_base=config.site_url)
    else:
        client = CloudClient(transport(config.site_url), config.page_size)
    containers = ContainerDirectory(client)
    return ReadContext(
        config=config,
        client=client,
        directory=SpaceDirectory(client, config.space_keys),
        containers=containers,
        users=UserDirectory(client),
        references=ReferenceCollector(containers),
        now=format_timestamp(datetime.now(UTC)),
        gather_users=gather_users,
        points=ledger,
    )


def platform_config(config: Mapping[str, Any]) -> MutableMapping[str, Any]:
    """The platform's document when it can be written to (OAuth refresh-token rotation), else a copy."""
    document = document_of(config)
    if is_mutable_config(document):
        return document  # type: ignore[return-value]
    return copy.deepcopy(dict(document))


class SourceConfluence(Source):
    def __init__(self, endpoints: AtlassianEndpoints = ATLASSIAN) -> None:
        """`endpoints`: where OAuth tokens and cloud ids come from; tests point them at the local double."""
        super().__init__()
        self._endpoints = endpoints

    def configure(self, config: Mapping[str, Any], temp_dir: str) -> Mapping[str, Any]:
        """What the CDK hands check, discover and read: the document with its typed reading, which
        the entrypoint's validation parses and the command then uses (one parse per command)."""
        document = super().configure(config, temp_dir)
        return PlatformConfig(document) if isinstance(document, MutableMapping) else document

    def _context(self, config: Mapping[str, Any], logger: logging.Logger,
                 fail_fast: bool = False) -> tuple[ConnectorConfig, ReadContext]:
        parsed = typed_config(config)
        return parsed, build_context(parsed, logger, fail_fast, platform_config(config), self._endpoints)

    # -- check -------------------------------------------------------------------------------
    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        parsed: ConnectorConfig | None = None
        try:
            parsed, context = self._context(config, logger, fail_fast=True)
            user = context.client.current_user()
            if user.get("type") == "anonymous" or not (user.get("accountId") or user.get("userKey")):
                return failed(anonymous_message(parsed.credentials))
            context.directory.spaces()
        except ConfigError as error:
            return failed(error.message or str(error))
        except ConfluenceHttpError as error:
            return failed(check_http_message(error, config, parsed))
        except AirbyteTracedException as error:
            return failed(error.message or "The connection check failed.")
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    # -- discover ----------------------------------------------------------------------------
    def streams(self, config: Mapping[str, Any]) -> list[AbstractStream]:
        _, context = self._context(config, logging.getLogger("airbyte"))
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
        parsed = typed_config(config)
        selected = _validate_catalog(catalog)
        context = build_context(parsed, logger, raw_config=platform_config(config), endpoints=self._endpoints,
                                gather_users=not any(definition.name in CONTENT_STREAMS for definition, _ in selected))
        try:
            context.directory.spaces()  # lists spaces once, and rejects unknown space keys before any thread starts
        except ConfluenceHttpError as error:
            raise AirbyteTracedException(
                message=check_http_message(error, config, parsed),
                internal_message=str(error),
                failure_type=FailureType.config_error if error.status in (401, 403) else FailureType.system_error,
            ) from None

        state_manager = ConnectorStateManager(state=per_stream_states(state))
        users_incremental = any(d.name == "users" and mode == SyncMode.incremental for d, mode in selected)
        folders_incremental = any(d.name == "folders" and mode == SyncMode.incremental for d, mode in selected)
        # The content walks parse decisions from their bodies only when `decisions` reads them.
        context.decision_bodies.enabled = any(d.name == "decisions" for d, _ in selected)
        # What the walks' records showed is kept for the sync's later streams only when they read it.
        context.changed.enabled = any(d.name == "content_labels" for d, _ in selected)
        context.emitted.keeps_changed = any(d.name == "content_restrictions" for d, _ in selected)
        decisions_incremental = any(d.name == "decisions" and mode == SyncMode.incremental for d, mode in selected)
        try:
            # A first or full sync of bodies forks the body workers, while the read has one thread; an
            # incremental one reads few pages, not worth the fork (records/body_pool.py).
            if context.config.include_bodies and any(
                    d.name in BODY_STREAMS and (mode == SyncMode.full_refresh or not state_manager.get_stream_state(
                        d.name, None)) for d, mode in selected):
                start_shared_pool()
            for phase in (False, True):
                batch = [(definition, mode) for definition, mode in selected if definition.runs_last == phase]
                if batch:
                    yield from self._read_phase(batch, context, state_manager, logger,
                                                save_users=users_incremental and not phase,
                                                save_folders=folders_incremental and not phase,
                                                save_decisions=decisions_incremental and not phase)
        finally:  # a failed sync's cost is reported too
            context.points.log(logger)
            context.close()
            close_shared_pool()  # the body pool's workers do not outlive the read

    def _read_phase(
        self, selected: list[tuple[StreamDefinition, SyncMode]], context: ReadContext,
        state_manager: ConnectorStateManager, logger: logging.Logger, save_users: bool = False,
        save_folders: bool = False, save_decisions: bool = False,
    ) -> Iterator[AirbyteMessage]:
        queue: Queue[Any] = Queue(maxsize=QUEUE_SIZE)
        repository = ConcurrentMessageRepository(queue, InMemoryMessageRepository(Level.INFO))
        streams: list[AbstractStream] = []
        # The users state keeps the accounts of the records delivered so far, ahead of them (see
        # sync.references): the users stream watches the collector; content streams know nothing of it.
        watching: AbstractContextManager[None] = nullcontext()
        if save_users:
            users_cursor = PartitionedCursor("users", state_manager.get_stream_state("users", None), repository,
                                             state_manager)
            watching = context.references.watched_by(PendingUsers(context.references, users_cursor).save)
        # Likewise the folders state keeps the folders the delivered pages sit in (streams.folders).
        folders_watch: AbstractContextManager[None] = nullcontext()
        if save_folders:
            folders_cursor = PartitionedCursor("folders", state_manager.get_stream_state("folders", None), repository,
                                               state_manager)
            folders_watch = context.emitted.watched_by(PendingFolders(context, folders_cursor).save)
        # And the decisions state the containers the walks delivered (streams.decision_pending).
        decisions_watch: AbstractContextManager[None] = nullcontext()
        if save_decisions:
            decisions_cursor = PartitionedCursor("decisions", state_manager.get_stream_state("decisions", None),
                                                 repository, state_manager)
            decisions_watch = context.decision_bodies.watched_by(PendingDecisions(decisions_cursor))
        for definition, sync_mode in selected:
            incremental = sync_mode == SyncMode.incremental
            if definition.cursor_field:
                saved = state_manager.get_stream_state(definition.name, None) if incremental else {}
                cursor: Cursor = (
                    PacedCursor(definition.name, saved, repository, state_manager, interval_s=definition.state_pace_s)
                    if definition.state_pace_s else PartitionedCursor(definition.name, saved, repository, state_manager))
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
        with watching, folders_watch, decisions_watch:
            yield from source.read(streams)

    @staticmethod
    def _stream(definition: StreamDefinition, context: ReadContext, cursor: Cursor, use_state: bool) -> DefaultStream:
        return DefaultStream(
            partition_generator=ListPartitionGenerator(lambda: definition.read(context, cursor, use_state),
                                                       definition.name),
            name=definition.name,
            json_schema=dict(load_schema(definition.name)),
            primary_key=list(definition.primary_key),
            cursor_field=CursorField(definition.cursor_field) if definition.cursor_field else None,
            logger=logging.getLogger(f"airbyte.{definition.name}"),
            cursor=cursor,
        )


def per_stream_states(state: list[AirbyteStateMessage] | None) -> list[AirbyteStateMessage]:
    """The per-stream states this connector writes. A GLOBAL state (another connector's shape) is not
    one: its per-stream parts are kept, each checked by its stream like any state, and its shared part
    is dropped with a warning; a legacy state blob is dropped likewise. Never a crash."""
    kept: list[AirbyteStateMessage] = []
    for message in state or []:
        if message.type == AirbyteStateType.STREAM and message.stream is not None:
            kept.append(message)
        elif message.type == AirbyteStateType.GLOBAL and message.global_ is not None:
            LOGGER.warning("Ignoring the shared part of a GLOBAL saved state: this connector saves one state per "
                           "stream (the state may come from another connector). Streams without a state of their "
                           "own read from the start this time.")
            kept += [AirbyteStateMessage(type=AirbyteStateType.STREAM, stream=stream)
                     for stream in message.global_.stream_states or []]
        else:
            LOGGER.warning(f"Ignoring a saved state of type {message.type}: this connector saves one state per "
                           "stream. Streams without a state of their own read from the start this time.")
    return kept


def _validate_catalog(catalog: ConfiguredAirbyteCatalog) -> list[tuple[StreamDefinition, SyncMode]]:
    selected = []
    unknown = []
    for configured in catalog.streams:
        definition = STREAMS_BY_NAME.get(configured.stream.name)
        if definition is None:
            unknown.append(configured.stream.name)
            continue
        if configured.sync_mode not in (SyncMode.incremental, SyncMode.full_refresh):
            raise ConfigError("catalog", f"stream '{definition.name}' asks for an unknown sync mode.",
                              "Use full_refresh or incremental.")
        mode = configured.sync_mode
        if mode == SyncMode.incremental and not definition.cursor_field:
            # PyAirbyte asks every stream for incremental; a stream without a cursor can only
            # send its full snapshot, which is what it does in either mode.
            LOGGER.info(f"Stream '{definition.name}' has no cursor: reading it in full refresh.")
            mode = SyncMode.full_refresh
        selected.append((definition, mode))
    if unknown:
        raise ConfigError(
            "catalog",
            f"unknown stream(s) {', '.join(sorted(unknown))}.",
            f"Refresh the source schema; this connector offers: {', '.join(STREAMS_BY_NAME)}.",
        )
    if not selected:
        LOGGER.warning("The catalog selects no stream, so this sync reads nothing. Select streams in the "
                       "connection's schema settings.")
    return selected
