"""Expected rows of the two entity marts (confluence__content_enhanced, confluence__user_enhanced),
computed from the double's site model as ``mart_truth`` computes the others: from what the syncs
landed (``Landed``) and the definitions in ``dbt_project/models/docs/marts.md``, never from the SQL.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from confluence_double import Page, Task
from integration_tests.mart_truth import MartTruth, Row
from integration_tests.sync_history import Content, content_type_of, naive

LIVE_ATTACHMENT_STATUSES = ("current", "archived")  # not trashed or purged


def owner_of(content: Content) -> str | None:
    """The owner, else the creator (blog posts have no owner in Confluence)."""
    return getattr(content, "owner_id", None) or content.author_id


def content_enhanced(truth: MartTruth) -> dict[str, Row]:
    """One row per live page or blog post, keyed by content id."""
    landed = truth.landed
    tree = truth.page_tree()
    labels: dict[str, list[str]] = defaultdict(list)
    for content_id, label_id in landed.label_pairs:
        labels[content_id].append(truth.site.labels[label_id].name.lower())
    comments = Counter(comment.container_id for comment in landed.comments.values())
    tasks: dict[str, list[Task]] = defaultdict(list)
    for task in landed.tasks.values():
        tasks[task.container_id].append(task)
    attachment_sizes: dict[str, list[int]] = defaultdict(list)
    for attachment in landed.attachments.values():
        if attachment.status in LIVE_ATTACHMENT_STATUSES:
            attachment_sizes[attachment.container_id].append(attachment.file_size)
    rows: dict[str, Row] = {}
    for c in landed.live.values():
        key, name = truth.space(c.space_id)
        depth, root, path = tree[c.id] if isinstance(c, Page) else (None, None, None)
        owner = owner_of(c)
        names = sorted(labels.get(c.id, []))
        own_tasks = tasks.get(c.id, [])
        sizes = attachment_sizes.get(c.id, [])
        rows[c.id] = {
            "content_type": content_type_of(c),
            "title": c.title,
            "status": c.status,
            "space_id": c.space_id,
            "space_key": key,
            "space_name": name,
            "parent_id": c.parent_id if isinstance(c, Page) else None,
            "page_depth": depth,
            "root_page_id": root,
            "page_path_titles": path,
            "author_account_id": c.author_id,
            "author_name": truth.name(c.author_id),
            "owner_account_id": owner,
            "owner_name": truth.name(owner),
            "created_at": naive(c.created_at),
            "updated_at": naive(c.version.created_at),
            "last_updated_by_account_id": c.version.author_id,
            "last_updated_by_name": truth.name(c.version.author_id),
            "version_count": c.version.number,  # versions are numbered from 1
            "days_since_update": truth.days_since(c.version.created_at),
            "label_count": len(names),
            "label_names": ", ".join(names) if names else None,
            "comment_count": comments.get(c.id, 0),
            "task_count": len(own_tasks),
            "open_task_count": sum(1 for t in own_tasks if t.status != "complete"),
            "attachment_count": len(sizes),
            "attachment_bytes": sum(sizes),
        }
    return rows


def user_enhanced(truth: MartTruth, accounts: set[str]) -> dict[str, Row]:
    """One row per account in `accounts` (those that appear anywhere), keyed by account id."""
    landed = truth.landed
    events: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    for event_type, account_id, moment in truth.contribution_events():
        events[account_id].append((event_type, moment))
    owned = Counter(owner_of(c) for c in landed.live.values())
    open_tasks: dict[str, list[Task]] = defaultdict(list)
    for task in landed.tasks.values():
        if task.assigned_to and task.status != "complete" and landed.container_is_live(task.container_id):
            open_tasks[task.assigned_to].append(task)
    rows: dict[str, Row] = {}
    for account_id in accounts:
        mine = events.get(account_id, [])
        counts = Counter(event_type for event_type, _ in mine)
        moments = [moment for _, moment in mine]
        rows[account_id] = {
            "display_name": truth.name(account_id),
            "is_known_user": account_id in truth.site.users,
            "content_created_count": counts["content_created"],
            "content_updated_count": counts["content_updated"],
            "comments_written_count": counts["comment_written"],
            "tasks_completed_count": counts["task_completed"],
            "total_contributions": len(mine),
            "first_contribution_at": min(moments) if moments else None,
            "last_contribution_at": max(moments) if moments else None,
            "owned_content_count": owned.get(account_id, 0),
            "open_assigned_task_count": len(open_tasks.get(account_id, [])),
            "overdue_assigned_task_count": sum(1 for t in open_tasks.get(account_id, []) if truth.is_overdue(t)),
        }
    return rows
