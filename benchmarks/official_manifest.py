"""The official Airbyte Confluence connector's manifest, adapted to the v2 API, for the side-by-side
benchmark (bench_side_by_side.py).

The manifest is not copied into the project: it is fetched from PyPI at bench time
(`airbyte-source-confluence`, the version and the wheel's sha256 pinned below, checked by pip's
`--require-hashes`) and cached in the system's temporary directory. The wheel's manifest reads the v1
REST API (`content?type=page` with `expand=...body.storage,body.view`, offset pagination, 25 per
request). `adapt` changes only what v2 requires and nothing else: the same streams (`pages`,
`blog_posts`, `space`) read `/wiki/api/v2/pages`, `/blogposts` and `/spaces` with `body-format=storage`
(v2 gives one body format per request), 250 per request, following `_links.next` (v2's cursor).
`audit` and `group` are left out: they have no v2 list and are not what the comparison measures.
It runs through the CDK's own launcher for manifest-only connectors (`source-declarative-manifest`,
the manifest injected into the config), as Airbyte runs it, with its schemas and record selection
as published; it does not convert bodies to text.
"""

from __future__ import annotations

import copy
import json
import subprocess  # nosec B404
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import yaml

PACKAGE = "airbyte-source-confluence"
VERSION = "0.2.16"
WHEEL = "airbyte_source_confluence-0.2.16-py3-none-any.whl"
WHEEL_SHA256 = "649a1fd3fcd793f1b2bc47edf408ad2a067e6406c38860461b662235c7f5e0c7"
PAGE_SIZE = 250
V2_PATHS = {"pages": "pages", "blog_posts": "blogposts", "space": "spaces"}
"""The manifest's streams kept, and their v2 list."""
WITH_BODIES = ("pages", "blog_posts")
OUR_STREAMS = {"pages": "pages", "blog_posts": "blog_posts", "space": "spaces"}
"""The connector's stream for each of the manifest's: the side-by-side reads these in both."""
LAUNCHER = Path(sys.executable).parent / "source-declarative-manifest"


def fetch_wheel(cache: Path | None = None) -> Path:
    """The pinned wheel, from the cache or downloaded from PyPI with its hash checked."""
    cache = cache or Path(tempfile.gettempdir()) / "official-confluence-manifest"
    wheel = cache / WHEEL
    if not wheel.exists():
        cache.mkdir(parents=True, exist_ok=True)
        requirement = cache / "requirement.txt"
        requirement.write_text(f"{PACKAGE}=={VERSION} --hash=sha256:{WHEEL_SHA256}\n")
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",  # nosec B603
                        "--require-hashes", "-r", str(requirement), "-d", str(cache)], check=True)
    return wheel


def published_manifest(wheel: Path) -> dict[str, Any]:
    with zipfile.ZipFile(wheel) as archive:
        loaded = yaml.safe_load(archive.read("source_confluence/manifest.yaml"))
    assert isinstance(loaded, dict)  # noqa: S101 - the published file is a mapping
    return loaded


def adapt(manifest: dict[str, Any]) -> dict[str, Any]:
    """The published manifest reading v2 (see the module's docstring); `manifest` is not changed."""
    adapted = copy.deepcopy(manifest)
    definitions = adapted["definitions"]
    definitions["base_requester"]["url_base"] = "{{ config['site_url'] }}/wiki/api/v2/"
    for name, path in V2_PATHS.items():
        retriever = definitions["streams"][name]["retriever"]
        retriever["requester"]["path"] = path
        retriever["requester"]["request_parameters"] = {"body-format": "storage"} if name in WITH_BODIES else {}
        retriever["paginator"] = {
            "type": "DefaultPaginator",
            "page_token_option": {"type": "RequestPath"},
            "page_size_option": {"type": "RequestOption", "inject_into": "request_parameter", "field_name": "limit"},
            "pagination_strategy": {
                "type": "CursorPagination",
                "page_size": PAGE_SIZE,
                "cursor_value": "{{ response.get('_links', {}).get('next', '') }}",
                "stop_condition": "{{ not response.get('_links', {}).get('next') }}",
            },
        }
    adapted["streams"] = [{"$ref": f"#/definitions/streams/{name}"} for name in V2_PATHS]
    adapted["check"]["stream_names"] = ["space"]
    return adapted


def config(ours: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest's config for the double `ours` (the connector's config) points at."""
    credentials = ours["credentials"]
    return {"email": credentials["email"], "api_token": credentials["api_token"],
            "domain_name": ours["site_url"].split("://", 1)[-1], "site_url": ours["site_url"].rstrip("/"),
            "__injected_declarative_manifest": manifest}


def catalog(manifest: dict[str, Any], workdir: Path) -> Path:
    """Every kept stream, full refresh (the manifest's streams have no cursor)."""
    schemas = manifest.get("schemas", {})
    streams = [{
        "stream": {"name": name, "json_schema": schemas.get(name, {}),
                   "supported_sync_modes": ["full_refresh"]},
        "sync_mode": "full_refresh", "destination_sync_mode": "overwrite",
    } for name in V2_PATHS]
    path = workdir / "official-catalog.json"
    path.write_text(json.dumps({"streams": streams}))
    return path


def command() -> list[str]:
    return [str(LAUNCHER)]
