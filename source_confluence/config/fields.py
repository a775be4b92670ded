"""One validator per config field: each returns the field's value or raises a `ConfigError` naming it."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from source_confluence.config.model import (
    AUTH_TYPES,
    CONTENT_TYPES,
    DATACENTER_AUTH_TYPES,
    VERSION_HISTORY,
    ConfigError,
    Credentials,
)
from source_confluence.timestamps import format_timestamp

# Where a pasted Data Center page URL stops being the base URL (the context path comes before them).
_DATACENTER_UI_SEGMENTS = ("display", "pages", "spaces", "rest", "plugins", "x", "label", "users", "admin",
                           "dashboard.action", "login.action", "index.action", "homepage.action")


def site_url(value: Any, datacenter: bool = False, allow_plain_http: bool = False) -> str:
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
    hostname = parts.hostname or ""  # never empty here: _valid_host checked it
    if parts.scheme == "http" and not is_loopback_host(hostname) and not allow_plain_http:
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
    host = f"[{hostname}]" if ":" in hostname else hostname  # IPv6 keeps its brackets
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


def check_deployment_matches(site_url: str, credentials: Credentials) -> None:
    """Cloud credentials need a Cloud site and Data Center credentials a server, or every request
    would fail with a puzzling 401 or 404."""
    host = urlsplit(site_url).hostname or ""
    on_cloud = host.endswith(CLOUD_DOMAINS)
    if is_loopback_host(host):
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




def credentials(value: Any) -> Credentials:
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
    from cryptography import x509  # here: only a Data Center config with its own CA pays its import

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


def start_date(value: Any, now: datetime) -> str | None:
    return date_time(value, now, "start_date")


def date_time(value: Any, now: datetime, field: str) -> str | None:
    """A past UTC date-time option (`start_date`, `page_views_from`); None when empty."""
    if value is None or value == "":
        return None
    fix = "Use an ISO date such as 2024-01-01 or 2024-01-01T00:00:00Z, or leave it empty."
    if not isinstance(value, str):
        raise ConfigError(field, "must be a string.", fix)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(field, f"'{value}' is not a date-time.", fix) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed > now:
        raise ConfigError(field, f"'{value}' is in the future, so nothing would ever sync.",
                          "Use a date in the past, or leave it empty to sync all history.")
    return format_timestamp(parsed)


def space_keys(value: Any) -> tuple[str, ...]:
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


def string_list(raw: Mapping[str, Any], field: str, valid: Any, fix: str) -> tuple[str, ...]:
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


def content_types(value: Any) -> tuple[str, ...]:
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


def boolean(raw: Mapping[str, Any], field: str, default: bool) -> bool:
    value = raw.get(field, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ConfigError(field, f"must be true or false, got {value!r}.", "Set it to true or false.")
    return value


def bounded_int(raw: Mapping[str, Any], field: str, default: int, low: int, high: int) -> int:
    value: object = raw.get(field, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(field, f"must be a whole number, got {value!r}.", f"Use a number from {low} to {high}.")
    if not low <= value <= high:
        raise ConfigError(field, f"is {value}, outside the allowed range.", f"Use a number from {low} to {high}.")
    return value


def is_loopback_host(host: str | None) -> bool:
    """Local test servers: the only hosts plain http may reach without the user's opt-in."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def version_history(value: Any) -> str:
    if value is None:
        return "since_start_date"
    if value not in VERSION_HISTORY:
        raise ConfigError("version_history", f"is {value!r}, not one of {', '.join(VERSION_HISTORY)}.",
                          "Use since_start_date (the default), all (every content's whole history) or none.")
    return str(value)
