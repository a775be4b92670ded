"""The double's site model as the records `access_mart_truth.Streams` takes (Cloud), so the access
marts are checked against what the site says, not against what the warehouse holds.

Restrictions come from `model/access.py` (per content and operation, users and groups), folders
from the same module, groups, members and space grants from `model/permissions.py`. Content is what
the two syncs landed (`sync_history.Landed`): archived-before-the-first-sync pages are not in it.
"""

from __future__ import annotations

from confluence_double.model.permissions import ALL_LICENSED_CLASS, ANONYMOUS_CLASS
from integration_tests.access_mart_truth import Streams
from integration_tests.access_truth import expected_folders, expected_restrictions
from integration_tests.sync_history import Landed

CLASSES = {ANONYMOUS_CLASS: "anonymous", ALL_LICENSED_CLASS: "all_licensed_users"}


def site_streams(landed: Landed) -> Streams:
    site = landed.site
    pages, blog_posts = [], []
    for c in landed.content.values():
        record = {"id": c.id, "status": c.status, "space_id": c.space_id, "title": c.title,
                  "author_id": c.author_id, "owner_id": getattr(c, "owner_id", None), "deleted_at": None}
        if c.id in site.pages:
            pages.append({**record, "parent_id": c.parent_id})
        else:
            blog_posts.append(record)
    folders = [{"id": f.id, "title": f.title, "parent_id": f.parent_id, "space_id": f.space_id,
                "status": f.status, "deleted_at": None}
               for f in (site.folders[i] for i in expected_folders(site))]
    labels = [{"content_id": c, "content_type": "page" if c in site.pages else "blogpost",
               "label_name": site.labels[label_id].name} for c, label_id in landed.label_pairs]
    access = site.access
    groups = [{"id": g.id, "name": g.name} for g in access.groups.values()]
    members = [{"group_id": g.id, "group_name": g.name, "account_id": a, "display_name": site.users[a].display_name}
               for g in access.groups.values() for a in g.members]
    restrictions = [{"content_id": content_id, "operation": operation, "principal_type": kind, "principal_id": pid}
                    for content_id, operation, kind, pid in expected_restrictions(site, cloud=True).values()]
    users = [{"account_id": u.account_id, "display_name": u.display_name, "account_status": u.account_status}
             for u in site.users.values()]
    return Streams(spaces=[{"id": s.id} for s in site.spaces.values()], users=users, pages=pages,
                   blog_posts=blog_posts, folders=folders, content_labels=labels, groups=groups,
                   group_members=members, space_permissions=space_permissions(landed), content_restrictions=restrictions)


def space_permissions(landed: Landed) -> list[dict]:
    """Direct grants, and each role's operations for every holder of it (users, groups, access classes)."""
    access = landed.site.access
    out = [{"space_id": g.space_id, "principal_type": g.principal_type, "principal_id": g.principal_id,
            "operation_key": g.operation, "operation_target": g.target} for g in access.grants]
    for a in access.role_assignments:
        if a.principal_type == "ACCESS_CLASS":
            kind, principal = CLASSES[a.principal_id], None
        else:
            kind, principal = a.principal_type.lower(), a.principal_id
        out += [{"space_id": a.space_id, "principal_type": kind, "principal_id": principal,
                 "operation_key": g.operation, "operation_target": g.target}
                for g in access.role_operations(a.space_id, a.role_id)]
    return out
