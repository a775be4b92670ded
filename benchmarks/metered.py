"""The benchmark's metered mode: the connector syncing as an OAuth 2.0 app (or with a scoped API
token), through Atlassian's gateway, the traffic Atlassian charges in points.

Points exist only for metered traffic, and the connector reads differently there (a newest-first
walk probes with a small page first: streams/probe.py), so the points an OAuth app pays are
measured with OAuth, not derived from an API-token run. The double serves Atlassian's OAuth token
endpoint and gateway (confluence_double/oauth.py) on its own port; the connector finds them only
through `SourceConfluence(endpoints=...)`, never through config, so metered runs start the connector
through this module: ``python -m benchmarks.metered <double url> read --config ...``.

Atlassian rotates refresh tokens: every sync refreshes once and prints the config with the new
refresh token as a CONNECTOR_CONFIG control message, which the next sync must use (as the
platform stores it); `rotated_config` picks it from a run's output.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

API_TOKEN = "api_token"
OAUTH = "oauth2.0"
SCOPED = "scoped_api_token"
AUTH_MODES = (API_TOKEN, OAUTH, SCOPED)
CONTROL_PREFIX = b'{"type":"CONTROL"'


def credentials(info: dict[str, Any], auth: str) -> dict[str, Any]:
    """The config's `credentials` for `auth`, from the double service's start-up line."""
    if auth == API_TOKEN:
        return {"auth_type": API_TOKEN, "email": info["email"], "api_token": info["api_token"]}
    if auth == OAUTH:
        return {"auth_type": OAUTH, **info["oauth"]}
    if auth == SCOPED:
        return {"auth_type": SCOPED, "email": info["email"], "api_token": info["scoped_api_token"]}
    raise ValueError(f"unknown auth mode {auth!r}; one of {', '.join(AUTH_MODES)}")


def command(auth: str, connector: Path, info: dict[str, Any]) -> list[str]:
    """How to start the connector: the console script, or this module pointing at the double's gateway."""
    if auth == API_TOKEN:
        return [str(connector)]
    return [sys.executable, "-m", "benchmarks.metered", info["url"]]


def is_control_line(line: bytes) -> bool:
    return line.startswith(CONTROL_PREFIX)


def rotated_config(lines: Iterable[bytes]) -> dict[str, Any] | None:
    """The config of the last CONNECTOR_CONFIG control message (the rotated refresh token), if any."""
    config = None
    for line in lines:
        control = json.loads(line).get("control") or {}
        if control.get("type") == "CONNECTOR_CONFIG":
            config = (control.get("connectorConfig") or {}).get("config")
    return config


def main(argv: list[str]) -> None:
    from source_confluence.entrypoint import launch
    from source_confluence.http.auth import AtlassianEndpoints
    from source_confluence.run import keep_large_buffers_out_of_the_heap
    from source_confluence.source import SourceConfluence

    url, *args = argv
    keep_large_buffers_out_of_the_heap()
    launch(SourceConfluence(endpoints=AtlassianEndpoints(api_url=url, auth_url=url)), args)


if __name__ == "__main__":
    main(sys.argv[1:])
