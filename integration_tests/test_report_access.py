"""The report's access section (pipeline/report/access.py): loaded from a hand-made
`confluence__access_overview`, an empty one and a build without it, rendered, and read back through
the page's data attributes."""

from __future__ import annotations

import re
from datetime import date, datetime

import duckdb

from pipeline.marts import ReportData
from pipeline.report import access, page
from pipeline.report.extra import SECTIONS
from pipeline.report.run import RunInfo

COLUMNS = ("content_id varchar, content_type varchar, space_id varchar, space_key varchar, title varchar, "
           "is_restricted boolean, is_over_exposed boolean, is_orphaned boolean, is_open_to_anonymous boolean, "
           "is_open_to_all_licensed_users boolean, viewer_user_count bigint, viewer_group_count bigint, "
           "owner_account_id varchar, owner_name varchar, owner_account_status varchar, last_updated_at timestamp, "
           "web_url varchar")
ROWS = [
    # id, type, space, key, title, restricted, over-exposed, orphaned, anonymous, licensed, users, groups, owner...
    ("p1", "page", "s1", "ENG", "Home", False, True, False, False, True, 2, 1, "u1", "Ann", "active",
     datetime(2024, 6, 1), "https://x/p1"),
    ("p2", "page", "s1", "ENG", "Secret <plan>", True, False, True, False, False, 1, 0, "u2", "Bo", "inactive",
     datetime(2024, 6, 3), "https://x/p2"),
    ("b1", "blogpost", "s2", "OPS", "News", False, True, False, True, False, 70, 2, None, None, None,
     datetime(2024, 5, 1), None),
    ("p3", "page", "s2", "OPS", "Runbook", True, True, True, False, False, 90, 0, "u9", None, None,
     datetime(2024, 6, 9), None),
]


def _connection(rows: list[tuple] | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    if rows is not None:
        con.execute(f"create table {access.MART} ({COLUMNS})")
    if rows:
        con.executemany(f"insert into {access.MART} values ({', '.join('?' * len(ROWS[0]))})", rows)  # noqa: S608
    return con


def test_section_counts_and_lists_restricted_over_exposed_and_orphaned_content():
    data = access.load(_connection(ROWS))
    assert data.totals == {"live": 4, "restricted": 2, "over_exposed": 3, "orphaned": 2, "open_to_anonymous": 1,
                           "open_to_all_licensed_users": 1}
    html = access.render(data)
    cards = dict(re.findall(r'data-access="(\w+)" data-value="(\d+)"', html))
    assert cards == {"restricted": "2", "over_exposed": "3", "orphaned": "2"}
    spaces = re.findall(r'data-space="(\w+)" data-live="(\d+)" data-restricted="(\d+)" data-over-exposed="(\d+)" '
                        r'data-orphaned="(\d+)"', html)
    assert spaces == [("ENG", "2", "1", "1", "1"), ("OPS", "2", "1", "2", "1")]
    # Anonymous first, then all licensed users, then by users who can view.
    exposed = re.findall(r'<tr data-content="(\w+)" data-users="(\d+)" data-anonymous="(\w+)">', html)
    assert exposed == [("b1", "70", "true"), ("p1", "2", "false"), ("p3", "90", "false")]
    # Latest update first; an unknown owner shows the account id.
    orphaned = re.findall(r'<tr data-content="(\w+)" data-owner="(\w*)">', html)
    assert orphaned == [("p3", "u9"), ("p2", "u2")]
    assert "<td>u9</td><td>unknown</td>" in html and "Secret &lt;plan&gt;" in html


def test_an_empty_mart_says_there_is_nothing_to_report():
    data = access.load(_connection([]))
    assert data.available and data.totals["live"] == 0 and data.over_exposed == [] and data.orphaned == []
    assert "No live pages or blog posts" in access.render(data)


def test_a_build_without_the_mart_says_so():
    data = access.load(_connection(None))
    assert not data.available
    assert "No access marts in this build" in access.render(data)


def test_the_page_draws_the_section_after_the_fixed_ones():
    assert "access" in [s.key for s in SECTIONS]
    data = ReportData(
        totals={"live_content": 4, "comments": 0, "open_tasks": 0, "overdue_tasks": 0, "stale_pages": 0, "deleted": 0},
        volume={"ENG": [(date(2024, 1, 1), 1)]}, space_names={"ENG": "Engineering"}, contributors=[], labels=[],
        label_count=0, recent=[], stale_by_space=[], stale=[], stale_total=0, tasks_by_space=[], deleted_by_kind=[],
        deleted=[], deleted_total=0, sections={"access": access.load(_connection(ROWS))},
    )
    html = page.render(data, RunInfo(heading="R"))
    assert html.index('<section id="deleted">') < html.index('<section id="access">') < html.index("</main>")
    assert 'data-access="orphaned" data-value="2"' in html
