"""Atlassian's OpenAPI documents (../shared/confluence-api/), loaded for validation against a server.

The published documents have a few defects that real Confluence contradicts; each fix below says
which. Shared by the double's own contract test and the test of the connector's requests.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path

from openapi_core import OpenAPI

V2 = "/wiki/api/v2"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def contract_dir() -> Path:
    """The contract folder: $CONFLUENCE_API_CONTRACT_DIR, else shared/ beside the checkout."""
    configured = os.environ.get("CONFLUENCE_API_CONTRACT_DIR")
    if configured:
        return Path(configured)
    beside = PROJECT_ROOT.parent / "shared" / "confluence-api"
    return beside if beside.exists() else Path("/work/shared/confluence-api")


@cache
def _load(name: str) -> str:
    path = contract_dir() / name
    if not path.exists():
        raise FileNotFoundError(f"API contract {path} is missing (set CONFLUENCE_API_CONTRACT_DIR)")
    return path.read_text()


def openapi_v2(server_url: str) -> OpenAPI:
    doc = json.loads(_load("openapi-v2.json"))
    # The published server is https://{your-domain}/wiki/api/v2; point it at the server under test.
    doc["servers"] = [{"url": server_url + V2}]
    # Invalid in the published document: the default "my, team" is not one of the enum values
    # ['my', 'team'], so the spec validator rejects the whole document. Drop the bad default.
    for path in ("/spaces/{id}/labels", "/spaces/{id}/content/labels"):
        for param in doc["paths"][path]["get"]["parameters"]:
            if param.get("name") == "prefix":
                param["schema"].pop("default", None)
    schemas = doc["components"]["schemas"]
    # The document describes parentId as "ID of the parent page, or null if there is no parent
    # page" but does not mark it nullable; Confluence serves null (with parentType null) for a
    # space's root pages.
    for name in ("PageBulk", "PageSingle"):
        schemas[name]["properties"]["parentId"]["nullable"] = True
    schemas["ParentContentType"]["nullable"] = True
    schemas["ParentContentType"]["enum"].append(None)
    # Same for resolutionLastModifierId/At: "Null until comment is resolved or reopened".
    for prop in ("resolutionLastModifierId", "resolutionLastModifiedAt"):
        schemas["InlineCommentModel"]["properties"][prop]["nullable"] = True
    return OpenAPI.from_dict(copy.deepcopy(doc))


def openapi_v1_user_current(server_url: str) -> OpenAPI:
    doc = json.loads(_load("openapi-v1.json"))
    doc["servers"] = [{"url": server_url}]
    # Only user/current is used; other v1 paths carry invalid parameter defaults (e.g. a default
    # of ['current'] against an enum of strings) that fail spec validation.
    doc["paths"] = {"/wiki/rest/api/user/current": doc["paths"]["/wiki/rest/api/user/current"]}
    return OpenAPI.from_dict(doc)
