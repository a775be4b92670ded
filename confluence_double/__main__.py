"""Run the double standalone: prints {"url", "email", "api_token"} as one JSON line, then serves
until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import gc
import json
import signal
import sys
import threading

from .model import SiteSpec
from .server import ConfluenceDouble


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    defaults = SiteSpec()
    parser = argparse.ArgumentParser(prog="python -m confluence_double", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    for name in (
        "spaces",
        "pages",
        "blog_posts",
        "footer_comments",
        "inline_comments",
        "tasks",
        "attachments",
        "labels",
        "users",
        "seed",
        "body_bytes",
    ):
        parser.add_argument("--" + name.replace("_", "-"), dest=name, type=int, default=getattr(defaults, name))
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--email", default="tester@example.com")
    parser.add_argument("--api-token", default="double-api-token")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    spec = SiteSpec(**{k: getattr(args, k) for k in SiteSpec.__dataclass_fields__})
    double = ConfluenceDouble(
        spec,
        latency_ms=args.latency_ms,
        email=args.email,
        api_token=args.api_token,
        host=args.host,
        port=args.port,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # The site lives for the whole process: keep the cyclic GC from rescanning its millions of
    # objects on every full collection while serving.
    gc.collect()
    gc.freeze()
    with double:
        sys.stdout.write(json.dumps({"url": double.url, "email": double.email, "api_token": double.api_token}) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
