"""Run the double standalone: prints {"url", "email", "api_token"} as one JSON line, then serves the
generated site as Confluence Cloud until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import gc
import json
import signal
import sys
import threading

from .model import SiteSpec
from .server import ConfluenceDouble

SITE_KNOBS = {
    "spaces": "spaces (the last is personal from 4 spaces on, one archived from 8 on)",
    "pages": "pages, in one tree per space (at least one per space: its home page)",
    "blog_posts": "blog posts",
    "footer_comments": "footer comments (replies included)",
    "inline_comments": "inline comments (replies included)",
    "tasks": "tasks in task lists of pages and blog posts",
    "attachments": "attachments of pages and blog posts",
    "labels": "labels (a few team labels for spaces)",
    "users": "users (a few apps, hidden emails and inactive accounts among them)",
    "seed": "seed: the same spec always generates the same site",
    "body_bytes": "mean size of a page or blog post body in storage format, in bytes",
    "folders": "folders per space, nested in one chain, with pages moved into them (Cloud)",
    "restricted": "pages and blog posts with read/update restrictions (users and groups, nested pages too)",
    "views_per_content": "the most views a page or blog post has (Cloud analytics; skewed, 0: none)",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    defaults = SiteSpec()
    parser = argparse.ArgumentParser(prog="python -m confluence_double", description=__doc__,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free port")
    site = parser.add_argument_group("the generated site")
    for name, text in SITE_KNOBS.items():
        site.add_argument("--" + name.replace("_", "-"), dest=name, type=int, default=getattr(defaults, name), help=text)
    parser.add_argument("--latency-ms", type=float, default=0, help="delay added to every response, in milliseconds")
    parser.add_argument("--email", default="tester@example.com", help="the email of the API token credential")
    parser.add_argument("--api-token", default="double-api-token", help="the API token (basic auth with --email)")
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

