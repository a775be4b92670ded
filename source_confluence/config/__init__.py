"""The user's config: its typed form (`model`), one validator per field (`fields`), the parse
(`parse`) and the platform's document read once per command (`platform`)."""

from __future__ import annotations

from source_confluence.config.fields import is_loopback_host
from source_confluence.config.model import (
    AUTH_TYPES,
    CLOUD_AUTH_TYPES,
    CONTENT_TYPES,
    DATACENTER_AUTH_TYPES,
    DEFAULT_DELETION_CHECK_HOURS,
    DEFAULT_NUM_WORKERS,
    DEFAULT_PAGE_SIZE,
    DEFAULT_RATE_LIMIT_WAIT_MINUTES,
    DEFAULT_SEARCH_INDEX_LAG_MINUTES,
    GATEWAY_AUTH_TYPES,
    MAX_NUM_WORKERS,
    MAX_PAGE_SIZE,
    MAX_RATE_LIMIT_WAIT_MINUTES,
    ConfigError,
    ConnectorConfig,
    Credentials,
)
from source_confluence.config.parse import parse_config
from source_confluence.config.platform import PlatformConfig, document_of, typed_config

__all__ = [
    "AUTH_TYPES", "CLOUD_AUTH_TYPES", "CONTENT_TYPES", "DATACENTER_AUTH_TYPES", "DEFAULT_DELETION_CHECK_HOURS",
    "DEFAULT_NUM_WORKERS", "DEFAULT_PAGE_SIZE", "DEFAULT_RATE_LIMIT_WAIT_MINUTES", "DEFAULT_SEARCH_INDEX_LAG_MINUTES",
    "GATEWAY_AUTH_TYPES", "MAX_NUM_WORKERS", "MAX_PAGE_SIZE", "MAX_RATE_LIMIT_WAIT_MINUTES",
    "ConfigError", "ConnectorConfig", "Credentials", "PlatformConfig", "document_of", "is_loopback_host", "parse_config",
    "typed_config",
]
