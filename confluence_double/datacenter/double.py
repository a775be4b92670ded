"""The double as a Confluence Data Center server."""

from __future__ import annotations

import ssl
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..model import SiteSpec
from ..server import ConfluenceDouble
from .accounts import user_key, usernames
from .routes import DataCenterRoutes
from .wire import DataCenterSettings


class DataCenterDouble(ConfluenceDouble):
    """The double as a Confluence Data Center server (see the module doc).

    ``tls``: serve https with this server context (a certificate from a test CA, for the custom CA
    bundle); plain http otherwise.
    """

    def __init__(self, spec: SiteSpec | None = None, settings: DataCenterSettings | None = None,
                 tls: ssl.SSLContext | None = None, **kwargs: Any) -> None:
        super().__init__(spec, **kwargs)
        self.settings = settings or DataCenterSettings()
        self.usernames = usernames(self.site)
        self.tls = tls

    @property
    def url(self) -> str:
        plain = super().url
        return "https://" + plain.removeprefix("http://") if self.tls is not None else plain  # ignore-https-check: local

    def start(self) -> DataCenterDouble:
        super().start()
        if self.tls is not None and self._server is not None:
            # Same file descriptor, so the serving loop keeps polling it; accept() now shakes hands.
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        return self

    def _build_api(self) -> DataCenterRoutes:
        return DataCenterRoutes(self.site, self.url, self.settings)

    @property
    def base_url(self) -> str:
        return self.url + self.settings.context_path.rstrip("/")

    @property
    def username(self) -> str:
        return self.usernames[self.site.current_user_id]

    def config(self) -> dict:
        return {"site_url": self.base_url,
                "credentials": {"auth_type": "personal_access_token",
                                "personal_access_token": self.settings.personal_access_token,
                                "server_time_zone": self.settings.time_zone}}

    def basic_config(self) -> dict:
        return {"site_url": self.base_url,
                "credentials": {"auth_type": "username_password", "username": self.username,
                                "password": self.settings.password, "server_time_zone": self.settings.time_zone}}

    def account_of(self, key: str) -> str | None:
        """The model's account id behind a Data Center user key."""
        return {user_key(a): a for a in self.site.users}.get(key)

    def local_minute(self, moment: datetime) -> str:
        """How this server writes `moment` in CQL."""
        return moment.astimezone(ZoneInfo(self.settings.time_zone)).strftime("%Y-%m-%d %H:%M")
