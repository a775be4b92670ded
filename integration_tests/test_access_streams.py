"""`groups`, `group_members`, `audit_records` and `space_permissions` against the double, both flavours:
a full sync equals the site, an incremental sync after mutations reflects them, the audit log is
skipped without administrator rights, and a sync costs what the docs page says."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from confluence_double import ConfluenceDouble, DataCenterDouble, SiteSpec
from integration_tests.conftest import final_state, records_by_stream, requests_by_path, sync
from integration_tests.permission_truth import (
    expected_audit,
    expected_groups,
    expected_members,
    expected_space_permissions,
)

STREAMS = ("groups", "group_members", "audit_records", "space_permissions")
SPEC = SiteSpec(spaces=3, pages=30, blog_posts=5, footer_comments=10, inline_comments=5, tasks=5, attachments=5,
                labels=5, users=12, seed=5, body_bytes=400)
PAGE_SIZE = 5  # the all-users group (12 members) and the audit log (60 events) need several pages


@pytest.fixture(params=["cloud", "datacenter"])
def flavour_double(request: pytest.FixtureRequest) -> Iterator[ConfluenceDouble | DataCenterDouble]:
    server = ConfluenceDouble(SPEC) if request.param == "cloud" else DataCenterDouble(SPEC)
    with server:
        yield server


def audit_rows(records: dict) -> list[tuple[str, str, str]]:
    return sorted((r["created_at"], r["category"], r["summary"]) for r in records["audit_records"].values())


def test_a_full_sync_equals_the_site(flavour_double):
    datacenter = isinstance(flavour_double, DataCenterDouble)
    output = sync(flavour_double, STREAMS, page_size=PAGE_SIZE)
    assert not output.errors
    records = records_by_stream(output)
    site = flavour_double.site
    assert set(records["groups"]) == expected_groups(site, datacenter)
    assert set(records["group_members"]) == expected_members(site, datacenter)
    assert audit_rows(records) == expected_audit(site)
    assert set(records["space_permissions"]) == expected_space_permissions(site, datacenter)
    principals = {r["principal_type"] for r in records["space_permissions"].values()}
    assert principals == ({"user", "group", "anonymous"} if datacenter
                          else {"user", "group", "role", "anonymous", "all_licensed_users"})
    members = records["group_members"].values()
    names = {user_key_of(a, datacenter): u.display_name for a, u in site.users.items()}
    assert all(r["display_name"] == names[r["account_id"]] for r in members)
    assert all(("username" in r) == datacenter for r in members)  # null fields are left out


def test_an_incremental_sync_after_mutations_reflects_them_and_nothing_else(flavour_double):
    datacenter = isinstance(flavour_double, DataCenterDouble)
    every_round = {"page_size": PAGE_SIZE, "access_reconciliation_interval_hours": 0}  # every group and space
    first = sync(flavour_double, STREAMS, **every_round)
    site, access = flavour_double.site, flavour_double.site.access
    group = access.group_by_name("contractors")
    newcomer = next(a for a in sorted(site.users) if a not in group.members)
    access.add_group_member(group.id, newcomer)
    access.add_audit_event("Space permission removed", at=datetime.now(UTC))
    space = sorted(site.spaces.values(), key=lambda s: s.num)[0]
    access.grant_space_permission(space.id, "user", newcomer, "export", "space")
    access.revoke_space_permission(space.id, "user", space.author_id, "administer", "space")
    second = records_by_stream(sync(flavour_double, STREAMS, state=final_state(first), **every_round))
    assert set(second["group_members"]) == expected_members(site, datacenter)  # none removed: no tombstone
    assert [(r["category"], r["summary"]) for r in second["audit_records"].values()] == [
        ("Permissions", "Space permission removed")]
    live = {key for key, row in second["space_permissions"].items() if not row.get("deleted_at")}
    assert live == expected_space_permissions(site, datacenter)
    author = user_key_of(space.author_id, datacenter)
    assert second["space_permissions"][f"{space.id}:user:{author}:administer:space"]["deleted_at"]  # its tombstone
    assert f"{space.id}:user:{user_key_of(newcomer, datacenter)}:export:space" in second["space_permissions"]


def user_key_of(account_id: str, datacenter: bool) -> str:
    from confluence_double import user_key
    return user_key(account_id) if datacenter else account_id


def test_the_audit_log_is_skipped_with_a_warning_without_administrator_rights(flavour_double):
    flavour_double.site.access.audit_readable = False
    output = sync(flavour_double, STREAMS)
    assert not output.errors
    records = records_by_stream(output)
    assert "audit_records" not in records and records["groups"]
    warnings = [m.log.message for m in output.logs if "audit_records" in m.log.message]
    assert any("Confluence Administrator" in w and "HTTP 403" in w for w in warnings)
    audit_states = [m.state.stream.stream_state for m in output.state_messages
                    if m.state.stream.stream_descriptor.name == "audit_records"]
    assert all(not s.states for s in audit_states)


def test_a_sync_costs_what_the_docs_page_says():
    with ConfluenceDouble(SPEC) as double:
        sync(double, STREAMS, page_size=PAGE_SIZE)
        counts = requests_by_path(double)
        access, spaces = double.site.access, len(double.site.spaces)
        # A v1 list ending on a full page takes one more request (the contract promises no next link).
        groups = len(access.groups) // PAGE_SIZE + 1
        members = sum(len(g.members) // PAGE_SIZE + 1 for g in access.groups.values())
        assert counts["/wiki/rest/api/group"] == 2 * groups  # groups, and group_members' own list
        assert sum(n for path, n in counts.items() if path.endswith("/membersByGroupId")) == members
        assert counts["/wiki/rest/api/audit"] == len(access.audit) // PAGE_SIZE + 1
        per_space = [math.ceil(sum(g.space_id == s for g in access.grants) / PAGE_SIZE)
                     + math.ceil(sum(a.space_id == s for a in access.role_assignments) / PAGE_SIZE)
                     for s in double.site.spaces]
        permission_requests = sum(n for path, n in counts.items()
                                  if path.endswith("/permissions") or path.endswith("/role-assignments"))
        assert permission_requests == sum(per_space) and len(per_space) == spaces
        assert counts["/wiki/api/v2/space-roles"] == 1
