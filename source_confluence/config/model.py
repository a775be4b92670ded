"""The typed config: `ConnectorConfig`, its `Credentials`, their limits and `ConfigError`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

if TYPE_CHECKING:
    from source_confluence.config.attachment_text import AttachmentTextOptions

MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 250
DEFAULT_NUM_WORKERS = 4
MAX_NUM_WORKERS = 20
CONTENT_TYPES = ("pages", "blog_posts", "comments", "attachments", "tasks")
DEFAULT_DELETION_CHECK_HOURS = 24
DEFAULT_LABEL_RECONCILIATION_HOURS = 24
DEFAULT_ACCESS_RECONCILIATION_HOURS = 24
DEFAULT_SEARCH_INDEX_LAG_MINUTES = 10
DEFAULT_RATE_LIMIT_WAIT_MINUTES = 10
DEFAULT_PAGE_VIEWS_BUDGET = 2000
MAX_PAGE_VIEWS_BUDGET = 100_000
MAX_RATE_LIMIT_WAIT_MINUTES = 60
VERSION_HISTORY = ("none", "since_start_date", "all")
"""`content_versions`: no history, the histories of content changed since `start_date`, or every history."""
MIN_POINTS_PER_HOUR = 1_000
MAX_POINTS_PER_HOUR = 100_000_000


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
    restriction_reconciliation_interval_hours: int = DEFAULT_DELETION_CHECK_HOURS
    """How often `content_restrictions` re-reads every page's and blog post's restrictions (0: every sync)."""
    allow_plain_http: bool = False
    """Data Center on a trusted network only: accept a plain-HTTP site URL (credentials travel unencrypted)."""
    search_index_lag_minutes: int = DEFAULT_SEARCH_INDEX_LAG_MINUTES
    """Data Center: how long a change may take to show in search; cursors never claim that stretch."""
    max_rate_limit_wait_minutes: int = DEFAULT_RATE_LIMIT_WAIT_MINUTES
    """Rate-limit waiting allowed per request, and the longest Retry-After honoured (http/transport.py)."""
    version_history: str = "since_start_date"
    """`content_versions`' first sync: one of VERSION_HISTORY."""
    page_views: bool = False
    """Cloud: read `content_views` (two analytics requests per page or blog post counted)."""
    page_views_budget: int = DEFAULT_PAGE_VIEWS_BUDGET
    """The most requests `content_views` makes in one sync."""
    page_views_from: str | None = None
    """The `fromDate` of the counts; None: `start_date`, else all time."""
    attachment_text: AttachmentTextOptions | None = None
    """None: attachments carry metadata only; else their text is read (config/attachment_text.py)."""
    max_points_per_hour: int | None = None
    """The connector's own pace in Atlassian's points (http/points.py); None: only the server's headers slow it."""
    label_reconciliation_interval_hours: int = DEFAULT_LABEL_RECONCILIATION_HOURS
    """How often every label of the site is read again (streams/label_rounds.py)."""
    access_reconciliation_interval_hours: int = DEFAULT_ACCESS_RECONCILIATION_HOURS
    """How often every group's members and every space's permissions are read again (streams/access_rounds.py)."""

    @property
    def is_cloud(self) -> bool:
        return self.credentials.is_cloud
