"""Points per sync in the benchmark: read from the connector's own cost lines (http/points.py logs
one per stream and the total at the end of every read), so the double stays unmetered and its CPU
is not spent counting objects."""

from __future__ import annotations

import json
import re
from typing import Any

STREAM_LINE = re.compile(r"Cost of stream '(?P<stream>[^']+)': (?P<requests>\d+) request\(s\), "
                         r"(?P<objects>\d+) object\(s\) returned, (?P<points>\d+) point\(s\)")
TOTAL_LINE = re.compile(r"Cost of this sync: (?P<requests>\d+) request\(s\), (?P<objects>\d+) object\(s\) "
                        r"returned, (?P<points>\d+) point\(s\)")
MARKER = b"Cost of "


def is_cost_line(line: bytes) -> bool:
    return line.startswith(b'{"type":"LOG"') and MARKER in line


def parse_cost(lines: list[bytes]) -> dict[str, Any]:
    """{"total": {requests, objects, points}, "streams": {stream: {...}}} from the connector's LOG lines."""
    out: dict[str, Any] = {"total": None, "streams": {}}
    for line in lines:
        try:
            message = json.loads(line)["log"]["message"]
        except (ValueError, KeyError, TypeError):
            continue
        if match := STREAM_LINE.search(message):
            out["streams"][match["stream"]] = {k: int(match[k]) for k in ("requests", "objects", "points")}
        elif match := TOTAL_LINE.search(message):
            out["total"] = {k: int(match[k]) for k in ("requests", "objects", "points")}
    return out


def points_of(run: dict[str, Any]) -> int | None:
    total = (run.get("cost") or {}).get("total")
    return total["points"] if total else None


def points_table(results: list[dict[str, Any]], scenarios: tuple[str, ...]) -> list[str]:
    """Points per scenario and stream (Atlassian's points: 1 per request + 1 per object returned)."""
    lines: list[str] = []
    for r in results:
        runs = r["runs"]
        names = [name for name in scenarios if name in runs]
        lines += [f"#### {r['scale']:g}x site, {r['latency_ms']:g} ms per request: points per stream", "",
                  "| stream | " + " | ".join(f"{name}: points (requests + objects)" for name in names) + " |",
                  "| --- |" + " ---: |" * len(names)]
        streams = sorted({s for name in names for s in (runs[name].get("cost") or {}).get("streams", {})})
        for stream in [*streams, "total"]:
            cells = []
            for name in names:
                cost = runs[name].get("cost") or {}
                usage = cost.get("total") if stream == "total" else cost.get("streams", {}).get(stream)
                cells.append(f"{usage['points']:,} ({usage['requests']:,} + {usage['objects']:,})" if usage else "-")
            lines.append(f"| {stream} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines
