"""What a sync of the double's site must carry, computed from the site model, not from the connector."""

from __future__ import annotations

from confluence_double import Site
from integration_tests.access_truth import expected_folders, expected_restrictions
from integration_tests.permission_truth import access_ids

CONTAINER_TYPES = ("page", "blogpost")


def expected_ids(site: Site, first_sync: bool = True, include_archived: bool = False) -> dict[str, set[str]]:
    """Primary keys per stream for a full sync with the default selection."""
    def visible(status: str) -> bool:
        return include_archived or not first_sync or status != "archived"

    pages = {p.id for p in site.pages.values() if visible(p.status)}
    blog_posts = {b.id for b in site.blog_posts.values() if visible(b.status)}
    containers = set(site.pages) | set(site.blog_posts)
    comments = {c.id for c in site.comments.values()
                if c.status == "current" and c.container_type in CONTAINER_TYPES and c.container_id in containers}
    attachments = {a.id for a in site.attachments.values()
                   if a.status in ("current", "archived", "trashed") and a.container_id in containers}
    # The label endpoints list current content only (they take no status filter).
    current = ({i for i, p in site.pages.items() if p.status == "current"}
               | {i for i, b in site.blog_posts.items() if b.status == "current"}
               | {i for i, a in site.attachments.items() if a.status == "current"} | set(site.spaces))
    labels = set()
    for content_id, label_ids in site.labels_by_content.items():
        if content_id in current:
            labels.update(f"{content_id}:{label_id}" for label_id in label_ids)
    return {
        "spaces": set(site.spaces),
        "pages": pages,
        "blog_posts": blog_posts,
        "comments": comments,
        "tasks": set(site.tasks),
        "content_labels": labels,
        "attachments": attachments,
        "content_versions": {f"{obj.id}:{version.number}" for obj in _versioned(site, pages, blog_posts, comments,
                                                                                attachments)
                             for version in site.versions_of(obj)},
        "content_restrictions": set(expected_restrictions(site, cloud=True)),  # none on a site without them
        "folders": set(expected_folders(site)),
        **access_ids(site),
        "decisions": live_decisions(site),
    }


def _versioned(site: Site, pages: set[str], blog_posts: set[str], comments: set[str], attachments: set[str]) -> list:
    """The objects whose histories `content_versions` reads with no start_date: what the content streams list."""
    return [*(site.pages[i] for i in pages), *(site.blog_posts[i] for i in blog_posts),
            *(site.comments[i] for i in comments), *(site.attachments[i] for i in attachments)]


def version_authors(site: Site) -> set[str]:
    """The accounts `content_versions` references (the authors of every version), for `users`."""
    ids = expected_ids(site)
    objects = _versioned(site, ids["pages"], ids["blog_posts"], ids["comments"], ids["attachments"])
    return {v.author_id for obj in objects for v in site.versions_of(obj) if v.author_id in site.users}


def live_decisions(site: Site) -> set[str]:
    """Decision ids (`<container>:<local id>`) in the bodies of live pages and blog posts."""
    live = ({i for i, p in site.pages.items() if p.status in ("current", "archived")}
            | {i for i, b in site.blog_posts.items() if b.status == "current"})
    return {d.id for container_id, decisions in site.decisions_by_container.items() if container_id in live
            for d in decisions}


def referenced_accounts(site: Site) -> set[str]:
    accounts: set[str] = set()
    for space in site.spaces.values():
        accounts.add(space.author_id)
    for page in site.pages.values():
        accounts.update({page.author_id, page.owner_id, page.version.author_id})
    for post in site.blog_posts.values():
        accounts.update({post.author_id, post.version.author_id})
    for comment in site.comments.values():
        accounts.add(comment.version.author_id)
    for task in site.tasks.values():
        accounts.update(a for a in (task.created_by, task.assigned_to, task.completed_by) if a)
    for attachment in site.attachments.values():
        accounts.add(attachment.version.author_id)
    return {a for a in accounts if a in site.users}
