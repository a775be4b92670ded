"""Airbyte's connector QA checks (airbyte-ci's connectors_qa) that apply to this connector, as functions.

Each check takes the text or data it judges and returns the problems it finds, worded like a review
comment; an empty list means it passes. They follow what Airbyte's checks test (the rules, not their
code): the tests run them on this repository, and on doctored copies to show each one can fail.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import semver
import yaml
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
TECHNICAL_NAME = "source-confluence"
DOCS_DIR = ROOT / "docs" / "integrations" / "sources"
DOCS_PAGE = DOCS_DIR / "confluence.md"
MIGRATION_GUIDE = DOCS_DIR / "confluence-migrations.md"
REPOSITORY_URL = "https://github.com/source-confluence/source-confluence/blob/main/"
# Airbyte's own PyPI package and Docker namespace for its Confluence connector.
AIRBYTE_PACKAGE = "airbyte-source-confluence"
AIRBYTE_NAMESPACE = "airbyte/"
VALID_LICENSES = {"MIT", "ELV2"}
CONNECTOR_SPECIFIC = "{ Connector-specific features }"
IGNORE_HTTPS = "# ignore-https-check"
# What Airbyte's HTTPS check skips: test and build directories, binary and icon files, and two prefixes.
HTTPS_SKIPPED_DIRS = {".venv", "tests", "unit_tests", "integration_tests", "build", ".pytest_cache",
                      "acceptance_tests_logs", ".hypothesis", ".ruff_cache"}
HTTPS_SKIPPED_FILES = ("*Test.java", "*.jar", "*.pyc", "*.gz", "*.svg", "expected_records.jsonl",
                       "expected_records.json")
HTTPS_ALLOWED_PREFIXES = ("http://json-schema.org", "http://localhost")  # ignore-https-check
COMMENT_MARKERS = {".py": "#", ".yml": "#", ".yaml": "#", ".java": "//", ".md": "<!--"}


def metadata(root: Path = ROOT) -> dict[str, Any]:
    return yaml.safe_load((root / "metadata.yaml").read_text())["data"]


def pyproject(root: Path = ROOT) -> dict[str, Any]:
    return tomllib.loads((root / "pyproject.toml").read_text())


# --------------------------------------------------------------------------------------------
# documentation
# --------------------------------------------------------------------------------------------


def template_headings(name: str) -> list[str]:
    """The headings of Airbyte's connector documentation template, in order."""
    return [name, "Prerequisites", "Setup guide", f"Set up {name}", "For Airbyte Cloud:", "For Airbyte Open Source:",
            CONNECTOR_SPECIFIC, f"Set up the {name} connector in Airbyte", "For Airbyte Cloud:",
            "For Airbyte Open Source:", CONNECTOR_SPECIFIC, "Supported sync modes", "Supported Streams",
            CONNECTOR_SPECIFIC, "Performance considerations", "Data type map", "Limitations & Troubleshooting",
            CONNECTOR_SPECIFIC, "Tutorials", "Changelog"]


def optional_headings(name: str) -> set[str]:
    return {f"Set up the {name} connector in Airbyte", "For Airbyte Cloud:", "For Airbyte Open Source:",
            CONNECTOR_SPECIFIC, "Performance considerations", "Data type map", "Limitations & Troubleshooting",
            "Tutorials"}


