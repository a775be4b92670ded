"""Atlassian's media service, as Confluence Cloud uses it for attachment files.

Real Cloud answers `/wiki/download/attachments/...` with a redirect to
`https://api.media.atlassian.com/file/{file id}/binary?token=...&client=...&name=...`: the URL carries
a short-lived token of its own, and the media service wants no Confluence credentials. This double
is a second loopback server doing the same: the Cloud double (once `MediaDouble.serve_downloads_of`
is called) redirects downloads here with a token it issued, and this server refuses a request that
carries an Authorization header or cookies (401), or an unknown token (401). `received` holds the
headers of every request, so tests can show that no credential reached it.

    with ConfluenceDouble(spec) as cloud, MediaDouble(cloud.site) as media:
        media.serve_downloads_of(cloud)
"""

from __future__ import annotations

import secrets
import threading
from urllib.parse import parse_qs, quote, unquote, urlencode

from .api.wire import Response, error_body
from .faults import Faults
from .files.serve import download_response
from .model import Site
from .server import ConfluenceDouble

FILE_PATH = "/file/"
CLIENT_ID = "double-media-client"


class MediaService:
    """The media service's request handler (transport-free, like ``CloudRoutes``)."""

    def __init__(self, site: Site, base_url: str) -> None:
        self.site = site
        self.base_url = base_url
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, str, str | None]] = {}
        self.received: list[dict[str, str]] = []
        """The headers (lower-cased names) of every request, in arrival order."""
        self.issued: list[str] = []
        """Every token handed out, in order (tests look for them in the connector's output)."""

    def redirect(self, container_id: str, file_name: str, version: str | None) -> Response:
        """The Cloud double's answer to a download: 302 to a signed URL here (404 for no such file)."""
        name = unquote(file_name)
        with self.site.lock:
            att = next((self.site.attachments[i] for i in self.site.attachments_by_container.get(container_id, ())
                        if self.site.attachments[i].title == name
                        and self.site.attachments[i].status == "current"), None)
        if att is None:
            return Response(404, [("Content-Type", "text/plain")], b"Not found")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (container_id, file_name, version)
            self.issued.append(token)
        query = urlencode({"token": token, "client": CLIENT_ID, "dl": "true", "name": name})
        location = f"{self.base_url}{FILE_PATH}{quote(att.file_id)}/binary?{query}"
        return Response(302, [("Location", location), ("Content-Type", "text/plain")], b"")

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        path, _, raw_query = raw_path.partition("?")
        with self._lock:
            self.received.append(dict(headers))
            token = parse_qs(raw_query).get("token", [""])[0]
            target = self._tokens.get(token)
        if "authorization" in headers or "cookie" in headers:
            return Response(401, [("Content-Type", "application/json")],
                            error_body(401, "Credentials are not accepted here; use the token in the URL", path))
        if method != "GET" or not path.startswith(FILE_PATH) or not path.endswith("/binary"):
            return Response(404, [("Content-Type", "application/json")], error_body(404, "No such path", path))
        if target is None:
            return Response(401, [("Content-Type", "application/json")], error_body(401, "Invalid token", path))
        return download_response(self.site, *target)


class MediaDouble(ConfluenceDouble):
    """A second loopback server answering as the media service for a Cloud double's site."""

    def __init__(self, site: Site, host: str = "127.0.0.1") -> None:
        # Not ConfluenceDouble.__init__: no site of its own to generate, no OAuth; the server parts only.
        self.latency_ms = 0
        self.host = host
        self.port = 0
        self.faults = Faults()
        self.quota = None  # the media service is not metered in Confluence's points
        self.site = site
        self._requests = []
        self._requests_lock = threading.Lock()
        self._server = None
        self._thread = None

    def _build_api(self) -> MediaService:
        return MediaService(self.site, self.url)

    @property
    def service(self) -> MediaService:
        return self.api  # type: ignore[no-any-return]

    def serve_downloads_of(self, cloud: ConfluenceDouble) -> None:
        """Makes the (started) Cloud double redirect its attachment downloads here."""
        cloud.api.api.media = self.service
