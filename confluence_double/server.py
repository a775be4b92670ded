"""The HTTP side of the double: a threaded server, request log, latency knob and fault rules."""

from __future__ import annotations

import socket
import struct
import threading
import time
import traceback
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from .api import CloudRoutes, Response, error_body
from .faults import LOGIN_PAGE, FaultRule, Faults, point_next_at
from .files.serve import StreamedBody, StreamedResponse
from .generator import build_site
from .model import Site, SiteSpec
from .oauth import CloudEdge, OAuthServer


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int  # 0 when the connection was reset without a response
    at: float = 0.0
    """time.monotonic() when the request arrived, for tests that check pacing."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], double: ConfluenceDouble) -> None:
        self.double = double
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    server_version = "ConfluenceDouble/1.0"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.sockets_lock:
            self.server.open_sockets.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.sockets_lock:
                self.server.open_sockets.discard(self.connection)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        return  # keep test output clean; the request log is double.requests

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        double = self.server.double
        arrived = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, raw_query = self.path.partition("?")
        latency = double.latency_ms
        if latency > 0:
            time.sleep(latency / 1000.0)
        rule = double.faults.take(method, path, parse_qs(raw_query, keep_blank_values=True))
        if rule is not None and rule.action is not None:
            rule.action()
        kind = rule.kind if rule is not None else None
        if rule is not None and kind == "reset":
            double._log(method, path, raw_query, 0, arrived)
            self._reset()
            return
        if kind == "delay":
            time.sleep(rule.seconds)
        response = self._answer(method, path, body, rule)
        extra = list(rule.headers.items()) if rule is not None else []
        double._log(method, path, raw_query, response.status, arrived)
        if isinstance(response, StreamedResponse) and response.stream is not None:
            self._send_streamed(response, response.stream)
            return
        self.send_response(response.status)
        for name, value in response.headers + extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if method == "HEAD":
            return
        if kind == "reset_mid_body":
            # The client has been promised the whole body; it gets half, then a TCP reset.
            self.wfile.write(response.body[: len(response.body) // 2])
            self.wfile.flush()
            self._reset()
            return
        self.wfile.write(response.body)

    def _send_streamed(self, response: Response, stream: StreamedBody) -> None:
        """A body made while sent (files/serve.py); without a declared length the connection ends it."""
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if stream.declare_length:
            self.send_header("Content-Length", str(stream.size))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            for chunk in stream.chunks():
                self.wfile.write(chunk)
        except OSError:  # the client stopped reading (a size cap): expected
            self.close_connection = True

    def _answer(self, method: str, path: str, body: bytes, rule: FaultRule | None) -> Response:
        double = self.server.double
        kind = rule.kind if rule is not None else None
        if rule is not None and kind is None:
            content = rule.body if rule.body is not None else error_body(rule.status or 500, "Injected fault", path)
            if isinstance(content, str):
                content = content.encode("utf-8")
            return Response(rule.status or 500, [("Content-Type", "application/json")], content)
        if rule is not None and kind == "html_login_page":
            return Response(rule.status or 200, [("Content-Type", "text/html;charset=UTF-8")], LOGIN_PAGE)
        if rule is not None and kind == "invalid_json":
            content = rule.body if rule.body is not None else b'{"results": [{"id": "1", "title": nul'
            if isinstance(content, str):
                content = content.encode("utf-8")
            return Response(rule.status or 200, [("Content-Type", "application/json")], content)
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            response = double.api.handle(method, self.path, headers, body)
        except Exception:  # a bug in the double: answer 500 and show the traceback
            traceback.print_exc()
            return Response(500, [("Content-Type", "application/json")], error_body(500, "double error", path))
        if rule is None:
            return response
        if kind == "truncated_json":
            return Response(rule.status or response.status, response.headers, response.body[: len(response.body) // 2])
        if kind == "foreign_next":
            return point_next_at(response, rule.location)
        if rule.status is not None and kind in ("delay", "with_headers", "reset_mid_body"):
            return Response(rule.status, response.headers, response.body)
        return response

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send a TCP RST instead of a FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass


class ConfluenceDouble:
    """A local Confluence Cloud site over real HTTP, for integration tests, benchmarks and demos."""

    def __init__(
        self,
        spec: SiteSpec | None = None,
        latency_ms: float = 0,
        email: str = "tester@example.com",
        api_token: str = "double-api-token",  # noqa: S107 - the double's fixed test credential
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.spec = spec or SiteSpec()
        self.latency_ms = latency_ms
        self.email = email
        self.api_token = api_token
        self.host = host
        self.port = port
        self.faults = Faults()
        self.site: Site = build_site(self.spec)
        self.site.current_user.email = email  # the token owner is the site's first user
        self._requests: list[RequestRecord] = []
        self._requests_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.api: Any  # has handle(method, raw_path, headers, body) -> Response
        self.oauth = OAuthServer(email)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the double is not running; call start() or use it as a context manager")
        return f"http://{self.host}:{self._server.server_address[1]}"  # ignore-https-check: local

    def config(self) -> dict:
        return {
            "site_url": self.url,
            "credentials": {"auth_type": "api_token", "email": self.email, "api_token": self.api_token},
        }

    def start(self) -> ConfluenceDouble:
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), self)
        self._server = server
        self.api = self._build_api()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="confluence-double", daemon=True
        )
        self._thread.start()
        return self

    def _build_api(self) -> Any:
        """What answers requests: the Cloud site behind Atlassian's OAuth endpoints and gateway
        (``oauth.CloudEdge``). ``datacenter.DataCenterDouble`` answers as Data Center instead."""
        return CloudEdge(CloudRoutes(self.site, self.url, self.email, self.api_token), self.oauth, self.url)

    def stop(self) -> None:
        server = self._server
        if server is None:
            return
        server.shutdown()
        with server.sockets_lock:
            sockets = list(server.open_sockets)
        for sock in sockets:  # unblock handler threads waiting on idle keep-alive connections
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> ConfluenceDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def requests(self) -> list[RequestRecord]:
        with self._requests_lock:
            return list(self._requests)

    def reset_requests(self) -> None:
        with self._requests_lock:
            self._requests.clear()

    def _log(self, method: str, path: str, raw_query: str, status: int, at: float = 0.0) -> None:
        record = RequestRecord(method, path, parse_qs(raw_query, keep_blank_values=True), status, at or time.monotonic())
        with self._requests_lock:
            self._requests.append(record)
