"""Authenticators, one per authentication method in the spec, and the Atlassian endpoints they use.

They are the CDK's own `requests` authenticators, so the CDK's HTTP client re-applies them on retries
and the secret values are registered with the CDK's log filter by the entrypoint.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from airbyte_cdk.sources.streams.http.requests_native_auth import (
    BasicHttpAuthenticator,
    SingleUseRefreshTokenOauth2Authenticator,
    TokenAuthenticator,
)
from requests import PreparedRequest
from requests.auth import AuthBase

from source_confluence.config import Credentials

# Atlassian's answers to a refresh token that is unknown, revoked or already used (rotation).
REFRESH_TOKEN_ERROR_STATUSES = (400, 401, 403)
REFRESH_TOKEN_ERRORS = ("invalid_grant", "unauthorized_client", "access_denied")
OAUTH_ERROR_FIELD = "error"  # RFC 6749 section 5.2
OAUTH_SCOPES = (
    "read:confluence-user", "read:space:confluence", "read:page:confluence", "read:comment:confluence",
    "read:task:confluence", "read:label:confluence", "read:attachment:confluence", "read:user:confluence",
    "read:content-details:confluence", "read:folder:confluence", "offline_access",
)


@dataclass(frozen=True)
class AtlassianEndpoints:
    """Where Cloud OAuth 2.0 and scoped tokens talk to Atlassian.

    Production uses the defaults. Tests pass loopback URLs through `SourceConfluence(endpoints=...)`
    (never through config), so a config can never send credentials to another host.
    """

    api_url: str = "https://api.atlassian.com"
    auth_url: str = "https://auth.atlassian.com"

    @property
    def token_url(self) -> str:
        return f"{self.auth_url}/oauth/token"

    @property
    def accessible_resources_path(self) -> str:
        return "/oauth/token/accessible-resources"

    def gateway(self, cloud_id: str) -> str:
        """The API base of one Confluence site through the gateway."""
        return f"{self.api_url}/ex/confluence/{cloud_id}"


ATLASSIAN = AtlassianEndpoints()


class NoAuth(AuthBase):
    """For the few endpoints that answer without credentials (tenant_info)."""

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        return request


def build_authenticator(credentials: Credentials, raw_config: MutableMapping[str, Any] | None = None,
                        endpoints: AtlassianEndpoints = ATLASSIAN) -> AuthBase:
    if credentials.auth_type in ("api_token", "scoped_api_token"):
        # Atlassian API tokens, classic or scoped, go in basic auth as email:token.
        return BasicHttpAuthenticator(username=credentials.email or "", password=credentials.api_token or "")
    if credentials.auth_type == "username_password":
        return BasicHttpAuthenticator(username=credentials.username or "", password=credentials.password or "")
    if credentials.auth_type == "personal_access_token":
        return TokenAuthenticator(token=credentials.personal_access_token or "", auth_method="Bearer")
    if credentials.auth_type == "oauth2.0":
        return oauth_authenticator(credentials, raw_config, endpoints)
    raise ValueError(f"unsupported auth_type {credentials.auth_type!r}")


def oauth_authenticator(credentials: Credentials, raw_config: MutableMapping[str, Any] | None,
                        endpoints: AtlassianEndpoints) -> SingleUseRefreshTokenOauth2Authenticator:
    """Atlassian rotates refresh tokens: every refresh returns a new one and invalidates the old.

    The CDK's single-use authenticator writes the new refresh token (and the access token with its
    expiry) into `raw_config` and prints the whole config as a CONNECTOR_CONFIG control message, so
    the platform stores it and the next run refreshes with the new token. `raw_config` must therefore
    be the config the platform gave us, not a copy of parts of it.
    """
    config = raw_config if raw_config is not None else _config_of(credentials)
    return SingleUseRefreshTokenOauth2Authenticator(
        connector_config=config,
        token_refresh_endpoint=endpoints.token_url,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        refresh_token_error_status_codes=REFRESH_TOKEN_ERROR_STATUSES,
        refresh_token_error_key=OAUTH_ERROR_FIELD,
        refresh_token_error_values=REFRESH_TOKEN_ERRORS,
    )


def _config_of(credentials: Credentials) -> dict[str, Any]:
    return {"credentials": {"auth_type": credentials.auth_type, "client_id": credentials.client_id,
                            "client_secret": credentials.client_secret, "refresh_token": credentials.refresh_token}}


def is_mutable_config(config: Mapping[str, Any]) -> bool:
    return isinstance(config, MutableMapping) and isinstance(config.get("credentials"), MutableMapping)
