"""Response bodies -> Python objects with orjson, the stdlib's rules kept.

Parsing responses was 9% of a full sync's GIL time with the stdlib `json` (benchmarks/RESULTS.md);
orjson parses the same pages in about half of that. Where orjson is stricter than the stdlib (an
escaped lone surrogate, NaN), the stdlib decides, so a body the connector accepted before is still
accepted, with the same value. One difference remains: an integer beyond 64 bits reads as a float
(Confluence sends ids as strings; its integers are versions, counts and sizes).
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def parse_json(content: bytes | str) -> Any:
    """The JSON value of `content`; raises ValueError (json.JSONDecodeError) when it is not JSON."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return json.loads(content)
