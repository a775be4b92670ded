"""Points over real HTTP: the connector's own count agrees with the double's (which charges as
Atlassian does), and under a points quota the unthrottled connector runs into 429s while the
connector reading the quota headers finishes the same sync with none."""

from __future__ import annotations

import re

from confluence_double import ConfluenceDouble, SiteSpec
from confluence_double.quota import PointsQuota
from integration_tests.conftest import ALL_STREAMS, records_by_stream, sync

SITE = SiteSpec(spaces=2, pages=240, blog_posts=20, footer_comments=120, inline_comments=40, tasks=60,
                attachments=40, labels=10, users=12, seed=11, body_bytes=300, folders=2, restricted=6)
TOTAL = re.compile(r"Cost of this sync: (\d+) request\(s\), (\d+) object\(s\) returned, (\d+) point\(s\)")
PER_STREAM = re.compile(r"Cost of stream '([^']+)': (\d+) request\(s\), (\d+) object\(s\) returned, (\d+) point")


def cost_lines(output) -> tuple[tuple[int, int, int], dict[str, int]]:
    logs = [message.log.message for message in output.logs]
    (total,) = [tuple(int(n) for n in match.groups()) for line in logs if (match := TOTAL.search(line))]
    streams = {match.group(1): int(match.group(4)) for line in logs if (match := PER_STREAM.search(line))}
    return total, streams  # type: ignore[return-value]


def test_the_connector_counts_the_points_the_double_charges():
    quota = PointsQuota(points=10**9, window_seconds=3600)
    with ConfluenceDouble(SITE, quota=quota) as double:
        output = sync(double, page_size=50)
        (requests, objects, points), streams = cost_lines(output)
    assert points == requests + objects
    assert requests == len(double.requests)
    assert points == quota.charged
    assert sum(streams.values()) == points
    assert set(streams) >= {"pages", "comments", "content_labels"}  # users may be resolved by look-ups others made
    assert streams["pages"] > 240  # every page is an object returned


def test_a_long_sync_stays_under_a_quota_the_unthrottled_connector_exceeds():
    with ConfluenceDouble(SITE, quota=PointsQuota(points=10**9)) as metered:
        baseline = records_by_stream(sync(metered, page_size=50))
        total = metered.quota.charged if metered.quota else 0
    window = 1.0
    points = total // 4  # the sync needs at least four windows

    blind = PointsQuota(points, window, send_headers=False)
    with ConfluenceDouble(SITE, quota=blind) as double:
        refused = records_by_stream(sync(double, page_size=50))
        assert blind.refused > 0 and any(r.status == 429 for r in double.requests)
    assert {s: set(r) for s, r in refused.items()} == {s: set(r) for s, r in baseline.items()}

    aware = PointsQuota(points, window)
    with ConfluenceDouble(SITE, quota=aware) as double:
        output = sync(double, page_size=50)
        statuses = [r.status for r in double.requests]
    assert aware.refused == 0 and 429 not in statuses
    assert {s: set(r) for s, r in records_by_stream(output).items()} == {s: set(r) for s, r in baseline.items()}
    assert aware.charged > points  # the sync really needed more than one window
    assert set(baseline) == set(ALL_STREAMS)
