"""content_restrictions and folders over real HTTP, on both flavours of the double: a full sync
equals the site; after restrict / lift / move-into-a-folder, one incremental sync with the
reconciliation due reflects every change and nothing else; a no-change sync stays within the
documented cost (docs: content_restrictions and folders sections)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from confluence_double import ConfluenceDouble, SiteSpec
from confluence_double.datacenter import DataCenterDouble
from confluence_double.model import Principal, Site
from integration_tests.access_truth import expected_folders, expected_restrictions, principal_id
from integration_tests.conftest import final_state, records_by_stream, requests_by_path, sync

STREAMS = ("pages", "blog_posts", "content_restrictions", "folders")
SPEC = SiteSpec(spaces=2, pages=120, blog_posts=20, footer_comments=10, inline_comments=5, tasks=5, attachments=5,
                labels=5, users=8, seed=13, body_bytes=400, folders=3, restricted=12)
DUE = {"restriction_reconciliation_interval_hours": 0}
SEARCH = "/rest/api/content/search"


@pytest.fixture
def cloud() -> Iterator[ConfluenceDouble]:
    with ConfluenceDouble(SPEC) as server:
        yield server


@pytest.fixture
def datacenter() -> Iterator[DataCenterDouble]:
    with DataCenterDouble(SiteSpec(**{**SPEC.__dict__, "folders": 0})) as server:
        yield server


def live(rows: dict[str, dict]) -> dict[str, dict]:
    return {key: row for key, row in rows.items() if row.get("deleted_at") is None}


def test_cloud_full_sync_equals_the_site(cloud):
    output = sync(cloud, STREAMS)
    assert not output.errors
    got = records_by_stream(output)
    rows = live(got["content_restrictions"])
    assert {k: (r["content_id"], r["operation"], r["principal_type"], r["principal_id"]) for k, r in rows.items()} \
        == expected_restrictions(cloud.site, cloud=True)
    assert any(r["principal_type"] == "group" for r in rows.values())
    nested = [cid for cid in cloud.site.restrictions
              if cid in cloud.site.pages and cloud.site.pages[cid].parent_id in cloud.site.restrictions]
    assert nested, "the site has restrictions on a page and on its parent"
    folders = got["folders"]
    assert {k: (f.get("parent_id"), f.get("parent_type"), f["space_id"]) for k, f in folders.items()} \
        == expected_folders(cloud.site)
    assert any(f.get("parent_type") == "folder" for f in folders.values())  # several levels deep
    in_folder = [p for p in got["pages"].values() if p.get("parent_type") == "folder"]
    assert in_folder and all(p["parent_id"] in folders for p in in_folder)


def test_datacenter_full_sync_equals_the_site_and_reads_no_folders(datacenter):
    output = sync(datacenter, STREAMS)
    assert not output.errors
    got = records_by_stream(output)
    rows = live(got["content_restrictions"])
    assert {k: (r["content_id"], r["operation"], r["principal_type"], r["principal_id"]) for k, r in rows.items()} \
        == expected_restrictions(datacenter.site, cloud=False)
    assert not got.get("folders")
    assert sum("has no folders" in log.log.message for log in output.logs) == 1


@pytest.mark.parametrize("flavour", ["cloud", "datacenter"])
def test_one_incremental_sync_after_restrict_lift_and_move_reflects_every_change_and_nothing_else(flavour, request):
    double = request.getfixturevalue(flavour)
    site = double.site
    first = sync(double, STREAMS)
    assert not first.errors
    restricted = sorted(site.restrictions)
    lifted_from = restricted[0]
    operation, principals = next(iter(site.restrictions[lifted_from].items()))
    lifted = principals[0]
    site.lift(lifted_from, operation, lifted)
    quiet = next(p for p in sorted(site.pages.values(), key=lambda p: int(p.id))
                 if p.status == "current" and p.id not in site.restrictions)
    newcomer = Principal("user", sorted(site.users)[0], "")
    site.restrict(quiet.id, "update", newcomer)
    moved = None
    if flavour == "cloud":
        folder = sorted(site.folders.values(), key=lambda f: int(f.id))[-1]
        moved = next(p for p in sorted(site.pages.values(), key=lambda p: int(p.id))
                     if p.status == "current" and p.space_id == folder.space_id and p.parent_id not in site.folders
                     and not site.children.get(p.id) and p.id != site.spaces[p.space_id].homepage_id)
        site.move_page_to_folder(moved.id, folder.id)

    second = sync(double, STREAMS, state=final_state(first), **DUE)
    assert not second.errors
    got = records_by_stream(second)
    lifted_id = principal_id(lifted, flavour == "cloud")
    added_id = principal_id(newcomer, flavour == "cloud")
    assert set(got["content_restrictions"]) == {f"{lifted_from}:{operation}:{lifted.kind}:{lifted_id}",
                                                f"{quiet.id}:update:user:{added_id}"}
    assert got["content_restrictions"][f"{lifted_from}:{operation}:{lifted.kind}:{lifted_id}"]["deleted_at"]
    assert got["content_restrictions"][f"{quiet.id}:update:user:{added_id}"].get("deleted_at") is None
    if moved is not None:
        assert set(got["pages"]) == {moved.id}
        assert (got["pages"][moved.id]["parent_id"], got["pages"][moved.id]["parent_type"]) == (folder.id, "folder")
        assert folder.id in got["folders"]
        assert set(got["folders"]) == {f for f in expected_folders(site) if _above(site, folder.id, f)}
    else:
        assert not got.get("pages")


def _above(site: Site, start: str, folder_id: str) -> bool:
    current: str | None = start
    while current in site.folders:
        if current == folder_id:
            return True
        current = site.folders[current].parent_id
    return False


@pytest.mark.parametrize("flavour", ["cloud", "datacenter"])
def test_request_counts_stay_within_the_documented_costs(flavour, request):
    double = request.getfixturevalue(flavour)
    site = double.site
    first = sync(double, STREAMS)
    state = final_state(first)
    double.reset_requests()
    quiet = sync(double, STREAMS, state=state)
    assert not quiet.errors and not records_by_stream(quiet).get("content_restrictions")
    # Not due, nothing changed: content_restrictions and folders make no request at all.
    assert restriction_reads(double) == 0
    assert not [p for p in requests_by_path(double) if "/folders/" in p]

    double.reset_requests()
    due = sync(double, STREAMS, state=final_state(quiet), **DUE)
    assert not due.errors and not records_by_stream(due).get("content_restrictions")
    listed = [c for c in (*site.pages.values(), *site.blog_posts.values())
              if c.status in (("current",) if flavour == "datacenter" else ("current", "archived", "trashed"))]
    # Documented: the id listings (250 per request, the deletion check's) and one search per 100 ids
    # of each space (each space is reconciled on its own, at its turn).
    assert restriction_reads(double) == sum(math.ceil(len([c for c in listed if c.space_id == space_id]) / 100)
                                            for space_id in site.spaces)


def restriction_reads(double: ConfluenceDouble) -> int:
    """The restriction searches (`id in (...)`) and per-content restriction reads the double served."""
    return sum(1 for r in double.requests
               if r.path.endswith(SEARCH) and any(q.startswith("id in") for q in r.query.get("cql", []))
               or r.path.endswith("/restriction"))
