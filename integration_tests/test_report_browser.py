"""The HTML report as a browser shows it: a small pipeline run (double -> PyAirbyte -> dbt ->
report), the page opened in headless Chromium, and every chart's rendered values compared with
queries of the marts written here, independently of the report's own queries.

Chromium comes from Debian (scripts/ensure_chromium.sh installs it when missing).
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from PIL import Image

from confluence_double import ConfluenceDouble, SiteSpec
from pipeline.job import JobResult, run_job

pytestmark = pytest.mark.pipeline

REPO = Path(__file__).resolve().parents[1]
SPEC = SiteSpec(spaces=3, pages=240, blog_posts=30, footer_comments=120, inline_comments=40, tasks=90,
                attachments=30, labels=16, users=12, seed=5, body_bytes=600)
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


class _Collector(HTMLParser):
    """Every element with its attributes and the text directly inside it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in ("circle", "rect", "polyline", "line", "meta", "br"):
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].text += data


@dataclass
class Rendered:
    job: JobResult
    db: Path
    dom: list[Element]
    html: str
    png: bytes


def _chromium() -> str:
    return subprocess.run([str(REPO / "scripts" / "ensure_chromium.sh")], check=True, capture_output=True,
                          text=True, timeout=900).stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rendered]:
    browser = _chromium()
    work = tmp_path_factory.mktemp("report")
    db = work / "confluence.duckdb"
    with ConfluenceDouble(SPEC) as double:
        job = run_job({**double.config(), "deletion_check_interval_hours": 0}, db, work / "report.html", work,
                      heading="Browser test", out=io.StringIO())
    url = job.report_path.resolve().as_uri()
    profile = work / "chromium-profile"
    dump = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                          check=True, capture_output=True, text=True, timeout=120)
    png_path = work / "report.png"
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,2400",
                    f"--screenshot={png_path}", url], check=True, capture_output=True, timeout=120)
    collector = _Collector()
    collector.feed(dump.stdout)
    yield Rendered(job, db, collector.elements, dump.stdout, png_path.read_bytes())


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _find(dom: list[Element], **attrs: str) -> list[Element]:
    return [e for e in dom if all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def _having(dom: list[Element], tag: str, *names: str) -> list[Element]:
    return [e for e in dom if e.tag == tag and all(n in e.attrs for n in names)]


def _chart(dom: list[Element], chart_id: str) -> list[Element]:
    """Elements between the chart's <svg> and the next <svg> or section."""
    start = next(i for i, e in enumerate(dom) if e.tag == "svg" and e.attrs.get("id") == chart_id)
    inside = []
    for e in dom[start + 1:]:
        if e.tag in ("svg", "section"):
            break
        inside.append(e)
    return inside


def test_the_page_ran_its_script_and_loads_nothing_from_elsewhere(rendered):
    body = next(e for e in rendered.dom if e.tag == "body")
    assert body.attrs["data-ready"] == "true"  # the inline script ran in Chromium without errors
    assert not [e for e in rendered.dom if e.tag in ("link", "img", "iframe", "object", "embed")]
    assert not [e for e in rendered.dom if e.tag == "script" and "src" in e.attrs]
    assert "url(" not in rendered.html and "@import" not in rendered.html


def test_volume_chart_shows_the_content_created_per_space_and_month(rendered):
    expected = {(key, period.isoformat()): created for key, period, created in _query(rendered.db, """
        select space_key, period_start, sum(content_created_count)::bigint
        from analytics.confluence__content_volume where period_type = 'month' group by all""")}
    points = _having(_chart(rendered.dom, "chart-volume"), "circle", "data-space", "data-period", "data-value")
    shown = {(p.attrs["data-space"], p.attrs["data-period"]): int(p.attrs["data-value"]) for p in points}
    assert len(points) == len(expected) > 3 * 12
    assert shown == expected
    assert sum(shown.values()) == _query(rendered.db, """
        select count(*) from analytics.stg_confluence__pages where status = 'current'""")[0][0] + _query(
        rendered.db, "select count(*) from analytics.stg_confluence__blog_posts where status = 'current'")[0][0]
    # One line and one legend entry per space.
    spaces = {row[0] for row in _query(rendered.db, "select distinct space_key from analytics.confluence__content_volume")}
    assert {e.attrs["data-series"] for e in _having(rendered.dom, "g", "data-series")} == spaces
    assert {e.attrs["data-toggle-series"] for e in _having(rendered.dom, "g", "data-toggle-series")} == spaces


def test_contributors_chart_shows_the_top_ten_with_their_contributions(rendered):
    expected = _query(rendered.db, """
        select account_id, sum(content_created_count), sum(content_updated_count), sum(comments_written_count),
               sum(tasks_completed_count), sum(total_contributions)
        from analytics.confluence__contributors where period_type = 'month'
        group by account_id order by 6 desc, any_value(display_name), account_id limit 10""")
    bars = _having(_chart(rendered.dom, "chart-contributors"), "g", "data-account")
    assert [(b.attrs["data-account"], int(b.attrs["data-value"])) for b in bars] == [(r[0], r[5]) for r in expected]
    segments = _having(_chart(rendered.dom, "chart-contributors"), "rect", "data-kind", "data-value")
    by_kind = [int(s.attrs["data-value"]) for s in segments]
    assert by_kind == [v for r in expected for v in r[1:5]]


def test_label_chart_shows_the_most_used_labels(rendered):
    expected = _query(rendered.db, """
        select label_name, content_count from analytics.confluence__label_distribution
        order by content_count desc, label_name limit 15""")
    bars = _having(_chart(rendered.dom, "chart-labels"), "g", "data-label")
    assert [(b.attrs["data-label"], int(b.attrs["data-value"])) for b in bars] == expected
    assert len(expected) == min(15, _query(rendered.db, "select count(*) from analytics.confluence__label_distribution")[0][0])


def test_task_chart_shows_completed_open_and_overdue_per_space(rendered):
    expected = {key: (done, open_, overdue) for key, done, open_, overdue in _query(rendered.db, """
        select space_key, sum(completed_task_count), sum(open_task_count), sum(overdue_task_count)
        from analytics.confluence__task_completion group by space_key""")}
    bars = _having(_chart(rendered.dom, "chart-tasks"), "g", "data-space")
    shown = {b.attrs["data-space"]: (int(b.attrs["data-completed"]), int(b.attrs["data-open"]),
                                     int(b.attrs["data-overdue"])) for b in bars}
    assert shown == expected
    for bar in bars:
        done, open_, _ = shown[bar.attrs["data-space"]]
        assert int(bar.attrs["data-value"]) == done + open_


def test_stale_chart_and_table_follow_the_stale_content_mart(rendered):
    expected = dict(_query(rendered.db, "select space_key, count(*) from analytics.confluence__stale_content group by 1"))
    bars = _having(_chart(rendered.dom, "chart-stale"), "g", "data-space")
    assert {b.attrs["data-space"]: int(b.attrs["data-value"]) for b in bars} == expected
    total = _find(rendered.dom, data_kpi="stale_pages")[0]
    assert int(total.attrs["data-value"]) == sum(expected.values()) > 0


def test_recent_updates_table_links_the_newest_content(rendered):
    expected = _query(rendered.db, """
        select title, web_url from analytics.confluence__recent_updates order by recency_rank limit 20""")
    start = next(i for i, e in enumerate(rendered.dom) if e.attrs.get("id") == "table-recent")
    links = []
    for e in rendered.dom[start:]:
        if e.tag == "section":
            break
        if e.tag == "a":
            links.append((e.text, e.attrs["href"]))
    assert links == expected
    assert all(href.startswith("http://127.0.0.1:") for _, href in links)


def test_deleted_content_is_counted_by_object_and_kind(rendered):
    expected = {(t, k): n for t, k, n in _query(rendered.db, """
        select object_type, deletion_kind, count(*) from analytics.confluence__source_deleted_content group by all""")}
    rows = _having(rendered.dom, "tr", "data-object-type", "data-kind", "data-value")
    assert {(r.attrs["data-object-type"], r.attrs["data-kind"]): int(r.attrs["data-value"]) for r in rows} == expected
    assert sum(expected.values()) > 0  # the generated site has trashed pages


def test_first_sync_changes_table_lists_every_stream(rendered):
    rows = _having(rendered.dom, "tr", "data-stream", "data-records")
    assert {r.attrs["data-stream"]: int(r.attrs["data-records"]) for r in rows} == rendered.job.sync.records
    counts = dict(_query(rendered.db, """
        select 'pages', count(*) from main.pages union all select 'comments', count(*) from main.comments"""))
    assert rendered.job.sync.records["pages"] == counts["pages"]
    assert rendered.job.sync.records["comments"] == counts["comments"]


# -- the screenshot -----------------------------------------------------------------------------
def test_screenshot_shows_the_charts_in_their_colours(rendered):
    image = Image.open(io.BytesIO(rendered.png)).convert("RGB")
    assert image.size == (1280, 2400)
    colours = {rgb for _, rgb in image.getcolors(maxcolors=1 << 24)}
    # The header band, the first space's line and the label chart's bars are painted.
    for hex_colour in ("17324d", "2f6fdf", "1aa3a3"):
        assert tuple(bytes.fromhex(hex_colour)) in colours, hex_colour
    assert len(colours) > 200  # text and charts, not a blank page


def test_report_dates_are_the_marts_dates(rendered):
    newest = _query(rendered.db, "select max(updated_at) from analytics.confluence__recent_updates")[0][0]
    assert isinstance(newest.date(), date)
    assert newest.strftime("%Y-%m-%d %H:%M") in rendered.html
