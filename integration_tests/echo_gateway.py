"""An adversarial gateway for secret tests: a proxy in front of a double that, on chosen requests,
answers with an error page echoing everything the connector sent, credentials included.

Some SSO proxies and API gateways do this (a debug page listing the request's headers, a 400 that
quotes the form body). The gateway also records every credential that passed through it, in every
form: the Authorization header, its credential part, the decoded basic-auth password, the OAuth
token request's client secret and refresh token, and the tokens the token endpoint handed back. A test
then searches the connector's whole output for all of them.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import requests

STYLES = ("json_message", "json_headers", "text", "html")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


@dataclass
class EchoRule:
    """Answers the next `count` requests (None: all) whose path starts with `path_prefix` and whose
    query contains `query_has` with `status` and a body in `style` that echoes the request."""

    status: int
    style: str
    path_prefix: str = ""
    query_has: str = ""
    method: str | None = None
    count: int | None = None
    hits: int = 0

    def matches(self, method: str, target: str) -> bool:
        path, _, query = target.partition("?")
        return ((self.count is None or self.hits < self.count) and path.startswith(self.path_prefix)
                and self.query_has in query and (self.method is None or self.method == method))


def echo_body(style: str, method: str, target: str, headers: dict[str, str], body: str) -> tuple[str, bytes]:
    """Content type and body of an answer that repeats the request back."""
    auth = headers.get("Authorization", "")
    decoded = _decoded_basic(auth)
    if style == "json_message":
        doc = {"message": f"Gateway rejected {method} {target} with Authorization: {auth} ({decoded}) body={body}"}
        return "application/json", json.dumps(doc).encode()
    if style == "json_headers":
        doc = {"errors": [{"title": "Request rejected by the gateway", "detail": f"credentials {decoded}"}],
               "request": {"method": method, "url": target, "headers": headers, "body": body}}
        return "application/json", json.dumps(doc).encode()
    lines = [f"{method} {target}", *(f"{name}: {value}" for name, value in headers.items()), "", body, decoded]
    if style == "text":
        return "text/plain; charset=utf-8", "\n".join(lines).encode()
    page = "<br>".join(html.escape(line, quote=False) for line in lines)
    return "text/html; charset=utf-8", f"<!DOCTYPE html><html><body><h1>Access denied</h1>{page}</body></html>".encode()


def _decoded_basic(auth: str) -> str:
    scheme, _, credential = auth.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(credential.strip(), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


class EchoGateway:
    """Forwards to `upstream` unless an `EchoRule` matches; records every credential it sees."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.rules: list[EchoRule] = []
        self.credentials: set[str] = set()
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                gateway._serve(self)

            do_GET = do_POST = _serve  # noqa: N815 - http.server naming

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, status: int, style: str, path_prefix: str = "", count: int | None = None,
            query_has: str = "", method: str | None = None) -> EchoRule:
        if style not in STYLES:
            raise ValueError(f"unknown echo style {style!r}; known: {STYLES}")
        rule = EchoRule(status, style, path_prefix, query_has, method, count)
        with self._lock:
            self.rules.append(rule)
        return rule

    def __enter__(self) -> EchoGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _record(self, headers: dict[str, str], body: str) -> None:
        auth = headers.get("Authorization", "")
        found = {auth, auth.partition(" ")[2].strip()}
        decoded = _decoded_basic(auth)
        if decoded:
            found.add(decoded.partition(":")[2])
        form = dict(parse_qsl(body)) if "=" in body and not body.startswith("{") else _json_object(body)
        found.update(str(form[key]) for key in ("client_secret", "refresh_token") if form.get(key))
        with self._lock:
            self.credentials.update(value for value in found if len(value) >= 4)

    def _record_tokens(self, body: bytes) -> None:
        tokens = _json_object(body.decode("utf-8", "replace"))
        with self._lock:
            self.credentials.update(str(tokens[key]) for key in ("access_token", "refresh_token") if tokens.get(key))

    def _take(self, method: str, target: str) -> EchoRule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, target):
                    rule.hits += 1
                    return rule
        return None

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        method, target = handler.command, handler.path
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = dict(handler.headers.items())
        body = raw.decode("utf-8", "replace")
        self._record(headers, body)
        rule = self._take(method, target)
        if rule is not None:
            content_type, answer = echo_body(rule.style, method, target, headers, body)
            status, reply_headers = rule.status, [("Content-Type", content_type)]
        else:
            upstream = requests.request(method, self.upstream + target, data=raw, allow_redirects=False, timeout=30,
                                        headers={k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP})
            status, answer = upstream.status_code, upstream.content
            reply_headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP]
            if target.startswith("/oauth/token") and method == "POST":
                self._record_tokens(answer)
        handler.send_response(status)
        for name, value in reply_headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)


def _json_object(text: str) -> dict:
    try:
        doc = json.loads(text or "{}")
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}