def headings(markdown: str, levels: tuple[str, ...] = ("h1", "h2", "h3", "h4")) -> list[str]:
    """Heading texts (levels 1-4), parsed as CommonMark; "Step N: " prefixes dropped as Airbyte does."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    found = []
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type == "heading_open" and opening.tag in levels and inline.children:
            found.append(re.sub(r"^Step \d+: ", "", inline.children[0].content))
    return found


def heading_order_problems(markdown: str, name: str) -> list[str]:
    """The template's headings appear in its order; a connector's own headings only where it allows them."""
    actual, expected, optional = headings(markdown), template_headings(name), optional_headings(name)
    i = j = 0
    while i < len(actual) and j < len(expected):
        if expected[j] == CONNECTOR_SPECIFIC:
            if actual[i] not in expected:
                i += 1
            else:
                j += 1
        elif actual[i] == expected[j]:
            i, j = i + 1, j + 1
        elif expected[j] in optional:
            j += 1
        else:
            return [f"heading {actual[i]!r} is out of place or misnamed: expected {expected[j]!r} here"]
    missing = [h for h in expected[j:] if h not in optional]
    return [f"required headings missing: {missing}"] if missing else []


def section(markdown: str, heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", markdown, re.M)
    if not match:
        return ""
    level = len(match.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(markdown, match.end())
    return markdown[match.end(): end.start() if end else len(markdown)]


def changelog_rows(markdown: str) -> list[list[str]]:
    """The rows (version, date, pull request, subject) of the Changelog section's table."""
    rows = []
    for line in section(markdown, "Changelog").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and len(cells) == 4 and re.fullmatch(r"\d+\.\d+\.\d+\S*", cells[0]):
            rows.append(cells)
    return rows


def changelog_problems(markdown: str, version: str) -> list[str]:
    """A Changelog section with a <details> table, newest version first, that has the current version."""
    lines = markdown.splitlines()
    start = next((n for n, line in enumerate(lines) if "# changelog" in line.lower()), None)
    if start is None:
        return ["no Changelog section"]
    problems = []
    if not any(version in line for line in lines[start:]):
        problems.append(f"no changelog entry for the current version {version}")
    body = section(markdown, "Changelog")
    if not re.search(r"<details>\s*<summary>Expand to review</summary>", body):
        problems.append("the changelog is not in a <details> block with the summary 'Expand to review'")
    if not re.search(r"^\|\s*Version\s*\|\s*Date\s*\|\s*Pull Request\s*\|\s*Subject\s*\|", body, re.M):
        problems.append("the changelog table's columns are not Version | Date | Pull Request | Subject")
    rows = changelog_rows(markdown)
    if not rows or rows[0][0] != version:
        problems.append(f"the changelog's first row is not the current version {version}")
    versions = [semver.Version.parse(row[0]) for row in rows]
    if versions != sorted(set(versions), reverse=True):
        problems.append(f"changelog versions are not strictly decreasing: {[row[0] for row in rows]}")
    for row in rows:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[1]) or not re.fullmatch(r"\[\d+\]\(https://\S+\)", row[2]):
            problems.append(f"changelog row {row[0]}: date must be YYYY-MM-DD and pull request a [number](link)")
    return problems


def release_date(markdown: str, version: str) -> date | None:
    return next((date.fromisoformat(row[1]) for row in changelog_rows(markdown) if row[0] == version), None)


def prerequisites_problems(markdown: str, spec: dict[str, Any]) -> list[str]:
    """Prerequisites name every required spec field by its title, credentials by one of Airbyte's keywords."""
    text = section(markdown, "Prerequisites").lower()
    if not text.strip():
        return ["no Prerequisites section"]
    connection = spec["connectionSpecification"]
    credentials = {"credentials", "client_id", "client_secret", "access_token", "refresh_token", "authorization"}
    problems = [f"Prerequisites do not mention the required field {connection['properties'][f]['title']!r}"
                for f in connection.get("required", []) if f not in credentials
                and connection["properties"][f]["title"].lower() not in text]
    if credentials & set(connection["properties"]) and not any(
            word in text for word in ("account", "auth", "credentials", "access", "client")):
        problems.append("Prerequisites do not say which credentials are needed")
    return problems


