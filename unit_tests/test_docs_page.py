"""The docs page documents what the connector has: every stream discover returns, every option of the
spec, every authentication method and its fields, and the current version.

Each check is also run on a copy of the page with one item taken out, to show it would notice.
"""

from __future__ import annotations

import json
import re

import pytest
from airbyte_cdk.test.entrypoint_wrapper import discover
from markdown_it import MarkdownIt

from source_confluence import SourceConfluence
from source_confluence.streams.registry import STREAMS
from unit_tests import airbyte_qa as qa

DOCS = qa.DOCS_PAGE.read_text()
SPEC = json.loads((qa.ROOT / "source_confluence" / "spec.json").read_text())
SAMPLE_CONFIG = json.loads((qa.ROOT / "integration_tests" / "sample_config.json").read_text())


def discovered_streams() -> list[str]:
    output = discover(SourceConfluence(), SAMPLE_CONFIG)
    return [stream.name for stream in output.catalog.catalog.streams]


def streams_table(markdown: str) -> set[str]:
    """Stream names in the first column of the Supported Streams table."""
    return set(re.findall(r"^\|\s*`([a-z_]+)`\s*\|", qa.section(markdown, "Supported Streams"), re.M))


def code_spans(markdown: str) -> set[str]:
    return set(re.findall(r"`([^`\n]+)`", markdown))


def undocumented_options(markdown: str, spec: dict) -> list[str]:
    """Top-level options not named in code (`name` or `name.field`), and authentication methods or their
    visible fields named neither in code nor by their title."""
    spans, text = code_spans(markdown), markdown.lower()
    properties = spec["connectionSpecification"]["properties"]
    missing = [name for name in properties
               if name not in spans and not any(span.startswith(f"{name}.") for span in spans)]
    for method in properties["credentials"]["oneOf"]:
        if method["title"].lower() not in text and method["title"].split(" (")[0].lower() not in text:
            missing.append(f"credentials: {method['title']}")
        for name, field in method["properties"].items():
            if field.get("airbyte_hidden") or "const" in field:
                continue
            if name not in spans and field["title"].lower() not in text:
                missing.append(f"credentials.{name} ({method['title']})")
    return missing


def test_every_discovered_stream_is_in_the_supported_streams_table():
    streams = discovered_streams()
    assert len(streams) == len(STREAMS) >= 12  # every registered stream is discovered
    assert {"decisions", "content_views"} <= set(streams)  # issue 14
    assert streams_table(DOCS) == set(streams)


def test_a_stream_missing_from_the_table_is_noticed():
    without_tasks = "\n".join(line for line in DOCS.splitlines() if not line.startswith("| `tasks` |"))
    assert set(discovered_streams()) - streams_table(without_tasks) == {"tasks"}


def test_every_spec_option_and_authentication_method_is_documented():
    assert undocumented_options(DOCS, SPEC) == []


@pytest.mark.parametrize("removed, expected", [
    ("`page_tree_roots`", "page_tree_roots"),
    ("Server time zone", "credentials.server_time_zone (Personal access token (Confluence Data Center))"),
    ("Scoped API token", "credentials: Scoped API token (Confluence Cloud)"),
])
def test_an_option_missing_from_the_page_is_noticed(removed, expected):
    doctored = re.sub(re.escape(removed), "something", DOCS, flags=re.I)
    assert expected in undocumented_options(doctored, SPEC)


def test_the_current_version_is_on_the_page_and_a_missing_one_is_noticed():
    version = str(qa.metadata()["dockerImageTag"])
    assert qa.changelog_problems(DOCS, version) == []
    without = DOCS.replace(f"| {version} |", "| 1.9.9 |")
    assert f"no changelog entry for the current version {version}" in qa.changelog_problems(without, version)


def ragged_table_rows(markdown: str) -> list[str]:
    """Table rows whose cell count differs from their table's header (renderers pad or drop cells)."""
    ragged, width = [], None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line.strip().strip("|")))
        if width is None:
            width = cells
        elif cells != width:
            ragged.append(line)
    return ragged


@pytest.mark.parametrize("page", [qa.DOCS_PAGE, qa.MIGRATION_GUIDE], ids=lambda p: p.name)
def test_the_pages_render_every_table_whole_and_the_changelog_folded(page):
    markdown = page.read_text()
    assert ragged_table_rows(markdown) == []
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    delimiter_rows = re.findall(r"^\|(?:\s*:?-{3,}:?\s*\|)+\s*$", markdown, re.M)
    assert len(re.findall(r"<table>", html)) == len(delimiter_rows) > 0
    if page == qa.DOCS_PAGE:
        folded = re.search(r"<details>\s*<summary>Expand to review</summary>(.*?)</details>", html, re.S)
        assert folded and re.search(r"<td[^>]*>2\.0\.0</td>", folded.group(1))


def test_a_row_with_a_missing_or_extra_cell_is_noticed():
    doctored = qa.DOCS_PAGE.read_text().replace("| `spaces` | `id` | full refresh |", "| `spaces` | `id` |", 1)
    doctored = doctored.replace("| Full Refresh - Append | yes |", "| Full Refresh - Append | yes | | |", 1)
    ragged = ragged_table_rows(doctored)
    assert len(ragged) == 2
    assert ragged[0].startswith("| Full Refresh - Append | yes | | |") and ragged[1].startswith("| `spaces` | `id` | - |")
