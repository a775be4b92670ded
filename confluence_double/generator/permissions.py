"""The site's groups, audit log and space permissions, generated after everything else.

It draws from its own ``random.Random`` (seeded from the site's seed), so adding it changed no
other part of a site generated from a given seed.
"""

from __future__ import annotations

import random

from ..model import Site, from_ms
from ..model.permissions import ALL_LICENSED_CLASS, ANONYMOUS_CLASS, AuditEvent, Group, Role, RoleAssignment, SiteAccess
from .vocabulary import T_END, T_START

GROUP_NAMES = ("confluence-users", "site-admins", "engineering", "product", "support", "contractors")
AUDIT_CATEGORIES = (("Permissions", "Space permission added", "Space"),
                    ("Users and groups", "User added to group", "Group"),
                    ("Spaces", "Space exported", "Space"),
                    ("Apps", "App installed", "App"),
                    ("Global configuration", "Site setting changed", "Configuration"))
EVERYONE_OPS = (("read", "space"), ("create", "page"), ("create", "blogpost"), ("create", "comment"),
                ("create", "attachment"), ("delete", "comment"))
ADMIN_OPS = (("administer", "space"), ("export", "space"), ("restrict_content", "space"), ("delete", "page"),
             ("archive", "page"))
AUDIT_EVENTS = 60


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def build_access(site: Site) -> None:
    rng = random.Random(f"access:{site.spec.seed}")
    access = SiteAccess(lock=site.lock)
    access.on_change.append(site._changed)
    site.access = access
    users = sorted(site.users)
    for name in GROUP_NAMES:
        group = Group(_uuid(rng), name, access.new_num())
        if name == "confluence-users":
            group.members = list(users)  # every account: pages when the page size is small
        else:
            group.members = sorted(rng.sample(users, k=max(1, len(users) // (3 if name != "site-admins" else 8))))
        access.groups[group.id] = group
    _audit(access, rng, users)
    _permissions(site, access, rng, users)


def _audit(access: SiteAccess, rng: random.Random, users: list[str]) -> None:
    times = sorted(T_START + int(rng.random() * (T_END - T_START)) for _ in range(AUDIT_EVENTS))
    for at in times:
        category, summary, object_type = rng.choice(AUDIT_CATEGORIES)
        author = None if rng.random() < 0.1 else rng.choice(users)
        changed = (("Permission", "", "VIEWSPACE"),) if category == "Permissions" else ()
        access.audit.append(AuditEvent(
            access.new_num(), from_ms(at), author, f"10.0.{rng.randrange(256)}.{rng.randrange(256)}", category,
            summary, f"{summary} ({rng.randrange(1000)})", (f"object-{rng.randrange(50)}", object_type), changed,
            (("confluence-users", "Group"),) if rng.random() < 0.5 else (), author is None))


def _permissions(site: Site, access: SiteAccess, rng: random.Random, users: list[str]) -> None:
    everyone = access.group_by_name("confluence-users")
    admins = access.group_by_name("site-admins")
    assert everyone is not None and admins is not None
    viewer, editor = Role(_uuid(rng), "Viewer", access.new_num()), Role(_uuid(rng), "Editor", access.new_num())
    access.roles = {viewer.id: viewer, editor.id: editor}
    for index, space in enumerate(sorted(site.spaces.values(), key=lambda s: s.num)):
        for operation, target in EVERYONE_OPS:
            access.grant_space_permission(space.id, "group", everyone.id, operation, target)
        for operation, target in EVERYONE_OPS + ADMIN_OPS:
            access.grant_space_permission(space.id, "group", admins.id, operation, target)
        for operation, target in (("read", "space"), ("administer", "space")):
            access.grant_space_permission(space.id, "user", space.author_id, operation, target)
        access.grant_space_permission(space.id, "role", viewer.id, "read", "space")
        for operation, target in (("read", "space"), ("create", "page"), ("update", "page")):
            access.grant_space_permission(space.id, "role", editor.id, operation, target)
        holder = rng.choice(users)
        access.role_assignments.append(RoleAssignment(access.new_num(), space.id, "USER", holder, editor.id))
        if index % 2 == 0:  # open to anonymous readers
            access.role_assignments.append(RoleAssignment(access.new_num(), space.id, "ACCESS_CLASS",
                                                          ANONYMOUS_CLASS, viewer.id))
        else:  # open to every licensed user
            access.role_assignments.append(RoleAssignment(access.new_num(), space.id, "ACCESS_CLASS",
                                                          ALL_LICENSED_CLASS, viewer.id))
