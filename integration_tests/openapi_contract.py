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


CLOUD_V1_PATHS = ("/wiki/rest/api/user/current", "/wiki/rest/api/content/search",
                  "/wiki/rest/api/content/{id}/restriction", "/wiki/rest/api/analytics/content/{contentId}/views",
                  "/wiki/rest/api/analytics/content/{contentId}/viewers")


def openapi_v1_cloud(server_url: str) -> OpenAPI:
    """The v1 paths the connector uses on Cloud: the current user, restrictions (search, per content),
    groups, their members and the audit log (the access document's Cloud paths, its defect fixed the same way)."""
    doc = json.loads(_load("openapi-v1.json"))
    doc["servers"] = [{"url": server_url}]
    paths = (*CLOUD_V1_PATHS, "/wiki/rest/api/group", "/wiki/rest/api/group/{groupId}/membersByGroupId",
             "/wiki/rest/api/audit")
    doc["paths"] = {path: doc["paths"][path] for path in paths}
    for param in doc["paths"]["/wiki/rest/api/group"]["get"]["parameters"]:
        if param.get("name") == "accessType":
            param["schema"].pop("default", None)
    return OpenAPI.from_dict(doc)


def openapi_v1_user_current(server_url: str) -> OpenAPI:
    doc = json.loads(_load("openapi-v1.json"))
    doc["servers"] = [{"url": server_url}]
    # Only the v1 paths the connector uses on Cloud (user/current, restrictions, the analytics counts
    # of content_views); other v1 paths carry invalid parameter defaults (e.g. a default of
    # ['current'] against an enum of strings) that fail spec validation.
    doc["paths"] = {path: doc["paths"][path] for path in CLOUD_V1_PATHS}
    return OpenAPI.from_dict(doc)


DATACENTER_V1_PATHS = ("/wiki/rest/api/user/current", "/wiki/rest/api/user", "/wiki/rest/api/space",
                       "/wiki/rest/api/content/search", "/wiki/rest/api/content/{id}/child/comment",
                       "/wiki/rest/api/content/{id}/version", "/wiki/rest/api/content/{id}/restriction")


def openapi_v1_datacenter(base_url: str) -> OpenAPI:
    """The Cloud v1 document, for the v1 paths Data Center shares with it, served under `base_url`.

    Data Center is not what the document describes; where it differs, the document is widened:
    - paths: Data Center serves `{base}/rest/api/...`; the document's `/wiki` is Cloud's context path.
    - `GET /user` looks users up by `key` or `username`; Cloud only by `accountId` (required there).
    - `GET /content/search` pages by `start`; Cloud moved to `cursor` and no longer lists `start`.
    - `GET /content/scan` (Data Center 7.18+) is not in the document at all: its shape is checked by
      the double's own tests instead.
    - users carry `userKey` and `username` and no `accountId`: the document already allows that.
    - groups carry a name and no id.
    """
    doc = json.loads(_load("openapi-v1.json"))
    doc["servers"] = [{"url": base_url}]
    doc["paths"] = {path.removeprefix("/wiki"): doc["paths"][path] for path in DATACENTER_V1_PATHS}
    user = doc["paths"]["/rest/api/user"]["get"]
    for param in user["parameters"]:
        if param.get("name") == "accountId":
            param["required"] = False
    user["parameters"] += [{"name": name, "in": "query", "schema": {"type": "string"}} for name in ("key", "username")]
    search = doc["paths"]["/rest/api/content/search"]["get"]
    search["parameters"].append({"name": "start", "in": "query", "schema": {"type": "integer", "minimum": 0}})
    # A defect of the document: the enum of `location` sits on the array instead of its items.
    for param in doc["paths"]["/rest/api/content/{id}/child/comment"]["get"]["parameters"]:
        if param.get("name") == "location":
            param["schema"]["items"]["enum"] = param["schema"].pop("enum")
    # Data Center groups have no id: a group is its name (restrictions name groups that way).
    group = doc["components"]["schemas"]["Group"]
    group["required"] = [name for name in group["required"] if name != "id"]
    return OpenAPI.from_dict(doc)


ACCESS_V1_PATHS = ("/wiki/rest/api/group", "/wiki/rest/api/group/{groupId}/membersByGroupId",
                   "/wiki/rest/api/group/{groupName}/member", "/wiki/rest/api/audit", "/wiki/rest/api/space/{spaceKey}")


def openapi_v1_access(server_url: str, datacenter: bool = False) -> OpenAPI:
    """user/current and the v1 paths of groups, members, the audit log and one space (its permissions).

    Data Center serves them under `{base}/rest/api` (no `/wiki`), and its groups have no `id` (the
    name is their handle), so `Group.id` is not required there. A defect of the document: `accessType`
    of `GET /group` has a null default against a string enum, which fails spec validation; it is dropped.
    """
    doc = json.loads(_load("openapi-v1.json"))
    doc["servers"] = [{"url": server_url}]
    wanted = ("/wiki/rest/api/user/current", *ACCESS_V1_PATHS)
    doc["paths"] = {(path.removeprefix("/wiki") if datacenter else path): {"get": doc["paths"][path]["get"]}
                    for path in wanted}
    for param in doc["paths"][("" if datacenter else "/wiki") + "/rest/api/group"]["get"]["parameters"]:
        if param.get("name") == "accessType":
            param["schema"].pop("default", None)
    if datacenter:
        doc["components"]["schemas"]["Group"]["required"].remove("id")
    return OpenAPI.from_dict(doc)
