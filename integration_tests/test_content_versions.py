"""content_versions over the double, both flavours: a full and an incremental sync equal the site's
version history, long histories are paged through, a sync with no change asks for no version, and
the double's version lists conform to the contract."""

from __future__ import annotations

import json
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from confluence_double import ConfluenceDouble, DataCenterDouble, DataCenterSettings, SiteSpec, user_key
from confluence_double.model import Site, iso
from integration_tests import openapi_contract as contract
from integration_tests.conftest import catalog, final_state, records_by_stream, sync
from integration_tests.site_truth import expected_ids

SPEC = SiteSpec(spaces=2, pages=120, blog_posts=20, footer_comments=60, inline_comments=20, tasks=40,
                attachments=20, labels=10, users=8, seed=11, body_bytes=800)
STREAM = "content_versions"
PAGE_SIZE = 10
FLAVOURS = ("cloud", "datacenter")


@pytest.fixture(params=FLAVOURS)
def flavoured(request) -> Iterator[tuple[str, Any]]:
    if request.param == "cloud":
        with ConfluenceDouble(SPEC) as double:
            yield "cloud", double
    else:
        with DataCenterDouble(SPEC) as double:
            yield "datacenter", double


def site_versions(site: Site, flavour: str) -> dict[str, dict[str, Any]]:
    """Every version a sync of every history should deliver: of what the content streams list (Data
    Center's search lists current content only), by record id."""
    ids = expected_ids(site)
    objects = [*(site.pages[i] for i in ids["pages"]), *(site.blog_posts[i] for i in ids["blog_posts"]),
               *(site.comments[i] for i in ids["comments"]), *(site.attachments[i] for i in ids["attachments"])]
    if flavour == "datacenter":
        containers = {o.id for o in objects if o.status == "current"}
        objects = [o for o in objects if o.status == "current" and getattr(o, "container_id", o.id) in containers]
    account = (lambda a: user_key(a)) if flavour == "datacenter" else (lambda a: a)
    return {f"{o.id}:{v.number}": {"author_id": account(v.author_id), "created_at": iso(v.created_at),
                                   "minor_edit": v.minor_edit, "message": v.message or None}
            for o in objects for v in site.versions_of(o)}


def delivered(records: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i: {"author_id": r.get("author_id"), "created_at": r["created_at"], "minor_edit": r.get("minor_edit"),
                "message": r.get("message")} for i, r in records.items()}


def version_requests(double: Any) -> int:
    return sum(1 for r in double.requests if r.path.endswith(("/versions", "/version")))


def test_full_and_incremental_syncs_equal_the_sites_version_history(flavoured):
    flavour, double = flavoured
    options = {"version_history": "all", "page_size": PAGE_SIZE, "search_index_lag_minutes": 0}
    first = sync(double, [STREAM], **options)
    truth = site_versions(double.site, flavour)
    assert not first.errors and delivered(records_by_stream(first)[STREAM]) == truth
    # Some histories span more than two pages of versions: they were paged through.
    longest = max(int(key.rpartition(":")[2]) for key in truth)
    assert longest > 2 * PAGE_SIZE

    site = double.site
    page = max((p for p in site.pages.values() if p.status == "current"), key=lambda p: p.version.number)
    site.edit_page(page.id, title="Edited once")
    site.edit_page(page.id, title="Edited twice", minor_edit=True)
    comment = next(c for c in site.comments.values() if c.status == "current" and c.container_id in site.pages
                   and site.pages[c.container_id].status == "current")
    site.edit_comment(comment.id, "<p>Reworded</p>")
    added = site.add_comment(page.id, "<p>New</p>")
    before = len(double.requests)
    second = sync(double, [STREAM], state=final_state(first), **options)
    after = site_versions(site, flavour)
    new = {key: value for key, value in after.items() if key not in truth}
    got = delivered(records_by_stream(second)[STREAM])
    assert not second.errors and got == new  # exactly the new versions, nothing older
    assert {f"{page.id}:{page.version.number}", f"{page.id}:{page.version.number - 1}",
            f"{comment.id}:{comment.version.number}", f"{added.id}:1"} <= set(got)
    # Requests grow with the changes: one version list per changed item (the page's long history
    # is not read again).
    assert sum(1 for r in double.requests[before:] if r.path.endswith(("/versions", "/version"))) == 3

    before = version_requests(double)
    third = sync(double, [STREAM], state=final_state(second), **options)
    assert not third.errors and third.records == []
    assert version_requests(double) == before  # no change, no version request


