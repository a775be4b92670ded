"""A deterministic batch of content changes for the "1% changed" incremental benchmark.

``apply_changes(site, fraction, seed)`` touches ``fraction`` of every kind of content through the
double's own mutation API (``Site.edit_page`` and friends), so the changes look to the connector
exactly as edits in Confluence would: new versions, new objects, completed tasks, new labels.
Which objects change depends only on the site and the seed; the timestamps are "now", later than
anything the generator produced, so an incremental sync must pick every change up.

For a fraction f of a site with P pages, B blog posts, C comments, T tasks, A attachments:
- pages: 0.8 f P edited (new version and body), 0.2 f P created;
- blog posts: 0.8 f B edited, 0.2 f B created;
- comments: f C new comments (80% footer, 20% inline; a third of them replies);
- tasks: f T incomplete tasks completed (each also gives its page or blog post a new version);
- attachments: 0.8 f A new attachments, 0.2 f A trashed;
- labels: f x (labelled content) new label assignments (labels have no versions: they only show
  up in the full-refresh content_labels snapshot).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from confluence_double import Site

FILES = (("png", "image/png"), ("pdf", "application/pdf"), ("docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), ("csv", "text/csv"))


def _split(total: int, share: float) -> tuple[int, int]:
    first = round(total * share)
    return first, total - first


def apply_changes(site: Site, fraction: float, seed: int = 1) -> dict[str, Any]:
    """Applies the batch described in the module docstring; returns what changed, by kind."""
    rng = random.Random(seed)
    clock = _Clock()
    summary: dict[str, int] = {}
    with site.lock:
        users = sorted(site.users)
        current_pages = [p for p in site.pages.values() if p.status == "current"]
        current_blogs = [b for b in site.blog_posts.values() if b.status == "current"]
        spaces = [s for s in site.spaces.values() if s.status == "current"]

        # ---- pages ------------------------------------------------------------------------
        edits, creates = _split(round(fraction * len(site.pages)), 0.8)
        for page in rng.sample(current_pages, min(edits, len(current_pages))):
            site.edit_page(page.id, at=clock.next(), author_id=rng.choice(users), message="benchmark edit")
        summary["pages_edited"] = min(edits, len(current_pages))
        by_space: dict[str, list[str]] = {}
        for page in current_pages:
            by_space.setdefault(page.space_id, []).append(page.id)
        for n in range(creates):
            space = rng.choice(spaces)
            parent = rng.choice(by_space[space.id]) if by_space.get(space.id) else None
            site.create_page(space.id, f"Benchmark page {seed}-{n}", parent_id=parent, at=clock.next(),
                             author_id=rng.choice(users))
        summary["pages_created"] = creates

        # ---- blog posts -------------------------------------------------------------------
        edits, creates = _split(round(fraction * len(site.blog_posts)), 0.8)
        for blog in rng.sample(current_blogs, min(edits, len(current_blogs))):
            site.edit_blog_post(blog.id, at=clock.next(), author_id=rng.choice(users))
        summary["blog_posts_edited"] = min(edits, len(current_blogs))
        for n in range(creates):
            site.create_blog_post(rng.choice(spaces).id, f"Benchmark post {seed}-{n}", at=clock.next(),
                                  author_id=rng.choice(users))
        summary["blog_posts_created"] = creates

        # ---- comments ---------------------------------------------------------------------
        containers = [c.id for c in current_pages] + [c.id for c in current_blogs]
        added = 0
        for n in range(round(fraction * len(site.comments))):
            container_id = rng.choice(containers)
            kind = "footer" if rng.random() < 0.8 else "inline"
            parent = None
            if rng.random() < 1 / 3:
                roots = [cid for cid in site.comments_by_container.get(container_id, ())
                         if site.comments[cid].comment_type == kind and site.comments[cid].parent_comment_id is None]
                parent = rng.choice(roots) if roots else None
            site.add_comment(container_id, f"<p>Benchmark comment {seed}-{n}: looks good, one question.</p>",
                             comment_type=kind, parent_comment_id=parent, at=clock.next(), author_id=rng.choice(users))
            added += 1
        summary["comments_added"] = added

        # ---- tasks ------------------------------------------------------------------------
        open_tasks = [t.id for t in site.tasks.values() if t.status == "incomplete"]
        completed = rng.sample(open_tasks, min(round(fraction * len(site.tasks)), len(open_tasks)))
        for task_id in completed:
            site.complete_task(task_id, by_account_id=rng.choice(users), at=clock.next())
        summary["tasks_completed"] = len(completed)

        # ---- attachments ------------------------------------------------------------------
        adds, trashes = _split(round(fraction * len(site.attachments)), 0.8)
        current_attachments = [a.id for a in site.attachments.values() if a.status == "current"]
        for n in range(adds):
            ext, media_type = rng.choice(FILES)
            site.add_attachment(rng.choice(containers), f"benchmark-{seed}-{n}.{ext}", media_type,
                                rng.randint(1_000, 5_000_000), at=clock.next(), author_id=rng.choice(users))
        for attachment_id in rng.sample(current_attachments, min(trashes, len(current_attachments))):
            site.trash_attachment(attachment_id, at=clock.next(), author_id=rng.choice(users))
        summary["attachments_added"] = adds
        summary["attachments_trashed"] = min(trashes, len(current_attachments))

        # ---- labels -----------------------------------------------------------------------
        names = sorted(label.name for label in site.labels.values() if label.prefix != "team")
        labelled = sum(len(v) for v in site.labels_by_content.values())
        assigned = 0
        for _ in range(round(fraction * labelled)):
            site.add_label(rng.choice(containers), rng.choice(names), at=clock.next())
            assigned += 1
        summary["labels_assigned"] = assigned
    summary["total"] = sum(summary.values())
    return summary


class _Clock:
    """Strictly increasing millisecond timestamps from now on (one per change)."""

    def __init__(self) -> None:
        self._at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)

    def next(self) -> datetime:
        self._at += timedelta(milliseconds=1)
        return self._at
