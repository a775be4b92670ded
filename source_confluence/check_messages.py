"""What a failed connection check says: which field to fix, or what to ask a site admin, for the
ways Confluence refuses the connector (anonymous treatment, HTTP 401, 403, 404)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airbyte_cdk.models import AirbyteConnectionStatus, Status

from source_confluence.config import ConnectorConfig, Credentials
from source_confluence.http.transport import ConfluenceHttpError


def failed(message: str) -> AirbyteConnectionStatus:
    return AirbyteConnectionStatus(status=Status.FAILED, message=message)


def anonymous_message(credentials: Credentials) -> str:
    if credentials.auth_type == "personal_access_token":
        return (
            "Confluence treated the connector as an anonymous visitor: the personal access token was not "
            "accepted. A Data Center server that allows anonymous access ignores an invalid, expired or "
            "revoked token instead of refusing it. Check credentials.personal_access_token, or create a new "
            "one under your profile > Settings > Personal Access Tokens."
        )
    return (
        "Confluence treated the connector as an anonymous visitor, so the credentials were not accepted. "
        f"Check {credentials.secret_fields()}."
    )


def check_http_message(error: ConfluenceHttpError, config: Mapping[str, Any],
                        parsed: ConnectorConfig | None = None) -> str:
    site = config.get("site_url", "the site") if isinstance(config, Mapping) else "the site"
    datacenter = parsed is not None and not parsed.is_cloud
    if error.status == 401:
        fields = parsed.credentials.secret_fields() if parsed else "credentials.email and credentials.api_token"
        owner = ("must belong to that email's Atlassian account and must not be revoked"
                 if parsed is None or parsed.credentials.auth_type in ("api_token", "scoped_api_token")
                 else "must be current and not revoked")
        return f"Confluence rejected the credentials (HTTP 401). Check {fields}: the credentials {owner}."
    if error.status == 403:
        return (
            "The credentials were accepted but the account may not use the Confluence REST API on this site "
            "(HTTP 403). Ask a site admin to grant the account Confluence access, or check IP allowlists"
            + ("." if not parsed or not parsed.credentials.uses_gateway else
               ", and that the token or OAuth app has the read scopes listed in the documentation.")
        )
    if error.status == 404:
        root = ("the server's base URL including its context path, e.g. https://wiki.example.com/confluence"
                if datacenter else "the site root, e.g. https://your-domain.atlassian.net")
        return f"No Confluence REST API was found at {site} (HTTP 404). Check site_url: it should be {root}."
    return f"Confluence answered HTTP {error.status} ({error.detail}) to the connection check."
