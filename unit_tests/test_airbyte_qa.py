"""The connectors_qa checks that apply to this connector pass, and each one fails on a doctored copy.

Checks (airbyte-ci/connectors/connectors_qa, by category) and where each is tested:
- assets: icon present, named icon.svg, not Airbyte's default (+ referenced by metadata, square).
- documentation: docs page exists; headings in the template's order; changelog entry for the
  current version (+ the <details> table, newest first); Prerequisites name the required fields;
  migration guide for every breaking change; links (offline: relative files and anchors only).
- metadata: the metadata schema (integration_tests/test_packaging.py) and the validators that need
  no network; breaking-change deadline at least a week away (from the release date, not today).
- packaging: Poetry with a lock and no setup.py; MIT or ELv2; licence and version the same in
  metadata.yaml and pyproject.toml (+ __version__); semantic version; PyPI publishing declared.
- security: no unexcused http:// line; the Python base image declared in metadata.yaml (here: the
  Dockerfile builds FROM exactly that image).
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from unit_tests import airbyte_qa as qa

DOCS = qa.DOCS_PAGE.read_text()
GUIDE = qa.MIGRATION_GUIDE.read_text()
SPEC = json.loads((qa.ROOT / "source_confluence" / "spec.json").read_text())
DATA = qa.metadata()
PROJECT = qa.pyproject()
NAME = DATA["name"]
VERSION = str(DATA["dockerImageTag"])


def _without_section(markdown: str, heading: str) -> str:
    body = qa.section(markdown, heading)
    return markdown.replace(f"{heading}{body}", "", 1)


# documentation ------------------------------------------------------------------------------


def test_docs_page_headings_follow_airbytes_template_in_order():
    assert qa.headings(DOCS)[:4] == ["Confluence", "Prerequisites", "Setup guide", "Set up Confluence"]
    assert qa.heading_order_problems(DOCS, NAME) == []


@pytest.mark.parametrize("doctor, expected", [
    (lambda d: d.replace("## Supported sync modes", "## Sync modes"), "out of place"),
    (lambda d: _without_section(d, "## Prerequisites"), "out of place"),
    (lambda d: d.replace("## Changelog", "## History"), "required headings missing"),
    (lambda d: d.replace("## Data type map", "## Types").replace("## Supported Streams", "## Data type map"),
     "out of place"),
])
def test_heading_order_check_fails_on_a_misnamed_missing_or_moved_heading(doctor, expected):
    problems = qa.heading_order_problems(doctor(DOCS), NAME)
    assert problems and expected in problems[0]


def test_changelog_has_the_current_version_first_in_a_details_table():
    rows = qa.changelog_rows(DOCS)
    assert rows[0][0] == VERSION and [r[0] for r in rows] == ["2.0.0", "0.1.0"]
    assert qa.changelog_problems(DOCS, VERSION) == []


def test_changelog_check_fails_without_the_version_or_the_details_block():
    assert "no changelog entry for the current version 9.9.9" in qa.changelog_problems(DOCS, "9.9.9")
    undetailed = DOCS.replace("<summary>Expand to review</summary>", "")
    assert any("<details>" in p for p in qa.changelog_problems(undetailed, VERSION))
    swapped = DOCS.replace("| 2.0.0 |", "| 0.0.1 |", 1)
    assert any("strictly decreasing" in p for p in qa.changelog_problems(swapped, VERSION))


def test_prerequisites_name_the_required_fields_and_the_credentials():
    assert qa.prerequisites_problems(DOCS, SPEC) == []
    stripped = DOCS.replace("**Confluence URL**", "site address", 1)
    assert qa.prerequisites_problems(stripped, SPEC) == [
        "Prerequisites do not mention the required field 'Confluence URL'"]


def test_migration_guide_has_a_section_per_breaking_change_newest_first():
    breaking = DATA["releases"]["breakingChanges"]
    assert list(breaking) == ["2.0.0"]
    assert qa.migration_guide_problems(GUIDE, NAME, breaking) == []
    assert qa.migration_guide_problems(None, NAME, breaking)
    retitled = GUIDE.replace("# Confluence Migration Guide", "# Migrating", 1)
    assert any("first line" in p for p in qa.migration_guide_problems(retitled, NAME, breaking))
    more = {**breaking, "3.0.0": breaking["2.0.0"]}
    assert any("do not match" in p for p in qa.migration_guide_problems(GUIDE, NAME, more))


def test_links_between_the_docs_resolve_to_files_and_headings():
    pages = [qa.DOCS_PAGE, qa.MIGRATION_GUIDE, qa.ROOT / "README.md"]
    assert [p for page in pages for p in qa.broken_links(page.read_text(), page)] == []
    assert qa.broken_links("[x](#no-such-heading) [y](missing.md)", qa.DOCS_PAGE) == [
        "confluence.md: link to a missing heading #no-such-heading", "confluence.md: link to a missing file missing.md"]
    assert qa.slug("Limitations & Troubleshooting") == "limitations--troubleshooting"


# metadata and assets --------------------------------------------------------------------------


def test_metadata_passes_the_validators_and_sets_a_community_connectors_fields(tmp_path):
    assert qa.metadata_problems(DATA) == []
    assert qa.metadata_problems(DATA, tmp_path) == ["the docs page docs/integrations/sources/confluence.md does not exist"]
    assert DATA["dockerRepository"] == "ghcr.io/source-confluence/source-confluence"
    assert DATA["supportLevel"] == "community" and DATA["ab_internal"] == {"sl": 100, "ql": 100}


@pytest.mark.parametrize("field, value, expected", [
    ("dockerRepository", "airbyte/source-confluence", "own namespace"),
    ("tags", ["language:python", "python"], "key:value"),
    ("dockerImageTag", "3.0.0", "needs a releases.breakingChanges entry"),
    ("documentationUrl", qa.REPOSITORY_URL + "docs/README.md", "is not this repository's docs page"),
    ("documentationUrl", "https://docs.airbyte.com/integrations/sources/confluence", "is not this repository's docs page"),
    ("supportLevel", "certified", "community"),
])
def test_metadata_check_fails_on_each_wrong_field(field, value, expected):
    doctored = {**copy.deepcopy(DATA), field: value}
    assert any(expected in p for p in qa.metadata_problems(doctored))


def test_breaking_change_deadline_is_at_least_a_week_after_the_release():
    released = qa.release_date(DOCS, VERSION)
    assert released == date(2026, 11, 30)
    assert qa.breaking_change_deadline_problems(DATA, released) == []
    doctored = copy.deepcopy(DATA)
    doctored["releases"]["breakingChanges"][VERSION]["upgradeDeadline"] = "2026-12-03"
    assert qa.breaking_change_deadline_problems(doctored, released) == [
        "upgradeDeadline 2026-12-03 is less than a week after the release (2026-11-30)"]


def test_icon_is_present_square_referenced_and_not_airbytes_default(tmp_path):
    assert qa.icon_problems(DATA) == []
    (tmp_path / "icon.svg").write_text('<svg xmlns="x" width="250" height="120"></svg>')
    assert qa.icon_problems({**DATA, "icon": "confluence.svg"}, tmp_path) == [
        "metadata.yaml's icon is not icon.svg", "icon.svg is not square"]
    assert qa.icon_problems(DATA, tmp_path / "nowhere") == ["no icon.svg at the root"]


# packaging -------------------------------------------------------------------------------------


def test_packaging_uses_poetry_and_one_name_version_and_licence():
    assert qa.packaging_problems(DATA, PROJECT) == []
    assert PROJECT["project"]["name"] == DATA["remoteRegistries"]["pypi"]["packageName"] == "source-confluence-plus"
    assert DATA["remoteRegistries"]["pypi"]["enabled"] is False


@pytest.mark.parametrize("doctor, expected", [
    (lambda d, p: d.update(dockerImageTag="2.0.1"), "versions differ"),
    (lambda d, p: p["project"].update(license="Apache-2.0"), "licence"),
    (lambda d, p: d.update(license="GPL-3.0"), "licence"),
    (lambda d, p: d["remoteRegistries"]["pypi"].update(packageName="airbyte-source-confluence"), "PyPI name"),
    (lambda d, p: d["remoteRegistries"]["pypi"].pop("enabled"), "not declared"),
    (lambda d, p: d.update(dockerImageTag="2.0"), "not a semantic version"),
])
def test_packaging_check_fails_on_each_inconsistency(doctor, expected):
    data, project = copy.deepcopy(DATA), copy.deepcopy(PROJECT)
    doctor(data, project)
    assert any(expected in p for p in qa.packaging_problems(data, project))


def test_packaging_check_fails_without_a_lock(tmp_path):
    for name in ("pyproject.toml", "source_confluence/__init__.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(qa.ROOT / name, tmp_path / name)
    assert qa.packaging_problems(DATA, PROJECT, tmp_path) == [
        "Poetry is not the dependency manager (no poetry.lock, or a setup.py)"]


def test_the_lock_matches_pyproject_as_the_pinned_poetry_reads_it():
    poetry = qa.ROOT / ".tools" / "poetry" / "bin" / "poetry"
    assert poetry.exists(), "make install creates .tools/poetry"
    done = subprocess.run([str(poetry), "check", "--lock", "--no-interaction"], cwd=qa.ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


# security --------------------------------------------------------------------------------------


def test_no_plain_http_address_outside_what_airbytes_check_allows():
    assert qa.plain_http_lines() == []


def test_https_check_finds_an_unannotated_address_and_skips_what_airbyte_skips(tmp_path):
    files = {"source_x/a.py": 'URL = "http://example.com"\n',  # ignore-https-check
             "source_x/b.py": 'URL = "http://example.com"  # ignore-https-check\n',  # ignore-https-check
             "source_x/c.py": '# see http://example.com\nSCHEMA = "http://json-schema.org/x"\n',  # ignore-https-check
             "docs/d.md": "plain http://example.com\n<!-- http://example.com -->\n",  # ignore-https-check
             "unit_tests/e.py": 'URL = "http://example.com"\n'}  # ignore-https-check
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    assert qa.plain_http_lines(tmp_path) == [
        "docs/d.md:1: plain http://example.com", 'source_x/a.py:1: URL = "http://example.com"']  # ignore-https-check


def test_the_image_builds_from_the_declared_base_image_and_the_lock():
    dockerfile = (qa.ROOT / "Dockerfile").read_text()
    assert qa.base_image_problems(DATA, dockerfile) == []
    other = dockerfile.replace("python-connector-base:4.0.2", "python-connector-base:4.0.3")
    assert qa.base_image_problems(DATA, other)[0].startswith("Dockerfile FROM")
    pip_only = dockerfile.replace("poetry sync --only main", "pip install .")
    assert qa.base_image_problems(DATA, pip_only) == ["the image does not install the runtime dependencies from poetry.lock"]


def test_acceptance_tests_are_declared_as_a_test_suite():
    assert {"suite": "acceptanceTests"} in DATA["connectorTestSuitesOptions"]
    assert Path(qa.ROOT / "acceptance-test-config.yml").read_text().count(DATA["dockerRepository"]) == 1
