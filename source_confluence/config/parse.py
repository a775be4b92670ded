"""The user's config -> a typed `ConnectorConfig`: every rejection is a config_error that names the
field and says how to fix it; no message ever repeats a secret value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from source_confluence.config import fields
from source_confluence.config.attachment_text import attachment_text
from source_confluence.config.model import (
    DEFAULT_ACCESS_RECONCILIATION_HOURS,
    DEFAULT_DELETION_CHECK_HOURS,
    DEFAULT_LABEL_RECONCILIATION_HOURS,
    DEFAULT_NUM_WORKERS,
    DEFAULT_PAGE_SIZE,
    DEFAULT_PAGE_VIEWS_BUDGET,
    DEFAULT_RATE_LIMIT_WAIT_MINUTES,
    DEFAULT_SEARCH_INDEX_LAG_MINUTES,
    MAX_NUM_WORKERS,
    MAX_PAGE_SIZE,
    MAX_PAGE_VIEWS_BUDGET,
    MAX_POINTS_PER_HOUR,
    MAX_RATE_LIMIT_WAIT_MINUTES,
    MIN_POINTS_PER_HOUR,
    ConfigError,
    ConnectorConfig,
)


def parse_config(raw: Mapping[str, Any], now: datetime | None = None) -> ConnectorConfig:
    if not isinstance(raw, Mapping):
        raise ConfigError("config", "must be a JSON object.", "Provide the connector settings as an object.")
    credentials = fields.credentials(raw.get("credentials"))
    allow_plain_http = fields.boolean(raw, "allow_plain_http", False)
    if allow_plain_http and credentials.is_cloud:
        raise ConfigError("allow_plain_http", "applies to Data Center only: Confluence Cloud serves https only.",
                          "Turn it off.")
    site_url = fields.site_url(raw.get("site_url"), datacenter=not credentials.is_cloud, allow_plain_http=allow_plain_http)
    fields.check_deployment_matches(site_url, credentials)
    return ConnectorConfig(
        site_url=site_url,
        allow_plain_http=allow_plain_http,
        credentials=credentials,
        start_date=fields.start_date(raw.get("start_date"), now or datetime.now(UTC)),
        space_keys=fields.space_keys(raw.get("space_keys")),
        include_archived=fields.boolean(raw, "include_archived", False),
        num_workers=fields.bounded_int(raw, "num_workers", DEFAULT_NUM_WORKERS, 1, MAX_NUM_WORKERS),
        page_size=fields.bounded_int(raw, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
        page_tree_roots=fields.string_list(raw, "page_tree_roots", str.isdigit,
                                     "List page ids (the number in a page's URL, e.g. 123456)."),
        labels=fields.string_list(raw, "labels", lambda v: " " not in v, "List label names without spaces, e.g. how-to."),
        content_types=fields.content_types(raw.get("content_types")),
        include_bodies=fields.boolean(raw, "include_bodies", True),
        deletion_check_interval_hours=fields.bounded_int(
            raw, "deletion_check_interval_hours", DEFAULT_DELETION_CHECK_HOURS, 0, 24 * 365),
        restriction_reconciliation_interval_hours=fields.bounded_int(
            raw, "restriction_reconciliation_interval_hours", DEFAULT_DELETION_CHECK_HOURS, 0, 24 * 365),
        label_reconciliation_interval_hours=fields.bounded_int(
            raw, "label_reconciliation_interval_hours", DEFAULT_LABEL_RECONCILIATION_HOURS, 0, 24 * 365),
        access_reconciliation_interval_hours=fields.bounded_int(
            raw, "access_reconciliation_interval_hours", DEFAULT_ACCESS_RECONCILIATION_HOURS, 0, 24 * 365),
        search_index_lag_minutes=fields.bounded_int(
            raw, "search_index_lag_minutes", DEFAULT_SEARCH_INDEX_LAG_MINUTES, 0, 24 * 60),
        max_rate_limit_wait_minutes=fields.bounded_int(
            raw, "max_rate_limit_wait_minutes", DEFAULT_RATE_LIMIT_WAIT_MINUTES, 1, MAX_RATE_LIMIT_WAIT_MINUTES),
        version_history=fields.version_history(raw.get("version_history")),
        page_views=fields.boolean(raw, "page_views", False),
        page_views_budget=fields.bounded_int(raw, "page_views_budget", DEFAULT_PAGE_VIEWS_BUDGET, 2,
                                             MAX_PAGE_VIEWS_BUDGET),
        page_views_from=fields.date_time(raw.get("page_views_from"), now or datetime.now(UTC), "page_views_from"),
        attachment_text=attachment_text(raw),
        max_points_per_hour=None if raw.get("max_points_per_hour") is None else fields.bounded_int(
            raw, "max_points_per_hour", MAX_POINTS_PER_HOUR, MIN_POINTS_PER_HOUR, MAX_POINTS_PER_HOUR),
    )