def migration_guide_problems(markdown: str | None, name: str, breaking_changes: dict[str, Any]) -> list[str]:
    """A guide titled '<name> Migration Guide' with an 'Upgrading to X' section per breaking change, newest first."""
    if not breaking_changes:
        return []
    if markdown is None:
        return ["breaking changes are declared but there is no migration guide"]
    problems = []
    if markdown.splitlines()[0] != f"# {name} Migration Guide":
        problems.append(f"the migration guide's first line is not '# {name} Migration Guide'")
    found = [line.strip()[len("## Upgrading to "):] for line in markdown.splitlines()
             if line.strip().startswith("## Upgrading to ")]
    expected = sorted(breaking_changes, key=semver.Version.parse, reverse=True)
    if found != expected:
        problems.append(f"'## Upgrading to' sections {found} do not match the breaking changes {expected}")
    return problems


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def broken_links(markdown: str, page: Path) -> list[str]:
    """Relative links to missing files, and #anchors that match no heading (links to the web are not fetched)."""
    problems = []
    for target in re.findall(r"\]\(([^)\s]+)\)", markdown):
        if re.match(r"[a-z]+:", target):
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists():
            problems.append(f"{page.name}: link to a missing file {target}")
        elif anchor and linked.suffix == ".md":
            names = [slug(h) for h in headings(linked.read_text(), ("h1", "h2", "h3", "h4", "h5", "h6"))]
            if anchor not in names:
                problems.append(f"{page.name}: link to a missing heading {target}")
    return problems


# --------------------------------------------------------------------------------------------
# metadata, assets, packaging, security
# --------------------------------------------------------------------------------------------


def metadata_problems(data: dict[str, Any], root: Path = ROOT) -> list[str]:
    """Airbyte's pre-upload metadata validators (those that need no network) and its community fields."""
    problems = []
    tags = data.get("tags", [])
    if any(":" not in tag for tag in tags):
        problems.append(f"tags must be key:value pairs: {tags}")
    if [t for t in tags if t.startswith("language:")] != ["language:python"]:
        problems.append("a Python connector needs exactly one language tag, language:python")
    version = semver.Version.parse(str(data["dockerImageTag"]))
    breaking = (data.get("releases") or {}).get("breakingChanges") or {}
    if version.minor == version.patch == 0 and not version.prerelease and str(version) not in breaking:
        problems.append(f"major version {version} needs a releases.breakingChanges entry")
    if version.prerelease and "rc" in version.prerelease and version.minor == version.patch == 0:
        problems.append("a major version cannot be a release candidate")
    if data["dockerRepository"].startswith(AIRBYTE_NAMESPACE) or "/" not in data["dockerRepository"]:
        problems.append(f"dockerRepository {data['dockerRepository']} is not in this project's own namespace")
    page = DOCS_PAGE.relative_to(ROOT).as_posix()
    if data["documentationUrl"] != REPOSITORY_URL + page:
        problems.append(f"documentationUrl is not this repository's docs page {page}")
    if not (root / page).is_file():
        problems.append(f"the docs page {page} does not exist")
    if data.get("supportLevel") != "community" or (data.get("ab_internal") or {}).get("sl") != 100:
        problems.append("a community connector has supportLevel community and ab_internal.sl 100")
    if not re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", data["connectorBuildOptions"]["baseImage"]):
        problems.append("connectorBuildOptions.baseImage must be <image>:<tag>@sha256:<digest>")
    return problems


def breaking_change_deadline_problems(data: dict[str, Any], released: date | None) -> list[str]:
    """The current version's breaking change, if any, gives at least a week from its release to upgrade."""
    change = ((data.get("releases") or {}).get("breakingChanges") or {}).get(str(data["dockerImageTag"]))
    if change is None:
        return []
    if released is None:
        return [f"version {data['dockerImageTag']} has a breaking change but no release date in the changelog"]
    deadline = date.fromisoformat(str(change["upgradeDeadline"]))
    if deadline < released + timedelta(weeks=1):
        return [f"upgradeDeadline {deadline} is less than a week after the release ({released})"]
    return []


