"""What `content_restrictions` and `folders` must carry for a site of the double, from the model."""

from __future__ import annotations

from confluence_double.datacenter.accounts import user_key
from confluence_double.model import Principal, Site


def expected_restrictions(site: Site, cloud: bool) -> dict[str, tuple[str, str, str, str]]:
    """id -> (content id, operation, principal type, principal id) of every restriction of live content."""
    out = {}
    for content_id, by_operation in site.restrictions.items():
        content = site.pages.get(content_id) or site.blog_posts.get(content_id)
        if content is None or content.status != "current":
            continue
        for operation, principals in by_operation.items():
            for p in principals:
                pid = principal_id(p, cloud)
                out[f"{content_id}:{operation}:{p.kind}:{pid}"] = (content_id, operation, p.kind, pid)
    return out


def principal_id(principal: Principal, cloud: bool) -> str:
    """Cloud: account and group ids; Data Center: user keys and group names."""
    if cloud:
        return principal.id
    return user_key(principal.id) if principal.kind == "user" else principal.name


def expected_folders(site: Site) -> dict[str, tuple[str | None, str | None, str]]:
    """id -> (parent id, parent type, space id) of every folder on a chain above a synced page."""
    out = {}
    for page in site.pages.values():
        parent = page.parent_id
        while parent in site.folders:
            folder = site.folders[parent]
            out[folder.id] = (folder.parent_id, site.parent_type_of(folder.parent_id), folder.space_id)
            parent = folder.parent_id
    return out
