"""Validates a user's config and turns it into a typed `ConnectorConfig`.

Every rejection is a config_error that names the field and says how to fix it; no message
ever repeats a secret value.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from cryptography import x509

from source_confluence.timestamps import format_timestamp

MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 250
DEFAULT_NUM_WORKERS = 4
MAX_NUM_WORKERS = 20
CONTENT_TYPES = ("pages", "blog_posts", "comments", "attachments", "tasks")
DEFAULT_DELETION_CHECK_HOURS = 24
DEFAULT_SEARCH_INDEX_LAG_MINUTES = 10
DEFAULT_RATE_LIMIT_WAIT_MINUTES = 10
MAX_RATE_LIMIT_WAIT_MINUTES = 60


class ConfigError(AirbyteTracedException):
    """A problem with the user's configuration: the user must fix it."""

    def __init__(self, field: str, problem: str, fix: str) -> None:
        message = f"Config field '{field}': {problem} {fix}".strip()
        super().__init__(message=message, internal_message=message, failure_type=FailureType.config_error)
        self.field = field


CLOUD_AUTH_TYPES = ("api_token", "oauth2.0", "scoped_api_token")
DATACENTER_AUTH_TYPES = ("personal_access_token", "username_password")
AUTH_TYPES = CLOUD_AUTH_TYPES + DATACENTER_AUTH_TYPES
GATEWAY_AUTH_TYPES = ("oauth2.0", "scoped_api_token")
"""Cloud methods whose requests go through the api.atlassian.com gateway instead of the site."""


@dataclass(frozen=True)
class Credentials:
    auth_type: str
    email: str | None = None
    api_token: str | None = field(default=None, repr=False)
    client_id: str | None = field(default=None, repr=False)
    client_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    personal_access_token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_certificate: str | None = field(default=None, repr=False)
    """PEM text of extra certificate authorities to trust (Data Center behind a corporate CA)."""
    server_time_zone: str | None = None
    """IANA name of the Data Center server's time zone; None: detected from the server's timestamps."""

    @property
    def is_cloud(self) -> bool:
        return self.auth_type in CLOUD_AUTH_TYPES

    @property
    def uses_gateway(self) -> bool:
        return self.auth_type in GATEWAY_AUTH_TYPES

    def secret_fields(self) -> str:
        """How messages name the fields to check when the credentials are refused."""
        return {
            "api_token": "credentials.email and credentials.api_token",
            "scoped_api_token": "credentials.email and credentials.api_token (a scoped token needs the read scopes)",
            "oauth2.0": "credentials.client_id, credentials.client_secret and credentials.refresh_token",
            "personal_access_token": "credentials.personal_access_token",
            "username_password": "credentials.username and credentials.password",
        }.get(self.auth_type, "credentials")


@dataclass(frozen=True)
class ConnectorConfig:
    site_url: str
    """Scheme, host and optional port, without a trailing slash and without `/wiki`."""
    credentials: Credentials = field(repr=False)
    start_date: str | None = None
    space_keys: tuple[str, ...] = ()
    include_archived: bool = False
    num_workers: int = DEFAULT_NUM_WORKERS
    page_size: int = DEFAULT_PAGE_SIZE
    page_tree_roots: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    content_types: tuple[str, ...] = CONTENT_TYPES
    include_bodies: bool = True
    deletion_check_interval_hours: int = DEFAULT_DELETION_CHECK_HOURS
    allow_plain_http: bool = False
    """Data Center on a trusted network only: accept a plain-HTTP site URL (credentials travel unencrypted)."""
    search_index_lag_minutes: int = DEFAULT_SEARCH_INDEX_LAG_MINUTES
    """Data Center: how long a change may take to show in search; cursors never claim that stretch."""
    max_rate_limit_wait_minutes: int = DEFAULT_RATE_LIMIT_WAIT_MINUTES
    """Rate-limit waiting allowed per request, and the longest Retry-After honoured (transport.py)."""

    @property
    def is_cloud(self) -> bool:
        return self.credentials.is_cloud