def icon_problems(data: dict[str, Any], root: Path = ROOT) -> list[str]:
    icon = root / "icon.svg"
    if not icon.is_file():
        return ["no icon.svg at the root"]
    problems = [] if data.get("icon") == "icon.svg" else ["metadata.yaml's icon is not icon.svg"]
    svg = icon.read_text()
    size = re.search(r'<svg[^>]*\bwidth="(\d+)"[^>]*\bheight="(\d+)"', svg)
    if not size or size.group(1) != size.group(2):
        problems.append("icon.svg is not square")
    if "M95.775 53.416c20.364-22.88" in svg:
        problems.append("icon.svg is Airbyte's default icon")
    return problems


def packaging_problems(data: dict[str, Any], project: dict[str, Any], root: Path = ROOT) -> list[str]:
    """Poetry with a lock, no setup.py, a permissive licence, one name, version and licence everywhere."""
    problems = []
    if not (root / "poetry.lock").is_file() or (root / "setup.py").exists():
        problems.append("Poetry is not the dependency manager (no poetry.lock, or a setup.py)")
    if "poetry.core" not in project["build-system"]["build-backend"]:
        problems.append("pyproject.toml is not built by poetry-core")
    meta = project["project"]
    if data["license"].upper() not in VALID_LICENSES or str(meta.get("license", "")).upper() != data["license"].upper():
        problems.append(f"licence: metadata {data['license']}, pyproject {meta.get('license')} (MIT or ELv2, the same)")
    try:
        semver.Version.parse(str(data["dockerImageTag"]))
    except ValueError:
        problems.append(f"dockerImageTag {data['dockerImageTag']} is not a semantic version")
    init = re.search(r'^__version__ = "([^"]+)"', (root / "source_confluence" / "__init__.py").read_text(), re.M)
    versions = {str(data["dockerImageTag"]), meta["version"], init.group(1) if init else None}
    if len(versions) != 1:
        problems.append(f"versions differ: metadata, pyproject, __version__ = {sorted(map(str, versions))}")
    pypi = (data.get("remoteRegistries") or {}).get("pypi") or {}
    if not isinstance(pypi.get("enabled"), bool):
        problems.append("remoteRegistries.pypi.enabled is not declared")
    if pypi.get("packageName") != meta["name"] or meta["name"] == AIRBYTE_PACKAGE:
        problems.append(f"PyPI name {pypi.get('packageName')!r} must be pyproject's {meta['name']!r}, not Airbyte's")
    return problems


def plain_http_lines(root: Path = ROOT) -> list[str]:
    """Airbyte's HTTPS check over the tracked files: lines with http:// that it does not excuse."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
    found = []
    for name in filter(None, tracked.decode().split("\0")):
        path = Path(name)
        if HTTPS_SKIPPED_DIRS & set(path.parts) or any(fnmatch.fnmatch(path.name, p) for p in HTTPS_SKIPPED_FILES):
            continue
        try:
            lines = (root / path).read_text().splitlines()
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        marker = COMMENT_MARKERS.get(path.suffix)
        for number, line in enumerate(lines, 1):
            lowered = line.lower()
            if (marker and lowered.lstrip().startswith(marker)) or IGNORE_HTTPS in lowered:
                continue
            for prefix in HTTPS_ALLOWED_PREFIXES:
                lowered = lowered.replace(prefix, "")
            if "http://" in lowered:  # ignore-https-check
                found.append(f"{name}:{number}: {line.strip()}")
    return found


def base_image_problems(data: dict[str, Any], dockerfile: str) -> list[str]:
    """The image builds FROM the base image metadata.yaml declares, and installs from the lock."""
    base = data["connectorBuildOptions"]["baseImage"]
    froms = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    problems = [] if froms == [base] else [f"Dockerfile FROM {froms} is not metadata's baseImage {base}"]
    if not base.startswith("docker.io/airbyte/python-connector-base:"):
        problems.append("the base image is not Airbyte's python-connector-base")
    if "poetry.lock" not in dockerfile or not re.search(r"poetry sync --only main", dockerfile):
        problems.append("the image does not install the runtime dependencies from poetry.lock")
    return problems