def test_the_double_serves_version_lists_as_the_contract_describes():
    with ConfluenceDouble(SPEC) as double, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v2 = contract.openapi_v2(double.url)
        site = double.site
        page = max(site.pages.values(), key=lambda p: p.version.number)
        comment = next(c for c in site.comments.values() if c.comment_type == "inline")
        attachment = next(iter(site.attachments.values()))
        blog = next(iter(site.blog_posts.values()))
        auth = (double.config()["credentials"]["email"], double.config()["credentials"]["api_token"])
        numbers: list[int] = []
        link: str | None = f"/wiki/api/v2/pages/{page.id}/versions?sort=-modified-date&limit=7"
        while link:
            response = requests.get(double.url + link, auth=auth, timeout=10)
            request = RequestsOpenAPIRequest(response.request)
            v2.validate_request(request)
            v2.validate_response(request, RequestsOpenAPIResponse(response))
            numbers += [v["number"] for v in response.json()["results"]]
            link = response.json()["_links"].get("next")
        assert numbers == list(range(page.version.number, 0, -1))
        for path in (f"/blogposts/{blog.id}/versions", f"/inline-comments/{comment.id}/versions",
                     f"/attachments/{attachment.id}/versions"):
            response = requests.get(f"{double.url}/wiki/api/v2{path}", auth=auth, timeout=10)
            request = RequestsOpenAPIRequest(response.request)
            v2.validate_response(request, RequestsOpenAPIResponse(response))
            assert [v["number"] for v in response.json()["results"]][0] == 1  # ascending by default

    with DataCenterDouble(SPEC, DataCenterSettings()) as dc, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v1 = contract.openapi_v1_datacenter(dc.base_url)
        page = max((p for p in dc.site.pages.values() if p.status == "current"), key=lambda p: p.version.number)
        response = requests.get(f"{dc.base_url}/rest/api/content/{page.id}/version", params={"limit": 5},
                                headers={"Authorization": "Bearer " + dc.settings.personal_access_token}, timeout=10)
        request = RequestsOpenAPIRequest(response.request)
        v1.validate_request(request)
        v1.validate_response(request, RequestsOpenAPIResponse(response))
        assert [v["number"] for v in response.json()["results"]] == list(range(page.version.number, 0, -1))[:5]


CONSOLE_SCRIPT = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "source-confluence"


def read_until_killed(double: Any, workdir: Path, state: list[dict], kill_after: int | None,
                      options: dict[str, Any]) -> tuple[list[str], list[dict], bool]:
    """One connector process reading content_versions; SIGKILL after `kill_after` records and states."""
    (workdir / "config.json").write_text(json.dumps({**double.config(), **options}))
    (workdir / "catalog.json").write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog([STREAM]))))
    args = [str(CONSOLE_SCRIPT), "read", "--config", str(workdir / "config.json"),
            "--catalog", str(workdir / "catalog.json")]
    if state:
        (workdir / "state.json").write_text(json.dumps(state))
        args += ["--state", str(workdir / "state.json")]
    ids: list[str] = []
    latest = state[-1:] if state else []
    seen, killed = 0, False
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        message = json.loads(line)
        if message["type"] == "RECORD":
            ids.append(message["record"]["data"]["id"])
        elif message["type"] == "STATE":
            latest = [message["state"]]
        seen += message["type"] in ("RECORD", "STATE")
        if kill_after is not None and seen >= kill_after:
            process.kill()  # no flush, no finally blocks
            killed = True
            break
    process.stdout.close()
    assert process.wait(timeout=60) == (-9 if killed else 0)
    return ids, latest, killed


@pytest.mark.parametrize("kill_after", [5, 120, 400])
def test_a_killed_sync_loses_no_version(tiny_double, tmp_path, kill_after):
    """Killed mid-way (first a full history read, then an incremental one after edits), the next
    sync resumes: together they deliver every version, and repeat only what the kill cut short."""
    options = {"version_history": "all", "page_size": 20, "num_workers": 2}
    first, state, killed = read_until_killed(tiny_double, tmp_path, [], kill_after, options)
    assert killed
    rest, state, killed = read_until_killed(tiny_double, tmp_path, state, None, options)
    assert set(first) | set(rest) == expected_ids(tiny_double.site)[STREAM]
    page = next(p for p in tiny_double.site.pages.values() if p.status == "current")
    for title in ("One", "Two", "Three"):
        tiny_double.site.edit_page(page.id, title=title)
    cut, state, _ = read_until_killed(tiny_double, tmp_path, state, 1, options)
    resumed, _, _ = read_until_killed(tiny_double, tmp_path, state, None, options)
    assert {f"{page.id}:{page.version.number - n}" for n in range(3)} <= set(cut) | set(resumed)
