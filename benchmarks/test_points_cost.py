"""The benchmark's points come from the connector's cost lines (benchmarks/points_cost.py)."""

from __future__ import annotations

from benchmarks.points_cost import is_cost_line, parse_cost, points_table


def test_cost_lines_are_found_and_parsed():
    lines = [
        b'{"type":"LOG","log":{"level":"INFO","message":"Cost of stream \'pages\': 3 request(s), 500 object(s) '
        b'returned, 503 point(s)."}}',
        b'{"type":"LOG","log":{"level":"INFO","message":"Cost of this sync: 3 request(s), 500 object(s) returned, '
        b'503 point(s) (Atlassian\'s points: 1 per request + 1 per object returned)."}}',
        b'{"type":"LOG","log":{"level":"INFO","message":"hello"}}',
    ]
    assert [is_cost_line(line) for line in lines] == [True, True, False]
    cost = parse_cost(lines)
    assert cost == {"total": {"requests": 3, "objects": 500, "points": 503},
                    "streams": {"pages": {"requests": 3, "objects": 500, "points": 503}}}
    table = points_table([{"scale": 0.1, "latency_ms": 0, "runs": {"full": {"cost": cost}}}], ("full", "changed"))
    assert "| pages | 503 (3 + 500) |" in table and "| total | 503 (3 + 500) |" in table
