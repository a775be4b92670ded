"""The report's decision log and engagement sections and the contributors chart's edit rule, drawn
from marts written by hand into a DuckDB file (with the marts' columns): what each shows, read from
its data attributes, and what it says when a mart is empty or was never built."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from pipeline.marts import ReportData
from pipeline.report import decisions, engagement
from pipeline.report.extra import SECTIONS
from pipeline.report.page import render as render_page
from pipeline.report.run import RunInfo
from pipeline.report.sections import contributors

DECISION_LOG = """create table analytics.confluence__decision_log (
    decision_id varchar, decision_local_id varchar, decision_text varchar, state varchar, is_decided boolean,
    decision_date date, first_seen_at timestamp, updated_at timestamp, container_id varchar,
    container_type varchar, container_title varchar, container_web_url varchar, is_meeting_note boolean,
    space_id varchar, space_key varchar, space_name varchar)"""
ENGAGEMENT = """create table analytics.confluence__content_engagement (
    content_id varchar, content_type varchar, title varchar, space_id varchar, space_key varchar,
    space_name varchar, web_url varchar, owner_account_id varchar, owner_name varchar,
    last_updated_at timestamp, days_since_update bigint, view_count bigint, viewer_count bigint,
    counted_from timestamp, counted_at timestamp, is_view_counted boolean, is_stale boolean,
    is_stale_and_unread boolean, is_popular_but_stale boolean)"""
INSERT_ENGAGEMENT = "insert into confluence__content_engagement values (" + ", ".join("?" * 19) + ")"  # noqa: S608 - placeholders only


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists analytics")
    con.execute("set search_path = 'analytics'")
    return con


def attribute_values(html: str, element_id: str, attribute: str) -> list[str]:
    """`attribute` of every row of the table `element_id`, in order."""
    table = re.search(rf'<table[^>]* id="{element_id}".*?</table>', html, re.S)
    assert table, element_id
    return re.findall(rf'<tr [^>]*{attribute}="([^"]*)"', table.group(0))


def engagement_row(content_id: str, views: int | None, days: int, *, stale: bool, unread: bool = False,
                   popular: bool = False) -> tuple:
    counted = views is not None
    return (content_id, "page", f"Title {content_id}", "s1", "ENG", "Eng", f"https://x/{content_id}", "u-a", "Ann",
            datetime(2024, 1, 1), days, views, views, datetime(2024, 1, 1) if counted else None,
            datetime(2024, 6, 28) if counted else None, counted, stale, unread, popular)


def test_decision_log_lists_the_latest_decisions_with_their_state(tmp_path):
    con = connect(tmp_path / "m.duckdb")
    con.execute(DECISION_LOG)
    con.executemany("insert into confluence__decision_log values (?, '1', ?, ?, ?, ?, null, null, 'p1', 'page',"
                    " 'Weekly sync', 'https://x/p1', ?, 's1', 'ENG', 'Eng')", [
                        ("p1:1", "Ship on Friday", "decided", True, date(2024, 6, 3), True),
                        ("p2:1", "Maybe move <the> meeting", "undecided", False, date(2024, 6, 10), False),
                        ("p3:1", "Older", "decided", True, date(2024, 5, 1), False),
                    ])
    log = decisions.load(con)
    assert (log.built, log.total, log.decided) == (True, 3, 2)
    html = decisions.render(log)
    assert attribute_values(html, "table-decisions", "data-decision") == ["p2:1", "p1:1", "p3:1"]  # newest first
    assert attribute_values(html, "table-decisions", "data-state") == ["undecided", "decided", "decided"]
    assert attribute_values(html, "table-decisions", "data-meeting-note") == ["false", "true", "false"]
    assert 'data-total="3" data-decided="2"' in html
    assert "Maybe move &lt;the&gt; meeting" in html


def test_decision_log_without_decisions_or_without_the_mart(tmp_path):
    con = connect(tmp_path / "m.duckdb")
    missing = decisions.load(con)
    assert not missing.built
    assert 'id="decisions-empty"' in decisions.render(missing) and "run dbt build" in decisions.render(missing)
    con.execute(DECISION_LOG)
    empty = decisions.load(con)
    assert (empty.built, empty.total, empty.latest) == (True, 0, [])
    html = decisions.render(empty)
    assert 'id="decisions-empty"' in html and "<code>decisions</code> stream is not synced" in html
    assert "table-decisions" not in html


def test_engagement_shows_unread_popular_stale_and_most_read(tmp_path):
    con = connect(tmp_path / "m.duckdb")
    con.execute(ENGAGEMENT)
    con.executemany(INSERT_ENGAGEMENT, [
        engagement_row("p1", 0, 400, stale=True, unread=True),
        engagement_row("p2", 0, 200, stale=True, unread=True),
        engagement_row("p3", 300, 250, stale=True, popular=True),
        engagement_row("p4", 40, 10, stale=False),
        engagement_row("p5", None, 500, stale=True),  # not counted: in no table
    ])
    data = engagement.load(con)
    assert (data.live, data.counted, data.stale, data.unread_total, data.popular_stale_total) == (5, 4, 4, 2, 1)
    html = engagement.render(data)
    assert attribute_values(html, "table-unread", "data-content") == ["p1", "p2"]  # oldest first
    assert attribute_values(html, "table-popular-stale", "data-content") == ["p3"]
    assert attribute_values(html, "table-most-read", "data-content") == ["p3", "p4"]
    assert attribute_values(html, "table-most-read", "data-views") == ["300", "40"]
    assert 'data-counted="4" data-unread="2" data-popular-stale="1"' in html


def test_engagement_without_counts_or_without_the_mart(tmp_path):
    con = connect(tmp_path / "m.duckdb")
    missing = engagement.load(con)
    assert not missing.built and "run dbt build" in engagement.render(missing)
    con.execute(ENGAGEMENT)
    con.execute(INSERT_ENGAGEMENT, engagement_row("p5", None, 500, stale=True))
    uncounted = engagement.load(con)
    assert (uncounted.live, uncounted.counted, uncounted.stale) == (1, 0, 1)
    html = engagement.render(uncounted)
    assert 'id="engagement-empty"' in html and "<code>page_views</code>" in html and "table-unread" not in html


def _data(edit_source: str | None, sections: dict | None = None) -> ReportData:
    return ReportData(
        totals={"live_content": 0, "comments": 0, "open_tasks": 0, "overdue_tasks": 0, "stale_pages": 0, "deleted": 0},
        volume={}, space_names={}, labels=[], label_count=0, recent=[], stale_by_space=[], stale=[], stale_total=0,
        tasks_by_space=[], deleted_by_kind=[], deleted=[], deleted_total=0, edit_source=edit_source,
        contributors=[{"account_id": "a1", "display_name": "Ada", "created": 1, "updated": 40, "comments": 0,
                       "tasks": 0, "total": 41}],
        sections=sections or {},
    )


@pytest.mark.parametrize(("source", "phrase"), [
    ("versions", "every version, by its author"),
    ("latest_version", "only the latest version"),
    ("mixed", "else the latest version only"),
    (None, "All time, by contributions. </p>"),
])
def test_contributors_chart_says_how_edits_were_counted(source, phrase):
    html = contributors(_data(source))
    assert f'data-edit-source="{source or ""}"' in html and phrase in html
    assert re.search(r'data-account="a1"', html)


def test_the_page_draws_both_sections_after_the_fixed_ones(tmp_path):
    assert [s.key for s in SECTIONS][:2] == ["decisions", "engagement"]
    con = connect(tmp_path / "m.duckdb")  # neither mart built: both sections still drawn, empty
    sections = {s.key: s.load(con) for s in SECTIONS}
    html = render_page(_data("versions", sections), RunInfo(heading="R"))
    assert html.index('id="deleted"') < html.index('id="decisions"') < html.index('id="engagement"')
    assert 'id="decisions-empty"' in html and 'id="engagement-empty"' in html
