"""Authenticators, one per authentication method in the spec.

They are the CDK's own `requests` authenticators, so the CDK's HTTP client re-applies them on retries
and the secret values are registered with the CDK's log filter by the entrypoint.
"""

from __future__ import annotations

from airbyte_cdk.sources.streams.http.requests_native_auth import BasicHttpAuthenticator
from requests.auth import AuthBase

from source_confluence.config import Credentials


def build_authenticator(credentials: Credentials) -> AuthBase:
    if credentials.auth_type == "api_token":
        # Atlassian API tokens go in basic auth as email:token.
        return BasicHttpAuthenticator(username=credentials.email or "", password=credentials.api_token or "")
    raise ValueError(f"unsupported auth_type {credentials.auth_type!r}")
