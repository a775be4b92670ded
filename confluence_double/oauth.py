"""Atlassian's side of Cloud OAuth 2.0 (3LO) and scoped API tokens, on the double's own server.

- ``POST /oauth/token`` (auth.atlassian.com): ``grant_type=refresh_token`` with the client id and
  secret, as a form or JSON. Refresh tokens rotate: every refresh answers a new refresh token and
  invalidates the one used, which from then on gets 403 ``invalid_grant`` (as Atlassian answers).
- ``GET /oauth/token/accessible-resources`` (api.atlassian.com): the sites an access token reaches.
- ``GET /_edge/tenant_info`` (the site, no credentials): ``{"cloudId": ...}``.
- ``/ex/confluence/{cloudId}/wiki/...`` (the api.atlassian.com gateway): the site's REST API for an
  OAuth access token (Bearer) or a scoped API token (Basic email:token). Like the real gateway, its
  ``_links.next`` are site-relative (``/wiki/api/v2/...``), without the gateway prefix.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from .api import CloudRoutes, Response, error_body

GATEWAY = "/ex/confluence/"
READ_SCOPES = ("read:confluence-user", "read:space:confluence", "read:page:confluence", "read:comment:confluence",
               "read:task:confluence", "read:label:confluence", "read:attachment:confluence",
               "read:user:confluence", "read:content-details:confluence", "read:folder:confluence", "offline_access")


@dataclass
class TokenRequest:
    refresh_token: str
    accepted: bool


@dataclass
class OAuthServer:
    """Issues and checks tokens; ``refresh_token`` is the one a newly authorized connection starts with."""

    email: str
    client_id: str = "double-client-id"
    client_secret: str = "double-client-secret"  # noqa: S105 - the double's fixed test credential
    scoped_api_token: str = "double-scoped-token"  # noqa: S105
    cloud_id: str = "5b1f2c3d-0a4e-4f60-8d7c-9e0a1b2c3d4e"
    access_token_seconds: int = 3600
    refresh_token: str = field(default="", init=False)
    token_requests: list[TokenRequest] = field(default_factory=list, init=False)
    _valid_refresh: set[str] = field(default_factory=set, init=False)
    _access: dict[str, float] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self.refresh_token = self._new_refresh_token()

    def _new_refresh_token(self) -> str:
        token = "rt-" + secrets.token_urlsafe(24)
        self._valid_refresh.add(token)
        return token

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working (an hour has passed)."""
        with self._lock:
            self._access.clear()

    def access_token_valid(self, token: str) -> bool:
        with self._lock:
            expires = self._access.get(token)
        return expires is not None and expires > time.time()

    def config(self, site_url: str) -> dict:
        """A connector config as the Airbyte UI leaves it after the OAuth flow."""
        return {"site_url": site_url,
                "credentials": {"auth_type": "oauth2.0", "client_id": self.client_id,
                                "client_secret": self.client_secret, "refresh_token": self.refresh_token}}

    def scoped_config(self, site_url: str) -> dict:
        return {"site_url": site_url,
                "credentials": {"auth_type": "scoped_api_token", "email": self.email, "api_token": self.scoped_api_token}}

    # ---- endpoints ---------------------------------------------------------------------------
    def token(self, headers: dict[str, str], body: bytes) -> Response:
        if "json" in headers.get("content-type", ""):
            try:
                form = json.loads(body or b"{}")
            except ValueError:
                return _oauth_error(400, "invalid_request", "Body is not JSON.")
        else:
            form = dict(parse_qsl(body.decode("utf-8", "replace")))
        if not isinstance(form, dict) or form.get("grant_type") != "refresh_token":
            return _oauth_error(400, "unsupported_grant_type", "Only the refresh_token grant is served here.")
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return _oauth_error(401, "access_denied", "Unauthorized")
        presented = str(form.get("refresh_token") or "")
        with self._lock:
            accepted = presented in self._valid_refresh
            self.token_requests.append(TokenRequest(presented, accepted))
            if not accepted:
                return _oauth_error(403, "invalid_grant", "Unknown or invalid refresh token.")
            self._valid_refresh.discard(presented)  # rotation: a refresh token works once
            rotated = self._new_refresh_token()
            access = "at-" + secrets.token_urlsafe(24)
            self._access[access] = time.time() + self.access_token_seconds
        return _json(200, {"access_token": access, "refresh_token": rotated, "expires_in": self.access_token_seconds,
                           "token_type": "Bearer", "scope": " ".join(READ_SCOPES)})

    def accessible_resources(self, headers: dict[str, str], site_url: str) -> Response:
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not self.access_token_valid(token.strip()):
            return _json(401, {"code": 401, "message": "Unauthorized"})
        return _json(200, [{"id": self.cloud_id, "url": site_url, "name": "confluence-double",
                            "scopes": list(READ_SCOPES), "avatarUrl": f"{site_url}/avatar.png"}])

    def gateway_authorized(self, header: str | None) -> bool:
        scheme, _, credential = (header or "").partition(" ")
        if scheme.lower() == "bearer":
            return self.access_token_valid(credential.strip())
        if scheme.lower() == "basic":
            expected = base64.b64encode(f"{self.email}:{self.scoped_api_token}".encode()).decode()
            return credential.strip() == expected
        return False


class CloudEdge:
    """Routes a Cloud double's requests: Atlassian's OAuth endpoints and gateway, else the site itself."""

    def __init__(self, api: CloudRoutes, oauth: OAuthServer, site_url: str) -> None:
        self.api = api
        self.oauth = oauth
        self.site_url = site_url

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        path, _, query = raw_path.partition("?")
        if path == "/oauth/token" and method == "POST":
            return self.oauth.token(headers, body)
        if path == "/oauth/token/accessible-resources" and method == "GET":
            return self.oauth.accessible_resources(headers, self.site_url)
        if path == "/_edge/tenant_info" and method == "GET":
            return _json(200, {"cloudId": self.oauth.cloud_id})
        if path.startswith(GATEWAY):
            cloud_id, _, rest = path[len(GATEWAY):].partition("/")
            if cloud_id != self.oauth.cloud_id:
                return _json(404, {"code": 404, "message": "Site not found"})
            if not self.oauth.gateway_authorized(headers.get("authorization")):
                return Response(401, [("Content-Type", "application/json")],
                                error_body(401, "Unauthorized; scope does not match", "/" + rest))
            return self.api.handle(method, "/" + rest + (f"?{query}" if query else ""), headers, body, authorized=True)
        return self.api.handle(method, raw_path, headers, body)


def _json(status: int, doc: object) -> Response:
    return Response(status, [("Content-Type", "application/json;charset=UTF-8")], json.dumps(doc).encode())


def _oauth_error(status: int, error: str, description: str) -> Response:
    return _json(status, {"error": error, "error_description": description})
