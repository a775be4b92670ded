"""Content ids in creation order, then the site's maps and indices."""

from __future__ import annotations

from ..model import Attachment


class IdentitySteps:
    """Content ids in creation order, then the site's maps and indices.

    A mixin of ``SiteBuilder``: its steps run in a fixed order on one random stream.
    """

    def _assign_ids(self) -> None:
        """One increasing id sequence over spaces, pages, blog posts, comments and attachments."""
        rng, site = self.rng, self.site
        content_items, spaces, pages, page_space, page_children = (
            self.content_items, self.spaces, self.pages, self.page_space, self.page_children)
        blogs, blog_space, containers = self.blogs, self.blog_space, self.containers
        comments, comment_container, attachments, att_container = (
            self.comments, self.comment_container, self.attachments, self.att_container)
        users = self.users
        content_items.sort(key=lambda item: (item[0], item[1]))
        num = 65_536 + rng.randrange(30_000)
        for _, _, obj in content_items:
            num += 1 + (rng.random() < 0.3) * rng.randrange(1, 5)
            obj.num = num  # type: ignore[attr-defined]
            obj.id = f"att{num}" if isinstance(obj, Attachment) else str(num)  # type: ignore[attr-defined]
        site.next_content_id = num + 1000

        for space in spaces:
            site.spaces[space.id] = space
        for idx, page in enumerate(pages):
            space = spaces[page_space[idx]]
            page.space_id = space.id
            if page.parent_id is not None:
                page.parent_id = pages[page.parent_id].id  # type: ignore[index]
        for idx, page in enumerate(pages):
            if page.parent_id is None:
                space = spaces[page_space[idx]]
                space.homepage_id = page.id
        for parent_idx, kids in page_children.items():
            # Positions follow creation order among siblings, as pages are appended in the tree.
            for pos, kid in enumerate(kids):
                pages[kid].position = pos
            site.children[pages[parent_idx].id] = [pages[k].id for k in kids]
        site.pages = {p.id: p for p in pages}
        for idx, blog in enumerate(blogs):
            blog.space_id = spaces[blog_space[idx]].id
        site.blog_posts = {b.id: b for b in blogs}
        for idx, comment in enumerate(comments):
            comment.container_id = containers[comment_container[idx]].id
            if comment.parent_comment_id is not None:
                comment.parent_comment_id = comment.parent_comment_id.id  # type: ignore[attr-defined]
        comments.sort(key=lambda c: c.num)
        site.comments = {c.id: c for c in comments}
        for c in comments:
            site.comments_by_container.setdefault(c.container_id, []).append(c.id)
            if c.comment_type == "inline" and c.parent_comment_id is None:
                site.inline_roots_by_container.setdefault(c.container_id, []).append(c.id)
        for idx, att in enumerate(attachments):
            att.container_id = containers[att_container[idx]].id
        attachments.sort(key=lambda a: a.num)
        site.attachments = {a.id: a for a in attachments}
        for a in attachments:
            site.attachments_by_container.setdefault(a.container_id, []).append(a.id)
        owners = {u.account_id: u for u in users}
        for space in spaces:
            if space.type == "personal" and space.author_id in owners:
                owners[space.author_id].personal_space_id = space.id