def parse_config(raw: Mapping[str, Any], now: datetime | None = None) -> ConnectorConfig:
    if not isinstance(raw, Mapping):
        raise ConfigError("config", "must be a JSON object.", "Provide the connector settings as an object.")
    credentials = _credentials(raw.get("credentials"))
    allow_plain_http = _boolean(raw, "allow_plain_http", False)
    if allow_plain_http and credentials.is_cloud:
        raise ConfigError("allow_plain_http", "applies to Data Center only: Confluence Cloud serves https only.",
                          "Turn it off.")
    site_url = _site_url(raw.get("site_url"), datacenter=not credentials.is_cloud, allow_plain_http=allow_plain_http)
    _check_deployment_matches(site_url, credentials)
    return ConnectorConfig(
        site_url=site_url,
        allow_plain_http=allow_plain_http,
        credentials=credentials,
        start_date=_start_date(raw.get("start_date"), now or datetime.now(UTC)),
        space_keys=_space_keys(raw.get("space_keys")),
        include_archived=_boolean(raw, "include_archived", False),
        num_workers=_bounded_int(raw, "num_workers", DEFAULT_NUM_WORKERS, 1, MAX_NUM_WORKERS),
        page_size=_bounded_int(raw, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
        page_tree_roots=_string_list(raw, "page_tree_roots", str.isdigit,
                                     "List page ids (the number in a page's URL, e.g. 123456)."),
        labels=_string_list(raw, "labels", lambda v: " " not in v, "List label names without spaces, e.g. how-to."),
        content_types=_content_types(raw.get("content_types")),
        include_bodies=_boolean(raw, "include_bodies", True),
        deletion_check_interval_hours=_bounded_int(
            raw, "deletion_check_interval_hours", DEFAULT_DELETION_CHECK_HOURS, 0, 24 * 365),
        search_index_lag_minutes=_bounded_int(
            raw, "search_index_lag_minutes", DEFAULT_SEARCH_INDEX_LAG_MINUTES, 0, 24 * 60),
        max_rate_limit_wait_minutes=_bounded_int(
            raw, "max_rate_limit_wait_minutes", DEFAULT_RATE_LIMIT_WAIT_MINUTES, 1, MAX_RATE_LIMIT_WAIT_MINUTES),
    )


# Where a pasted Data Center page URL stops being the base URL (the context path comes before them).
_DATACENTER_UI_SEGMENTS = ("display", "pages", "spaces", "rest", "plugins", "x", "label", "users", "admin",
                           "dashboard.action", "login.action", "index.action", "homepage.action")


def _site_url(value: Any, datacenter: bool = False, allow_plain_http: bool = False) -> str:
    example = ("Use the server's base URL, including a context path if it has one, e.g. "
               "https://wiki.example.com/confluence." if datacenter
               else "Use your site's address, e.g. https://your-domain.atlassian.net.")
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("site_url", "is missing or empty.", example)
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not _valid_host(parts.hostname):
        # Never echo text that may carry a password (user:password@host).
        shown = f"'{value}'" if "@" not in value else "The URL"
        raise ConfigError("site_url", f"{shown} is not a valid http(s) URL.", example)
    path, cut = _base_path(parts.path, datacenter)
    if parts.username or parts.password or ((parts.query or parts.fragment) and not cut):
        raise ConfigError(
            "site_url", "must not carry a query string, fragment or credentials.", example
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname) and not allow_plain_http:
        raise ConfigError(
            "site_url",
            "uses plain http, which would send your credentials unencrypted.",
            "Use https:// (a Data Center server with its own certificate authority: add it under "
            "credentials.ca_certificate; on a trusted network only, allow_plain_http accepts http)."
            if datacenter else "Use https:// (Confluence Cloud only serves https).",
        )
    try:
        port = parts.port
    except ValueError as error:
        raise ConfigError("site_url", f"has an invalid port ({error}).", example) from None
    if port == 0:
        raise ConfigError("site_url", "has port 0, which no server listens on.", example)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # IPv6 keeps its brackets
    netloc = host + (f":{port}" if port else "")
    return f"{parts.scheme}://{netloc}{path}"


def _base_path(path: str, datacenter: bool) -> tuple[str, bool]:
    """The base path of a pasted URL, and whether a page part was cut off it."""
    path = path.rstrip("/")
    if not datacenter:
        # Users paste page URLs; the Cloud API lives under the site root, not under /wiki/spaces/...
        return ("", True) if path.lower().startswith("/wiki") else (path, False)
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if index > 0 and segment.lower() in _DATACENTER_UI_SEGMENTS:
            return "/".join(segments[:index]), True
    return path, False


CLOUD_DOMAINS = (".atlassian.net",)


def _check_deployment_matches(site_url: str, credentials: Credentials) -> None:
    """Cloud credentials need a Cloud site and Data Center credentials a server, or every request
    would fail with a puzzling 401 or 404."""
    host = urlsplit(site_url).hostname or ""
    on_cloud = host.endswith(CLOUD_DOMAINS)
    if _is_loopback(host):
        return  # local test servers speak either flavour
    if credentials.is_cloud and not on_cloud:
        raise ConfigError(
            "credentials.auth_type",
            f"is a Confluence Cloud method, but {host} is not a Cloud site (*.atlassian.net).",
            "For a Data Center server choose Personal access token or Username and password. A Cloud site "
            "on a custom domain keeps its https://<site>.atlassian.net address: use that as site_url.",
        )
    if not credentials.is_cloud and on_cloud:
        raise ConfigError(
            "credentials.auth_type",
            f"is a Data Center method, but {host} is a Confluence Cloud site.",
            "For Confluence Cloud choose API token, OAuth 2.0 or Scoped API token.",
        )


def _valid_host(host: str | None) -> bool:
    """A DNS name (labels of letters, digits, '-' and '_', any script) or an IP address."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    return all(0 < len(label) <= 63 and not label.startswith("-") and not label.endswith("-")
               and all(ch.isalnum() or ch in "-_" for ch in label) for label in labels)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _credentials(value: Any) -> Credentials:
    if not isinstance(value, Mapping):
        raise ConfigError(
            "credentials", "is missing.", "Choose an authentication method and fill in its fields."
        )
    auth_type = value.get("auth_type", "api_token")
    if auth_type in ("api_token", "scoped_api_token"):
        email = _required_string(value, "credentials.email", "email",
                                 "Enter the email address of the Atlassian account that owns the API token.")
        token = _required_string(value, "credentials.api_token", "api_token",
                                 "Create one at https://id.atlassian.com/manage-profile/security/api-tokens.")
        if "@" not in email:
            raise ConfigError("credentials.email", "does not look like an email address.",
                              "Enter the email you sign in to Atlassian with.")
        return Credentials(auth_type=auth_type, email=email, api_token=token)
    if auth_type == "oauth2.0":
        fix = "Reconnect the source in Airbyte (Authenticate your Confluence account) to fill it in."
        return Credentials(
            auth_type=auth_type,
            client_id=_required_string(value, "credentials.client_id", "client_id", fix),
            client_secret=_required_string(value, "credentials.client_secret", "client_secret", fix),
            refresh_token=_required_string(value, "credentials.refresh_token", "refresh_token", fix),
        )
    if auth_type in DATACENTER_AUTH_TYPES:
        extra = {"ca_certificate": _ca_certificate(value.get("ca_certificate")),
                 "server_time_zone": _time_zone(value.get("server_time_zone"))}
        if auth_type == "personal_access_token":
            token = _required_string(value, "credentials.personal_access_token", "personal_access_token",
                                     "Create one in Confluence under your profile > Settings > Personal Access Tokens.")
            return Credentials(auth_type=auth_type, personal_access_token=token, **extra)
        return Credentials(
            auth_type=auth_type,
            username=_required_string(value, "credentials.username", "username",
                                      "Enter the username the connector signs in with."),
            password=_required_string(value, "credentials.password", "password",
                                      "Enter that user's password."),
            **extra,
        )
    raise ConfigError(
        "credentials.auth_type",
        f"'{auth_type}' is not a supported authentication method.",
        f"Use one of: {', '.join(AUTH_TYPES)}.",
    )


def _ca_certificate(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    fix = "Paste the certificate authority's certificate(s) in PEM form (-----BEGIN CERTIFICATE----- ...)."
    if not isinstance(value, str):
        raise ConfigError("credentials.ca_certificate", "must be text.", fix)
    try:
        certificates = x509.load_pem_x509_certificates(value.strip().encode())
    except ValueError:
        raise ConfigError("credentials.ca_certificate", "is not a PEM certificate.", fix) from None
    if not certificates:
        raise ConfigError("credentials.ca_certificate", "holds no certificate.", fix)
    return value.strip() + "\n"


def _time_zone(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    fix = "Use an IANA time zone name such as Europe/Berlin (the server's, see Administration > System Information)."
    if not isinstance(value, str):
        raise ConfigError("credentials.server_time_zone", "must be text.", fix)
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("credentials.server_time_zone", f"'{value}' is not a known time zone.", fix) from None
    return value.strip()


def _required_string(mapping: Mapping[str, Any], field: str, key: str, fix: str) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(field, "is missing or empty.", fix)
    return value.strip()


def _start_date(value: Any, now: datetime) -> str | None:
    if value is None or value == "":
        return None
    fix = "Use an ISO date such as 2024-01-01 or 2024-01-01T00:00:00Z, or leave it empty."
    if not isinstance(value, str):
        raise ConfigError("start_date", "must be a string.", fix)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError("start_date", f"'{value}' is not a date-time.", fix) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed > now:
        raise ConfigError("start_date", f"'{value}' is in the future, so nothing would ever sync.",
                          "Use a date in the past, or leave it empty to sync all history.")
    return format_timestamp(parsed)


def _space_keys(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    fix = "List space keys such as [\"ENG\", \"OPS\"], or leave it empty for every space."
    if not isinstance(value, list | tuple):
        raise ConfigError("space_keys", "must be a list of space keys.", fix)
    keys: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError("space_keys", f"contains an invalid key {item!r}.", fix)
        key = item.strip()
        if not all(ch.isalnum() or ch in "~_.-" for ch in key):
            raise ConfigError("space_keys", f"'{key}' is not a space key.", fix)
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def _string_list(raw: Mapping[str, Any], field: str, valid: Any, fix: str) -> tuple[str, ...]:
    value = raw.get(field)
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise ConfigError(field, "must be a list.", fix)
    items: list[str] = []
    for item in value:
        text = str(item).strip() if isinstance(item, str | int) and not isinstance(item, bool) else ""
        if not text or not valid(text):
            raise ConfigError(field, f"contains an invalid value {item!r}.", fix)
        if text not in items:
            items.append(text)
    return tuple(items)


def _content_types(value: Any) -> tuple[str, ...]:
    if value is None:
        return CONTENT_TYPES
    fix = f"Choose among {', '.join(CONTENT_TYPES)}."
    if not isinstance(value, list | tuple):
        raise ConfigError("content_types", "must be a list.", fix)
    unknown = [item for item in value if item not in CONTENT_TYPES]
    if unknown:
        raise ConfigError("content_types", f"has unknown value(s) {unknown}.", fix)
    if not value:
        raise ConfigError("content_types", "is empty, so nothing would sync.", fix)
    return tuple(t for t in CONTENT_TYPES if t in value)


def _boolean(raw: Mapping[str, Any], field: str, default: bool) -> bool:
    value = raw.get(field, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ConfigError(field, f"must be true or false, got {value!r}.", "Set it to true or false.")
    return value


def _bounded_int(raw: Mapping[str, Any], field: str, default: int, low: int, high: int) -> int:
    value = raw.get(field, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(field, f"must be a whole number, got {value!r}.", f"Use a number from {low} to {high}.")
    if not low <= value <= high:
        raise ConfigError(field, f"is {value}, outside the allowed range.", f"Use a number from {low} to {high}.")
    return value
