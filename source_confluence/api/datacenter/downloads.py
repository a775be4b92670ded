"""Data Center attachment downloads: `_links.download` is relative to the server's base URL, which
may have a context path (e.g. /confluence)."""

from __future__ import annotations

from source_confluence.http.download import Fetched
from source_confluence.http.transport import Transport


class DataCenterDownloads:
    """A mixin of `DataCenterClient` (its `transport` and `_context`)."""

    transport: Transport
    _context: str

    def download(self, link: str, max_bytes: int) -> Fetched:
        if self._context and not link.startswith(self._context + "/"):
            link = self._context + link
        return self.transport.download(link, max_bytes)
