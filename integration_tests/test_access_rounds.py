"""group_members and space_permissions in rounds over the double, both flavours: a member removed, a
permission revoked and a group deleted between syncs arrive as tombstones at their key's round (forced
with an interval of 0), once; with the default interval a sync soon after makes no access request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from confluence_double import ConfluenceDouble, DataCenterDouble, SiteSpec, user_key
from integration_tests.conftest import final_state, sync
from integration_tests.permission_truth import expected_members, expected_space_permissions

pytestmark = pytest.mark.integration
STREAMS = ("group_members", "space_permissions")
EVERY_SYNC = {"access_reconciliation_interval_hours": 0}
SPEC = SiteSpec(spaces=3, pages=30, blog_posts=5, footer_comments=10, inline_comments=5, tasks=5, attachments=5,
                labels=5, users=12, seed=5, body_bytes=400)


@pytest.fixture(params=["cloud", "datacenter"])
def flavour_double(request: pytest.FixtureRequest) -> Iterator[ConfluenceDouble | DataCenterDouble]:
    server = ConfluenceDouble(SPEC) if request.param == "cloud" else DataCenterDouble(SPEC)
    with server:
        yield server


def rows(output, stream: str) -> dict[str, dict]:
    return {m.record.data["id"]: m.record.data for m in output.records if m.record.stream == stream}


def live(output, stream: str) -> set[str]:
    return {row_id for row_id, row in rows(output, stream).items() if not row.get("deleted_at")}


def tombstones(output, stream: str) -> set[str]:
    return {row_id for row_id, row in rows(output, stream).items() if row.get("deleted_at")}


def is_access_request(path: str, query: dict[str, list[str]]) -> bool:
    return ("/group" in path or path.endswith(("/permissions", "/role-assignments", "/space-roles"))
            or "permissions" in ",".join(query.get("expand", [])))


def member_id(group, account: str, datacenter: bool) -> str:
    return f"{group.name}:{user_key(account)}" if datacenter else f"{group.id}:{account}"


def test_a_removed_member_and_a_revoked_permission_arrive_as_tombstones_once(flavour_double):
    datacenter = isinstance(flavour_double, DataCenterDouble)
    site, access = flavour_double.site, flavour_double.site.access
    first = sync(flavour_double, STREAMS, **EVERY_SYNC)
    assert live(first, "group_members") == expected_members(site, datacenter) and not tombstones(first, "group_members")
    group = next(g for g in sorted(access.groups.values(), key=lambda g: g.name) if len(g.members) > 1)
    leaver = sorted(group.members)[0]
    access.remove_group_member(group.id, leaver)
    space = sorted(site.spaces.values(), key=lambda s: s.num)[0]
    access.revoke_space_permission(space.id, "user", space.author_id, "administer", "space")
    revoked = f"{space.id}:user:{user_key(space.author_id) if datacenter else space.author_id}:administer:space"
    assert revoked in live(first, "space_permissions")

    second = sync(flavour_double, STREAMS, final_state(first), **EVERY_SYNC)
    assert not second.errors
    assert tombstones(second, "group_members") == {member_id(group, leaver, datacenter)}
    assert tombstones(second, "space_permissions") == {revoked}
    assert live(second, "group_members") == expected_members(site, datacenter)
    assert live(second, "space_permissions") == expected_space_permissions(site, datacenter)
    gone = rows(second, "group_members")[member_id(group, leaver, datacenter)]
    assert gone["deleted_at"] == gone["updated_at"] > rows(first, "group_members")[gone["id"]]["updated_at"]

    third = sync(flavour_double, STREAMS, final_state(second), **EVERY_SYNC)
    assert not tombstones(third, "group_members") and not tombstones(third, "space_permissions")


def test_a_deleted_group_tombstones_every_member_it_had(flavour_double):
    datacenter = isinstance(flavour_double, DataCenterDouble)
    site, access = flavour_double.site, flavour_double.site.access
    first = sync(flavour_double, STREAMS, **EVERY_SYNC)
    group = access.group_by_name("contractors")
    had = {member_id(group, account, datacenter) for account in group.members}
    assert had and had <= live(first, "group_members")
    access.delete_group(group.id)
    second = sync(flavour_double, STREAMS, final_state(first), **EVERY_SYNC)
    assert tombstones(second, "group_members") == had
    assert live(second, "group_members") == expected_members(site, datacenter)


def test_with_the_default_interval_a_sync_soon_after_makes_no_access_request(flavour_double):
    first = sync(flavour_double, STREAMS)
    assert rows(first, "group_members") and rows(first, "space_permissions")
    assert any(is_access_request(r.path, r.query) for r in flavour_double.requests)
    flavour_double.reset_requests()
    second = sync(flavour_double, STREAMS, final_state(first))
    assert not second.errors
    assert second.records == []
    assert [r.path for r in flavour_double.requests if is_access_request(r.path, r.query)] == []
