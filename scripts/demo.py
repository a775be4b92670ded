"""`make demo`: the bundled sample site, synced by the connector, with records per stream and state.

Starts the Confluence double (a local imitation of Confluence Cloud) on 127.0.0.1, runs the
connector's `read` for every stream through its console entrypoint, and prints what arrived.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from integration_tests.confluence_double import ConfluenceDouble, SiteSpec  # noqa: E402

STREAMS = ["spaces", "pages", "blog_posts", "comments", "tasks", "content_labels", "attachments", "users"]


def main() -> int:
    spec = SiteSpec(spaces=3, pages=1000, blog_posts=100, footer_comments=600, inline_comments=200, tasks=300,
                    attachments=200, labels=40, users=25, seed=7)
    catalog = json.loads((ROOT / "integration_tests" / "configured_catalog.json").read_text())
    with ConfluenceDouble(spec) as double, tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "config.json"
        catalog_path = Path(tmp) / "catalog.json"
        config_path.write_text(json.dumps(double.config()))
        catalog_path.write_text(json.dumps(catalog))
        print(f"Sample Confluence site running at {double.url} ({len(double.site.pages)} pages)")
        started = time.monotonic()
        command = [str(Path(sys.executable).parent / "source-confluence"), "read",
                   "--config", str(config_path), "--catalog", str(catalog_path)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
    counts: Counter[str] = Counter()
    states: dict[str, object] = {}
    errors = []
    for line in result.stdout.splitlines():
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        if message["type"] == "RECORD":
            counts[message["record"]["stream"]] += 1
        elif message["type"] == "STATE":
            stream_state = message["state"]["stream"]
            states[stream_state["stream_descriptor"]["name"]] = stream_state.get("stream_state")
        elif message["type"] == "TRACE" and message["trace"]["type"] == "ERROR":
            errors.append(message["trace"]["error"]["message"])
    print(f"\nRecords per stream (sync took {elapsed:.1f} s):")
    for stream in STREAMS:
        print(f"  {stream:<15} {counts[stream]:>6}")
    print("\nFinal state per stream (what the next incremental sync starts from):")
    for stream, state in states.items():
        summary = json.dumps(state)
        print(f"  {stream}: {summary[:160]}{'...' if len(summary) > 160 else ''}")
    if errors or result.returncode != 0:
        print("\nThe sync failed:", *errors, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
