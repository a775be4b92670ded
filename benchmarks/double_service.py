"""The Confluence double as a benchmark server: the same site, latency and API as
``python -m confluence_double`` (it takes the same flags), plus a small admin
endpoint on a second port so that the benchmark never touches the API's own request log:

    GET  /requests[?reset=1]   the double's request log counted by endpoint (and reset)
    POST /changes?fraction=F&seed=S   apply a deterministic batch of changes (see site_changes)
    GET  /stats                the double's CPU seconds, peak RSS and site size (mean body size)
    POST /faults?status=429&retry_after=S&count=N[&path_prefix=P]   the double's own fault rules
    GET  /timeline             arrival time (monotonic s), status and path of every logged request

Prints one JSON line {"url", "email", "api_token", "admin_url"} and serves until SIGTERM.

Run: ``.venv/bin/python -m benchmarks.double_service --spaces 20 --pages 100000 ... --latency-ms 100``
"""

from __future__ import annotations

import gc
import json
import os
import re
import resource
import signal
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from benchmarks.site_changes import apply_changes
from confluence_double import ConfluenceDouble, RequestRecord, SiteSpec
from confluence_double.cli import parse_args

_ID_SEGMENT = re.compile(r"/(?:att)?\d+(?=/|$)")


def endpoint_key(record: RequestRecord) -> str:
    """`GET /wiki/api/v2/pages ?body-format,limit,sort=-modified-date,space-id,status`: the path with
    ids templated, then the names of the query parameters (`cursor` left out), with the value of
    `sort` and of `limit` when it is 1, which tell a walk, an id scan and a probe apart."""
    path = _ID_SEGMENT.sub("/{id}", record.path)
    if "/download/attachments/" in path:  # one key for every file: .../{container id}/{file name}
        path = path.split("/download/attachments/")[0] + "/download/attachments/{id}/{file}"
    names = []
    for name, values in record.query.items():
        if name == "cursor":
            continue
        if name == "sort" or (name == "limit" and values == ["1"]):
            name = f"{name}={values[0]}"
        names.append(name)
    return f"{record.method} {path} ?{','.join(sorted(names))}"


def count_requests(records: list[RequestRecord]) -> dict:
    endpoints = Counter(endpoint_key(r) for r in records)
    statuses = Counter(str(r.status) for r in records)
    pages = sum(1 for r in records if "cursor" in r.query)
    return {"total": len(records), "next_pages": pages, "endpoints": dict(sorted(endpoints.items())),
            "statuses": dict(sorted(statuses.items()))}


def site_stats(double: ConfluenceDouble, sample: int = 2000) -> dict:
    site = double.site
    with site.lock:
        pages = list(site.pages.values())
        step = max(1, len(pages) // sample)
        picked = pages[::step]
        body_bytes = [len(site.storage_body(p).encode()) for p in picked]
        return {
            "spaces": len(site.spaces),
            "pages": len(site.pages),
            "blog_posts": len(site.blog_posts),
            "comments": len(site.comments),
            "tasks": len(site.tasks),
            "attachments": len(site.attachments),
            "labels": len(site.labels),
            "label_assignments": sum(len(v) for v in site.labels_by_content.values()),
            "users": len(site.users),
            "mean_page_body_bytes": round(sum(body_bytes) / max(1, len(body_bytes))),
        }


def record_arrivals(double: ConfluenceDouble) -> list[tuple[float, str, str, int]]:
    """Wraps the double's request logging to also note when each request arrived (for the
    rate-limit check); the API's behaviour is untouched."""
    arrivals: list[tuple[float, str, str, int]] = []
    log = double._log

    def logged(method: str, path: str, raw_query: str, status: int, *more: object, **named: object) -> None:
        arrivals.append((time.monotonic(), method, path, status))
        log(method, path, raw_query, status, *more, **named)

    double._log = logged  # type: ignore[method-assign]
    return arrivals


def process_stats() -> dict:
    times = os.times()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_user_s": times.user, "cpu_system_s": times.system, "peak_rss_kb": usage.ru_maxrss}


class _Admin(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    double: ConfluenceDouble  # set on the subclass made by serve_admin
    arrivals: list[tuple[float, str, str, int]]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return

    def _answer(self, status: int, doc: object) -> None:
        body = json.dumps(doc, sort_keys=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path == "/requests":
            records = self.double.requests
            if query.get("reset") == ["1"]:
                self.double.reset_requests()
                self.arrivals.clear()
            self._answer(200, count_requests(records))
        elif parts.path == "/stats":
            self._answer(200, {"process": process_stats(), "site": site_stats(self.double)})
        elif parts.path == "/timeline":
            self._answer(200, {"now": time.monotonic(), "requests": list(self.arrivals)})
        else:
            self._answer(404, {"error": "unknown admin path"})

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if parts.path == "/changes":
            fraction = float(query.get("fraction", ["0.01"])[0])
            seed = int(query.get("seed", ["1"])[0])
            started = time.monotonic()
            summary = apply_changes(self.double.site, fraction, seed)
            self._answer(200, {"applied": summary, "seconds": round(time.monotonic() - started, 3)})
        elif parts.path == "/reset":
            self.double.reset_requests()
            self.arrivals.clear()
            self._answer(200, {"ok": True})
        elif parts.path == "/faults":
            retry_after = query.get("retry_after", [None])[0]
            rule = self.double.faults.add(
                status=int(query.get("status", ["429"])[0]),
                count=int(query.get("count", ["1"])[0]),
                headers={"Retry-After": retry_after} if retry_after else {},
                path_prefix=query.get("path_prefix", [""])[0],
            )
            self._answer(200, {"added": {"status": rule.status, "count": rule.count, "headers": rule.headers,
                                         "path_prefix": rule.path_prefix}, "at": time.monotonic()})
        else:
            self._answer(404, {"error": "unknown admin path"})


def serve_admin(double: ConfluenceDouble, host: str) -> ThreadingHTTPServer:
    handler = type("Admin", (_Admin,), {"double": double, "arrivals": record_arrivals(double)})
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="bench-admin", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    spec = SiteSpec(**{k: getattr(args, k) for k in SiteSpec.__dataclass_fields__})
    double = ConfluenceDouble(spec, latency_ms=args.latency_ms, email=args.email, api_token=args.api_token,
                              host=args.host, port=args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # As the double's CLI: the site lives as long as the process, keep the cyclic GC off its objects.
    gc.collect()
    gc.freeze()
    with double:
        admin = serve_admin(double, args.host)
        line = {"url": double.url, "email": double.email, "api_token": double.api_token,
                "admin_url": f"http://{args.host}:{admin.server_address[1]}",  # ignore-https-check: the local double
                "pid": os.getpid()}
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
        admin.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
