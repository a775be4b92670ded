"""Validates a user's config and turns it into a typed `ConnectorConfig`.

Every rejection is a config_error that names the field and says how to fix it; no message
ever repeats a secret value.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.timestamps import format_timestamp

MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 250
DEFAULT_NUM_WORKERS = 4
MAX_NUM_WORKERS = 20
CONTENT_TYPES = ("pages", "blog_posts", "comments", "attachments", "tasks")
DEFAULT_DELETION_CHECK_HOURS = 24


class ConfigError(AirbyteTracedException):
    """A problem with the user's configuration: the user must fix it."""

    def __init__(self, field: str, problem: str, fix: str) -> None:
        message = f"Config field '{field}': {problem} {fix}".strip()
        super().__init__(message=message, internal_message=message, failure_type=FailureType.config_error)
        self.field = field


@dataclass(frozen=True)
class Credentials:
    auth_type: str
    email: str | None = None
    api_token: str | None = None

    @property
    def is_cloud(self) -> bool:
        return self.auth_type in CLOUD_AUTH_TYPES


CLOUD_AUTH_TYPES = ("api_token",)


@dataclass(frozen=True)
class ConnectorConfig:
    site_url: str
    """Scheme, host and optional port, without a trailing slash and without `/wiki`."""
    credentials: Credentials
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

    @property
    def is_cloud(self) -> bool:
        return self.credentials.is_cloud


def parse_config(raw: Mapping[str, Any], now: datetime | None = None) -> ConnectorConfig:
    if not isinstance(raw, Mapping):
        raise ConfigError("config", "must be a JSON object.", "Provide the connector settings as an object.")
    credentials = _credentials(raw.get("credentials"))
    return ConnectorConfig(
        site_url=_site_url(raw.get("site_url")),
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
    )


def _site_url(value: Any) -> str:
    example = "Use your site's address, e.g. https://your-domain.atlassian.net."
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("site_url", "is missing or empty.", example)
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError("site_url", f"'{value}' is not a valid http(s) URL.", example)
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            "site_url", "must not carry a query string, fragment or credentials.", example
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError(
            "site_url",
            "uses plain http, which would send your credentials unencrypted.",
            "Use https:// (Confluence Cloud only serves https).",
        )
    try:
        port = parts.port
    except ValueError as error:
        raise ConfigError("site_url", f"has an invalid port ({error}).", example) from None
    netloc = parts.hostname + (f":{port}" if port else "")
    path = parts.path.rstrip("/")
    # Users paste page URLs; the API lives under the site root, not under /wiki/spaces/...
    if path.lower().startswith("/wiki"):
        path = ""
    return f"{parts.scheme}://{netloc}{path}"


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
    if auth_type == "api_token":
        email = _required_string(value, "credentials.email", "email",
                                 "Enter the email address of the Atlassian account that owns the API token.")
        token = _required_string(value, "credentials.api_token", "api_token",
                                 "Create one at https://id.atlassian.com/manage-profile/security/api-tokens.")
        if "@" not in email:
            raise ConfigError("credentials.email", "does not look like an email address.",
                              "Enter the email you sign in to Atlassian with.")
        return Credentials(auth_type="api_token", email=email, api_token=token)
    raise ConfigError(
        "credentials.auth_type",
        f"'{auth_type}' is not a supported authentication method.",
        f"Use one of: {', '.join(CLOUD_AUTH_TYPES)}.",
    )


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
