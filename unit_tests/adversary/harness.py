"""Runs the connector's real partitions (walks, clients, records, state) against a fake server.

Only HTTP is replaced: the clients talk to a fake transport whose answers come from the adversary.
Partitions run one after another in the order `read` builds them; every record and every state
message goes into one log, in the order the platform would receive them. A sync can be killed after
any message: the platform then keeps the records up to the last state message and that state.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import patch

from airbyte_cdk.models import AirbyteMessage, FailureType, Type
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import MessageRepository
from airbyte_cdk.test.state_builder import StateBuilder
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.api.cloud.client import CloudClient
from source_confluence.api.datacenter.client import DataCenterClient
from source_confluence.config import parse_config
from source_confluence.streams import walk_ends
from source_confluence.streams.decision_pending import PendingDecisions
from source_confluence.streams.registry import STREAMS_BY_NAME
from source_confluence.sync.context import ReadContext, SpaceDirectory
from source_confluence.sync.directories import ContainerDirectory, UserDirectory
from source_confluence.sync.references import ReferenceCollector
from source_confluence.sync.state import PartitionedCursor
from unit_tests.adversary.wire import FakeTransport, iso_utc

CLOUD_SITE = "https://adversary.atlassian.net"
DATACENTER_SITE = "https://wiki.adversary.test/confluence"
STREAMS = ("pages", "blog_posts", "comments", "attachments", "tasks", "decisions")


class LogRepository(MessageRepository):
    """Where partitions' state messages go: the shared log, right after the records they cover."""

    def __init__(self, log: list[tuple[str, str, Any]], on_state: Callable[[str, Any, list[Any]], None]) -> None:
        self._log = log
        self._on_state = on_state

    def emit_message(self, message: AirbyteMessage) -> None:
        if message.type == Type.STATE:
            stream = message.state.stream
            state = copy.deepcopy(stream.stream_state.__dict__)
            self._log.append(("state", stream.stream_descriptor.name, state))
            self._on_state(stream.stream_descriptor.name, state, self._log)

    def log_message(self, level: Any, message_provider: Callable[[], Any]) -> None:
        return None

    def consume_queue(self) -> Iterator[AirbyteMessage]:
        return iter(())


class Killed(Exception):
    """The platform stopped the sync here."""


@dataclass
class SyncResult:
    log: list[tuple[str, str, Any]]
    """("record", stream, data) and ("state", stream, state) in emission order, up to the kill if any."""
    killed: bool
    started_at: str

    def committed(self) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
        """What the platform keeps: the records up to the last state message, and the states."""
        last = max((n for n, entry in enumerate(self.log) if entry[0] == "state"), default=-1)
        kept = self.log[:last + 1] if self.killed else self.log
        records = [(stream, data) for kind, stream, data in kept if kind == "record"]
        states = {stream: data for kind, stream, data in kept if kind == "state"}
        return records, states


@dataclass
class Connector:
    """One connection: its config, and the state the platform holds between syncs."""

    flavour: str
    answer: Callable[..., Any]
    page_size: int
    extra_config: dict[str, Any] = field(default_factory=dict)
    states: dict[str, Any] = field(default_factory=dict)

    def config(self) -> dict[str, Any]:
        if self.flavour == "cloud":
            # A scoped token is metered in points: its walks probe first and read small pages (streams/probe.py).
            auth_type = self.extra_config.get("auth_type", "api_token")
            base = {"site_url": CLOUD_SITE, "credentials": {"auth_type": auth_type, "email": "a@example.com",
                                                            "api_token": "adversary-token"}}
        else:
            credentials = {"auth_type": "personal_access_token", "personal_access_token": "adversary-token"}
            if self.extra_config.get("zone", True):
                credentials["server_time_zone"] = "Europe/Berlin"
            base = {"site_url": DATACENTER_SITE, "credentials": credentials}
        options = {k: v for k, v in self.extra_config.items() if k not in ("zone", "auth_type")}
        return {**base, "page_size": self.page_size, "num_workers": 1, "include_archived": True,
                "deletion_check_interval_hours": 0, **options}

    def sync(self, now_ms: int, before_request: Callable[[], None], on_state: Callable[[str, Any, list[Any]], None],
             kill_after: int | None = None, streams: tuple[str, ...] = STREAMS) -> SyncResult:
        config = parse_config(self.config())
        transport = FakeTransport(config.site_url, self.answer, before_request)
        client: Any
        if self.flavour == "cloud":
            client = CloudClient(transport, config.page_size)
        else:
            client = DataCenterClient(transport, config.page_size, config.site_url,
                                      config.credentials.server_time_zone)
        started_at = iso_utc(now_ms)
        containers = ContainerDirectory(client)
        context = ReadContext(config=config, client=client, directory=SpaceDirectory(client, ()),
                              containers=containers, users=UserDirectory(client),
                              references=ReferenceCollector(containers), now=started_at)
        log: list[tuple[str, str, Any]] = []
        builder = StateBuilder()
        for stream, state in self.states.items():
            builder = builder.with_stream_state(stream, state)
        manager = ConnectorStateManager(state=builder.build())
        repository = LogRepository(log, on_state)
        killed = False
        # As `source.read` runs them: the streams that follow the others (decisions) in a second
        # phase, and in the first the decisions state watching the content walks it rides.
        context.decision_bodies.enabled = "decisions" in streams
        phases = ([n for n in streams if not STREAMS_BY_NAME[n].runs_last],
                  [n for n in streams if STREAMS_BY_NAME[n].runs_last])
        watching: AbstractContextManager[None] = nullcontext()
        if context.decision_bodies.enabled:
            watching = context.decision_bodies.watched_by(PendingDecisions(PartitionedCursor(
                "decisions", manager.get_stream_state("decisions", None), repository, manager)))
        # The newest-first half of a two-ended walk runs in the caller's thread, when the walk starts its
        # page: the adversary draws the site's changes between requests from this thread, in order.
        inline = patch.object(walk_ends, "AHEAD", walk_ends.InlineAhead)
        try:
            with watching, inline:
                self._read(phases[0], context, manager, repository, log, kill_after)
            self._read(phases[1], context, manager, repository, log, kill_after)
        except Killed:
            killed = True
        except AirbyteTracedException as error:
            # A sync may fail (e.g. links kept expiring); the platform keeps what was checkpointed.
            if error.failure_type != FailureType.transient_error:
                raise
            killed = True
        result = SyncResult(log, killed, started_at)
        _, states = result.committed()
        self.states.update(states)
        return result

    @staticmethod
    def _read(streams: list[str], context: ReadContext, manager: ConnectorStateManager, repository: LogRepository,
              log: list[tuple[str, str, Any]], kill_after: int | None) -> None:
        for name in streams:
            cursor = PartitionedCursor(name, manager.get_stream_state(name, None), repository, manager)
            for partition in STREAMS_BY_NAME[name].partitions(context, cursor, True):
                for record in partition.read():
                    log.append(("record", name, dict(record.data)))
                    if kill_after is not None and len(log) >= kill_after:
                        raise Killed
                if kill_after is not None and len(log) >= kill_after:
                    raise Killed

